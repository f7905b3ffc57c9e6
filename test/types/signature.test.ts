// Kernel signatures from export metadata (docs/types.md): the bundled headers emit apache/
// tvm-ffi's format, getFunction parses it into fn.signature / fn.doc, calls are checked and
// converted by the declared types, and malformed or hostile metadata leaves the function
// working untyped with fn.signatureError — never a crash, never a blocked call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, float, parseSignature, SignatureError, type FFIFunction, type FFIValue } from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

describe.each(COMPILERS)("$id", (cc) => {
  let session: ExecutionSession;
  let f: Record<string, FFIFunction>;
  let c: Record<string, FFIFunction>;

  beforeAll(() => {
    session = new ExecutionSession();
    const lib = session.createLibrary("typed");
    lib.add(fixture(cc, "cc/typed"));
    f = new Proxy({}, { get: (_t, name: string) => lib.getFunction(name) });
    const clib = session.createLibrary("metadata-c");
    clib.add(fixture(cc, "c/metadata"));
    c = new Proxy({}, { get: (_t, name: string) => clib.getFunction(name) });
  });
  afterAll(() => session.dispose());

  it("the headers emit tvm-ffi's schema: fn.signature and fn.doc", () => {
    const add = f.add!;
    expect(add.signatureError).toBeUndefined();
    expect(add.signature?.params).toEqual([{ type: "int" }, { type: "int" }]);
    expect(add.signature?.result).toEqual({ type: "int" });
    expect(String(add.signature)).toBe("(int, int) -> int");
    expect(add.doc).toBe("Adds two integers.\nReturns a + b.");
    expect(String(f.greet!.signature)).toBe("(ffi.String, Optional<ffi.String>) -> ffi.String");
    expect(String(f.sum_floats!.signature)).toBe("(ffi.Array<float>) -> float");
    expect(String(f.lookup!.signature)).toBe("(ffi.Map<ffi.String, int>, ffi.String) -> int");
    expect(String(f.apply!.signature)).toBe("(ffi.Function<int, int>, int) -> int");
    expect(String(f.len!.signature)).toBe("(DLTensor*) -> int");
    expect(String(f.nothing!.signature)).toBe("() -> None");
    expect(f.scale!.doc).toBeUndefined();
  });

  it("checked calls convert by declared type: a double parameter takes 2 as 2.0", () => {
    expect(f.add!(1, 2)).toBe(3);
    expect(f.add!(2n ** 40n, 1)).toBe(2 ** 40 + 1);
    expect(f.scale!(2, 3)).toBe(6);
    expect(f.scale!(float(2), 0.5)).toBe(1);
    expect(f.negate!(true)).toBe(false);
    expect(f.greet!("Ada", null)).toBe("Ada");
    expect(f.greet!("Ada", undefined)).toBe("Ada");
    expect(f.greet!("Ada", "Countess")).toBe("Countess Ada");
    expect(f.sum_floats!([1, 2.5])).toBe(3.5);
    expect(f.lookup!({ a: 1 }, "a")).toBe(1);
    expect(f.apply!((x: number) => x * 3, 5)).toBe(15);
    expect(f.len!(new Float32Array(4))).toBe(4);
    expect(f.nothing!()).toBe(null);
    // The C kernel reads a double: untyped, 2 travels as Int and is read as garbage; with
    // its hand-written metadata, 2 travels as 2.0.
    expect(c.half!(2)).toBe(1);
    expect(String(c.half!.signature)).toBe("(float) -> float");
    expect(c.half!.doc).toBe("Half of x.");
    expect(c.half_untyped!(2)).not.toBe(1);
  });

  it("a wrong argument fails before the call with a TypeError naming function, position and type", () => {
    expect(() => f.add!("x", 2)).toThrow(TypeError);
    expect(() => f.add!("x", 2)).toThrow(/argument #0 of 'add' must be int \(its C\+\+ signature\), got the string "x"/);
    expect(() => f.add!(1, 2.5)).toThrow(/argument #1 of 'add' must be int .*got 2\.5, not an integer/);
    expect(() => f.add!(1, 1e20)).toThrow(/argument #1 of 'add' must be int .*outside the int64 range/);
    expect(() => f.add!(1, NaN)).toThrow(/argument #1 of 'add' must be int/);
    expect(() => f.add!(1, null)).toThrow(/argument #1 of 'add' must be int .*got null/);
    expect(() => f.add!(1)).toThrow(/'add' takes 2 arguments \(int, int\), got 1/);
    expect(() => f.add!(1, 2, 3)).toThrow(/'add' takes 2 arguments/);
    expect(() => f.scale!("2", 1)).toThrow(/argument #0 of 'scale' must be float/);
    expect(() => f.scale!(true, 1)).toThrow(/argument #0 of 'scale' must be float .*got true/);
    expect(() => f.negate!(1)).toThrow(/argument #0 of 'negate' must be bool/);
    expect(() => f.greet!(5, null)).toThrow(/argument #0 of 'greet' must be ffi.String/);
    expect(() => f.greet!("a", 5)).toThrow(/argument #1 of 'greet' must be Optional<ffi.String>/);
    expect(() => c.half!("x")).toThrow(/argument #0 of 'half' must be float/);
    // Element types are checked before the call (test/types/element-types.test.ts).
    expect(() => f.sum_floats!(["x"] as FFIValue)).toThrow(/sum_floats/);
  });

  it("malformed or hostile metadata: the function works untyped, the problem is in fn.signatureError", () => {
    const cases: [string, RegExp][] = [
      ["bad_json", /not JSON/],
      ["bad_shape", /expected \{"type": \.\.\.\}/],
      ["bad_type", /unknown type '<no such type>'/],
      ["bad_throws", /metadata function failed: .*metadata exploded/],
      ["bad_not_string", /returned number, not a string/],
      ["bad_huge", /characters long/],
      ["bad_deep", /nested deeper than/],
    ];
    for (const [name, why] of cases) {
      const fn = c[name]!;
      expect({ name, error: fn.signatureError }).toEqual({ name, error: expect.stringMatching(why) });
      expect(fn.signature).toBeUndefined();
      expect(fn(1, "two", [3])).toBe(3); // untyped: any arguments
    }
  });
});

describe("parseSignature", () => {
  const meta = (schema: unknown) => JSON.stringify({ type_schema: JSON.stringify(schema) });
  it("accepts tvm-ffi's leaves, type keys and nested parameterised types", () => {
    const s = parseSignature(meta({
      type: "ffi.Function",
      args: [
        { type: "Optional", args: [{ type: "my_ext.IntPair" }] },
        { type: "ffi.Map", args: [{ type: "ffi.String" }, { type: "ffi.Array", args: [{ type: "DataType" }] }] },
        { type: "ffi.Function", args: [{ type: "None" }, { type: "Device" }] },
        { type: "ffi.Bytes" },
        { type: "Any" },
      ],
    }));
    expect(String(s)).toBe("(ffi.Map<ffi.String, ffi.Array<DataType>>, ffi.Function<None, Device>, ffi.Bytes, Any) -> Optional<my_ext.IntPair>");
  });
  it("refuses everything else with a reason", () => {
    expect(() => parseSignature(meta({ type: "int" }))).toThrow(SignatureError);
    expect(() => parseSignature(meta({ type: "ffi.Function", args: [] }))).toThrow(/result type/);
    expect(() => parseSignature(meta({ type: "ffi.Function", args: [{ type: "int", args: [] }] }))).toThrow(/takes no arguments/);
    expect(() => parseSignature(meta({ type: "ffi.Function", args: [{ type: "Optional", args: [] }] }))).toThrow(/Optional takes one type/);
    expect(() => parseSignature("{}")).toThrow(/no "type_schema"/);
    expect(() => parseSignature('{"type_schema": "nope"}')).toThrow(/not JSON/);
    expect(() => parseSignature(null)).toThrow(/returned null/);
  });
});
