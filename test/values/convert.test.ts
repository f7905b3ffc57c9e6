// The one converter (native/src/binding/convert.h): every value kind through every path that
// crosses the boundary gives the same result — direct calls (fast lanes, the general lane
// after a typed-array hint, more than 8 arguments), a function returned by C++, a global
// function, a JS callback's argument and result, and an object's method. Then containers
// (JS arrays → ffi.Array, Map / plain objects → ffi.Map, nested, cyclic input refused,
// returned containers passed back without copying), -0 and ffi.float.
// The fixture registers process-global names: one compiler only (the conversion is the
// addon's, the same for objects from either compiler).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DataType,
  Device,
  ExecutionSession,
  FFIMap,
  FFIObject,
  Tensor,
  float,
  getGlobalFunc,
  type FFIFunction,
  type FFIValue,
} from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

const cc = COMPILERS[0]!;
const INT = 1, FLOAT = 3;

/** A comparable description of a converted value. */
function describeValue(v: unknown): unknown {
  if (v instanceof Tensor) return { tensor: v.dtype.toString(), shape: v.shape, data: v.toArray() };
  if (v instanceof DataType || v instanceof Device) return { [v.constructor.name]: v.toString() };
  if (v instanceof FFIObject) return { object: v.typeKey };
  if (v instanceof Uint8Array) return { bytes: Array.from(v) };
  if (v instanceof Map) return { map: [...v].map(([k, x]) => [describeValue(k), describeValue(x)]) };
  if (Array.isArray(v)) return v.map(describeValue);
  if (typeof v === "function") return { function: (v as FFIFunction)(20, 22) };
  if (typeof v === "number" && Object.is(v, -0)) return "-0";
  if (typeof v === "number" && Number.isNaN(v)) return "NaN";
  return v;
}

describe("one converter", () => {
  let session: ExecutionSession;
  let f: Record<string, FFIFunction>;

  beforeAll(() => {
    session = new ExecutionSession();
    const lib = session.createLibrary("convert");
    lib.add(fixture(cc, "cc/convert"));
    f = new Proxy({}, { get: (_t, name: string) => lib.getFunction(name) });
  });
  afterAll(() => session.dispose());

  const kinds: [string, () => FFIValue, unknown][] = [
    ["int", () => 42, 42],
    ["negative int", () => -7, -7],
    ["fraction", () => 2.5, 2.5],
    ["-0", () => -0, "-0"],
    ["NaN", () => NaN, "NaN"],
    ["beyond 2^53", () => 2 ** 60, 2n ** 60n],
    ["bigint", () => -(2n ** 62n), -(2n ** 62n)],
    ["true", () => true, true],
    ["false", () => false, false],
    ["short string", () => "hi", "hi"],
    ["long string", () => "a string longer than seven bytes", "a string longer than seven bytes"],
    ["string with NUL", () => "a\0b but long enough", "a\0b but long enough"],
    ["null", () => null, null],
    ["undefined", () => undefined, null],
    ["bytes", () => new Uint8Array([1, 2, 255]), { bytes: [1, 2, 255] }],
    ["Tensor", () => Tensor.from(new Float32Array([1, 2, 3])), { tensor: "float32", shape: [3], data: [1, 2, 3] }],
    ["DataType", () => DataType.parse("float16"), { DataType: "float16" }],
    ["Device", () => Device.cpu(0), { Device: "cpu:0" }],
    ["function", () => (a: number, b: number) => a + b, { function: 42 }],
    ["ffi.float(2)", () => float(2), 2],
    ["array", () => [1, "two", 3.5, [true, null]], [1, "two", 3.5, [true, null]]],
    ["Map", () => new Map<FFIValue, FFIValue>([["a", 1], [2, "b"]]), { map: [["a", 1], [2, "b"]] }],
    ["plain object", () => ({ x: 1, y: [2, 3] }), { map: [["x", 1], ["y", [2, 3]]] }],
  ];

  it.each(kinds)("%s: the same result through every path", (_name, make, expected) => {
    const paths: Record<string, (v: FFIValue) => unknown> = {
      direct: (v) => f.echo!(v),
      "direct after a typed-array hint": (v) => {
        f.echo!(new Float32Array(1));
        return f.echo!(v);
      },
      "more than 8 arguments": (v) => f.echo_ninth!(1, 2, 3, 4, 5, 6, 7, 8, v),
      "returned function": (v) => (f.make_echo!() as FFIFunction)(v),
      "global function": (v) => getGlobalFunc("fixture_convert.echo")(v),
      "callback argument and result": (v) => f.call_back!((x: FFIValue) => x, v),
      "object method": (v) => {
        const h = f.make_holder!() as FFIObject & { set(v: FFIValue): void; get(): FFIValue };
        h.set(v);
        return h.get();
      },
    };
    for (const [path, run] of Object.entries(paths)) {
      expect({ path, got: describeValue(run(make())) }).toEqual({ path, got: expected });
    }
  });

  it("a Float32Array crosses as a tensor view on every call path", () => {
    const expected = { tensor: "float32", shape: [2], data: [1.5, 2.5] };
    expect(describeValue(f.echo!(new Float32Array([1.5, 2.5])))).toEqual(expected);
    expect(describeValue(f.echo_ninth!(1, 2, 3, 4, 5, 6, 7, 8, new Float32Array([1.5, 2.5])))).toEqual(expected);
    expect(describeValue(getGlobalFunc("fixture_convert.echo")(new Float32Array([1.5, 2.5])))).toEqual(expected);
    expect(describeValue(f.call_back!((x: FFIValue) => x, new Float32Array([1.5, 2.5])))).toEqual(expected);
  });

  it("-0 crosses as Float: inv(-0) is -Infinity", () => {
    expect(f.kind_of!(-0)).toBe(FLOAT);
    expect(f.kind_of!(0)).toBe(INT);
    expect(f.inv!(-0)).toBe(-Infinity);
    expect(f.inv!(0)).toBe(Infinity);
  });

  it("ffi.float forces Float where an integral number would be Int", () => {
    expect(f.kind_of!(2)).toBe(INT);
    expect(f.kind_of!(float(2))).toBe(FLOAT);
    expect(f.echo!(float(2))).toBe(2);
    expect(() => float("2" as unknown as number)).toThrow(TypeError);
  });

  it("JS arrays pass as ffi.Array, elements converted to the C++ element type", () => {
    expect(f.sum_ints!([1, 2, 3, 4])).toBe(10);
    expect(f.sum_ints!([])).toBe(0);
    expect(f.sum_floats!([1, 2.5])).toBe(3.5);
    expect(f.nested_len!([[1, 2], [3], []])).toBe(3);
    expect(() => f.sum_ints!(["x"])).toThrow(/sum_ints/);
  });

  it("Map and plain objects pass as ffi.Map", () => {
    expect(f.map_get!(new Map([["a", 1], ["b", 2]]), "b")).toBe(2);
    expect(f.map_get!({ a: 5, b: 6 }, "a")).toBe(5);
    expect(f.map_get!({}, "a")).toBe(-1);
  });

  it("returned Array/Map/Shape are iterable, indexable, read-only and pass back without copying", () => {
    const xs = f.iota!(4) as readonly number[];
    expect([...xs]).toEqual([0, 1, 2, 3]);
    expect(xs[2]).toBe(2);
    expect(xs.length).toBe(4);
    expect(Object.isFrozen(xs)).toBe(true);
    expect(f.address!(xs)).toBe(f.address!(xs));
    expect(f.sum_ints!(xs)).toBe(6);
    // The same C++ object comes back when it is passed through echo.
    const again = f.echo!(xs) as readonly number[];
    expect(f.address!(again)).toBe(f.address!(xs));
    // A JS copy is a new object.
    expect(f.address!([...xs])).not.toBe(f.address!(xs));

    const m = f.echo!(new Map([["k", 1]])) as FFIMap<string, number>;
    expect(m).toBeInstanceOf(Map);
    expect(m).toBeInstanceOf(FFIMap);
    expect(m.get("k")).toBe(1);
    expect([...m.keys()]).toEqual(["k"]);
    expect(() => m.set("k", 2)).toThrow(/read-only/);
    expect(f.address!(f.echo!(m))).toBe(f.address!(m));
    expect(f.map_get!(m, "k")).toBe(1);
  });

  it("cyclic arrays and objects are refused with a clear error, not a stack overflow", () => {
    const a: unknown[] = [1, 2];
    a.push(a);
    expect(() => f.echo!(a as FFIValue)).toThrow(/argument #0 of 'echo'.*cyclic.*\[2\]/);
    const o: Record<string, unknown> = { x: 1 };
    o.self = { inner: o };
    expect(() => f.echo!(o as FFIValue)).toThrow(/argument #0 of 'echo'.*cyclic.*\.self\.inner/);
    // Shared (non-cyclic) references are fine.
    const shared = [1];
    expect(describeValue(f.echo!([shared, shared]))).toEqual([[1], [1]]);
    // Deep nesting is refused before the C stack runs out.
    let deep: unknown = 1;
    for (let i = 0; i < 10000; i++) deep = [deep];
    expect(() => f.echo!(deep as FFIValue)).toThrow(/nested deeper than/);
  });

  it("a huge (sparse) array is a RangeError before any allocation, not a crash or a hang", () => {
    const huge: number[] = [];
    huge.length = 2 ** 32 - 1;
    expect(() => f.echo!(huge)).toThrow(RangeError);
    expect(() => f.echo!([huge])).toThrow(/argument #0 of 'echo': an array of 4294967295 elements is too large to convert/);
  });

  it("an element that cannot be converted is named by its position", () => {
    expect(() => f.echo!([1, { x: [2, Symbol("s")] }] as unknown as FFIValue)).toThrow(
      /argument #0 of 'echo', element \[1\]\.x\[1\]: cannot pass a symbol/,
    );
    expect(() => f.echo_ninth!(1, 2, 3, 4, 5, 6, 7, 8, [new ArrayBuffer(2)] as unknown as FFIValue)).toThrow(
      /argument #8 of 'echo_ninth', element \[0\]: an ArrayBuffer has no element type/,
    );
  });

  it("a typed array inside a container becomes a Tensor that keeps its memory", () => {
    const got = f.echo!([new Float64Array([1, 2])]) as readonly Tensor[];
    expect(got[0]).toBeInstanceOf(Tensor);
    expect(got[0]!.toArray()).toEqual([1, 2]);
  });
});
