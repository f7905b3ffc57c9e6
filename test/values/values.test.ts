// Values across the boundary (docs/values.md): tensors zero-copy both ways, dtypes, devices,
// shapes, arrays, maps, functions both ways, errors both ways, lifetimes after dispose.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DataType,
  Device,
  DynamicLibrary,
  ExecutionSession,
  FFIError,
  Tensor,
  getGlobalFunc,
  listGlobalFuncs,
  registerGlobalFunc,
  removeGlobalFunc,
} from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

describe.each(COMPILERS)("$id", (cc) => {
  let session: ExecutionSession;
  let lib: DynamicLibrary;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let f: Record<string, (...args: any[]) => any>;

  beforeAll(() => {
    session = new ExecutionSession();
    lib = session.createLibrary("values");
    lib.add(fixture(cc, "cc/values"));
    f = new Proxy({}, { get: (_t, name: string) => lib.getFunction(name) });
  });
  afterAll(() => session.dispose());

  describe("tensors", () => {
    it("passes a Float32Array as a 1-D float32 tensor view", () => {
      expect(f.sum_f32!(new Float32Array([1, 2, 3.5]))).toBe(6.5);
      expect(f.describe_tensor!(new Float32Array(5))).toBe("1:2,32:5:dev1");
      expect(f.describe_tensor!(new BigInt64Array(2))).toBe("1:0,64:2:dev1");
      expect(f.describe_tensor!(new Int32Array(3))).toBe("1:0,32:3:dev1");
      expect(f.describe_tensor!(new Float64Array(1))).toBe("1:2,64:1:dev1");
    });

    it("is zero-copy JS -> C++: the callee writes into the JS array", () => {
      const a = new Float32Array(4);
      f.fill!(a, 2);
      expect(Array.from(a)).toEqual([0, 2, 4, 6]);
      const big = new BigInt64Array(3);
      f.fill!(big, 10);
      expect(Array.from(big)).toEqual([0n, 10n, 20n]);
      // a subarray views the middle of the buffer
      const whole = new Float32Array(6);
      f.fill!(whole.subarray(2, 5), 1);
      expect(Array.from(whole)).toEqual([0, 0, 0, 1, 2, 0]);
    });

    it("keeps Uint8Array as Bytes; Tensor.from(u8) is a uint8 tensor", () => {
      expect(() => f.describe_tensor!(new Uint8Array(3))).toThrow(expect.objectContaining({ kind: "TypeError" }));
      expect(f.describe_tensor!(Tensor.from(new Uint8Array(3)))).toBe("1:1,8:3:dev1");
    });

    it("passes a Tensor with shape and dtype (TensorView and owning Tensor params)", () => {
      const t = new Tensor(new Float32Array(6), { shape: [2, 3] });
      expect(t.ndim).toBe(2);
      expect(t.dtype.toString()).toBe("float32");
      expect(t.strides).toEqual([3, 1]);
      expect(f.describe_tensor!(t)).toBe("2:2,32:2x3:dev1");
      expect(f.tensor_ndim!(t)).toBe(2);
      f.fill!(t, 1);
      expect(Array.from<number | bigint>(t.data)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(t.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it("a typed array is not a Tensor object: owning Tensor params reject it", () => {
      expect(() => f.tensor_ndim!(new Float32Array(2))).toThrow(FFIError);
    });

    it("passes a Tensor over an ArrayBuffer region with an explicit dtype", () => {
      const ab = new ArrayBuffer(64);
      const t = new Tensor(ab, { dtype: "float64", byteOffset: 16, shape: [4] });
      f.fill!(t, 3);
      expect(Array.from(new Float64Array(ab, 16, 4))).toEqual([0, 3, 6, 9]);
    });

    it("is zero-copy C++ -> JS: a returned tensor views native memory", () => {
      const m: Tensor = f.make_matrix!(2, 3);
      expect(m).toBeInstanceOf(Tensor);
      expect(m.shape).toEqual([2, 3]);
      expect(m.strides).toEqual([3, 1]);
      expect(m.dtype.equals(DataType.parse("float32"))).toBe(true);
      expect(m.device.toString()).toBe("cpu:0");
      expect(Array.from<number | bigint>(m.data)).toEqual([0, 1, 2, 3, 4, 5]);
      // Mutate from JS, observe from C++ (same memory), and the other way.
      (m.data as Float32Array)[5] = 100;
      expect(f.sum_f32!(m)).toBe(0 + 1 + 2 + 3 + 4 + 100);
      f.fill!(m, 10);
      expect(Array.from<number | bigint>(m.data)).toEqual([0, 10, 20, 30, 40, 50]);
    });

    it("returns a JS-made tensor with the same ArrayBuffer", () => {
      const a = new Float32Array([1, 2, 3]);
      const t = Tensor.from(a);
      const back: Tensor = f.identity!(t);
      expect(back.buffer).toBe(a.buffer);
      back.data[0] = 42;
      expect(a[0]).toBe(42);
    });

    it("rejects mis-sized, misaligned and detached inputs with TypeError", () => {
      expect(() => new Tensor(new Float32Array(6), { shape: [4, 2] })).toThrow(TypeError);
      expect(() => new Tensor(new Float32Array(6), { shape: [2, 3], strides: [4, 1] })).toThrow(TypeError);
      expect(() => new Tensor(new ArrayBuffer(16), { dtype: "float32", byteOffset: 2 })).toThrow(TypeError);
      expect(() => new Tensor(new ArrayBuffer(16))).toThrow(TypeError);
      expect(() => new Tensor(new Float32Array(2), { device: Device.cuda(0) })).toThrow(TypeError);
      const a = new Float32Array(4);
      structuredClone(a.buffer, { transfer: [a.buffer] });
      expect(() => f.sum_f32!(a)).toThrow(TypeError);
      expect(() => Tensor.from(a)).toThrow(TypeError);
      // A tensor pins its buffer (docs/values.md): a transfer copies, or throws on Node >= 21.
      const p = new Float32Array([1, 2, 3, 4]);
      const t = Tensor.from(p);
      try {
        structuredClone(p.buffer, { transfer: [p.buffer] });
      } catch (e) {
        expect((e as Error).name).toBe("DataCloneError");
      }
      expect(p.buffer.byteLength).toBe(16);
      expect(f.sum_f32!(t)).toBe(10);
      expect(() => f.sum_f32!(new ArrayBuffer(4))).toThrow(TypeError);
      expect(() => f.sum_f32!(new DataView(new ArrayBuffer(4)))).toThrow(TypeError);
    });

    it("a wrong dtype is an FFIError from the C++ check", () => {
      expect(() => f.sum_f32!(new Float64Array(2))).toThrow(/float32/);
    });
  });

  describe("dtypes, devices, shapes, containers", () => {
    it("DataType parses, prints and crosses both ways", () => {
      const dt = DataType.parse("int64");
      expect([dt.code, dt.bits, dt.lanes]).toEqual([0, 64, 1]);
      expect(String(DataType.parse("float16x4"))).toBe("float16x4");
      expect(DataType.parse("bfloat16").bits).toBe(16);
      const back: DataType = f.echo_dtype!(DataType.parse("float32"));
      expect(back).toBeInstanceOf(DataType);
      expect(back.toString()).toBe("float32");
      expect(String(f.f16x4!())).toBe("float16x4");
      expect(() => DataType.parse("notatype")).toThrow();
    });

    it("Device crosses both ways", () => {
      const d: Device = f.echo_device!(Device.cpu(0));
      expect(d).toBeInstanceOf(Device);
      expect(d.equals(Device.cpu())).toBe(true);
      const c: Device = f.cuda1!();
      expect(c.typeName).toBe("cuda");
      expect(c.id).toBe(1);
      expect(String(f.echo_device!(new Device("cuda", 3)))).toBe("cuda:3");
    });

    it("Shape, Array and Map come back as JS values", () => {
      expect(f.make_shape!(2, 3, 4)).toEqual([2, 3, 4]);
      expect(f.make_array!()).toEqual([1, "two", 3.5]);
      const m = f.make_map!() as Map<string, number>;
      expect(m).toBeInstanceOf(Map);
      expect([...m.entries()]).toEqual([["one", 1], ["a-longer-key", 2]]);
    });
  });

  describe("functions both ways", () => {
    it("a JS function passed as an argument is callable from C++", () => {
      expect(f.apply!((x: number) => x * 2, 21)).toBe(1042);
      expect(f.apply_str!((s: string) => `${s}!${s.length}`, "a long string argument")).toBe("a long string argument!22");
      const seen: unknown[] = [];
      f.call_with!((v: unknown) => { seen.push(v); return null; }, new Float32Array([1, 2]));
      expect(seen[0]).toBeInstanceOf(Tensor);
      expect(Array.from<number | bigint>((seen[0] as Tensor).data)).toEqual([1, 2]);
    });

    it("a C++ function result is a callable JS function and passes back as-is", () => {
      const add5 = f.make_adder!(5) as (x: number) => number;
      expect(add5(10)).toBe(15);
      expect(f.apply!(add5, 1)).toBe(1006);
    });

    it("global functions: register from JS, call from C++ and JS, list, remove", () => {
      const name = `test.values.${cc.id}.concat`;
      registerGlobalFunc(name, (x: number, s: string) => `${s}:${x}`);
      expect(listGlobalFuncs()).toContain(name);
      expect(f.call_global!(name, 7)).toBe("hi:7");
      expect(getGlobalFunc(name)(1, "x")).toBe("x:1");
      expect(() => registerGlobalFunc(name, () => 0)).toThrow(/already registered/);
      registerGlobalFunc(name, () => "new", { override: true });
      expect(f.call_global!(name, 0)).toBe("new");
      expect(removeGlobalFunc(name)).toBe(true);
      expect(getGlobalFunc(name, { allowMissing: true })).toBeUndefined();
      expect(() => getGlobalFunc(name)).toThrow(/not registered/);
    });
  });

  describe("errors both ways", () => {
    it("a C++ throw becomes an FFIError with kind and the C++ file:line in the stack", () => {
      let err: unknown;
      try {
        f.throws!(1);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FFIError);
      const e = err as FFIError;
      expect(e.kind).toBe("ValueError");
      expect(e.message).toContain("bad value 1");
      expect(e.stack).toMatch(/values\.cc", line \d+/);
      expect(e.backtrace).toMatch(/values\.cc", line \d+, in .*Throws/);
    });

    it("a JS throw inside a callback comes back out as the original error", () => {
      class MyError extends Error {}
      const original = new MyError("from JS");
      let caught: unknown;
      try {
        f.apply!(() => {
          throw original;
        }, 1);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(original);
      // Non-Error values too.
      let caught2: unknown;
      try {
        f.apply!(() => {
          throw 42;
        }, 1);
      } catch (e) {
        caught2 = e;
      }
      expect(caught2).toBe(42);
    });

    it("C++ sees the JS error's name as the kind and its message", () => {
      expect(f.catch_from_cpp!(() => {
        throw new RangeError("out of range in JS");
      })).toBe("RangeError|out of range in JS");
    });

    it("a bad callback result is a TypeError in C++ and back in JS", () => {
      expect(() => f.apply!(() => "not a number", 1)).toThrow(FFIError);
      expect(() => f.apply!(() => Symbol("x"), 1)).toThrow(TypeError);
    });

    it("a callback called from another thread raises a clear error instead of crashing", () => {
      const msg = f.apply_on_thread!(() => 1) as string;
      expect(msg).toMatch(/^RuntimeError: JS function .* not its JavaScript thread/);
    });
  });

  describe("lifetimes", () => {
    it("values outlive the dispose of the library that made them", () => {
      const s2 = new ExecutionSession();
      try {
        const l2 = s2.createLibrary("short-lived");
        l2.add(fixture(cc, "cc/values"));
        const m: Tensor = l2.getFunction("make_matrix")(2, 2) as Tensor;
        const add: (x: number) => number = l2.getFunction("make_adder")(3) as (x: number) => number;
        const str: string = l2.getFunction("long_string")() as string;
        const arr = l2.getFunction("make_array")();
        const handle = l2.getFunction("sum_f32");
        l2.dispose();
        expect(l2.disposed).toBe(true);
        expect(() => handle(new Float32Array(1))).toThrow(/dispose/);
        // Still usable: the code stays mapped until the last value is released.
        expect(add(4)).toBe(7);
        expect(Array.from<number | bigint>(m.data)).toEqual([0, 1, 2, 3]);
        expect(str).toBe("a string longer than seven bytes");
        expect(arr).toEqual([1, "two", 3.5]);
        m.dispose();
        expect(add(5)).toBe(8);
      } finally {
        s2.dispose();
      }
    });

    it("values outlive the dispose of the session that made them", () => {
      const s3 = new ExecutionSession();
      const l3 = s3.createLibrary("in-a-session");
      l3.add(fixture(cc, "cc/values"));
      const m: Tensor = l3.getFunction("make_matrix")(1, 3) as Tensor;
      const add: (x: number) => number = l3.getFunction("make_adder")(10) as (x: number) => number;
      const handle = l3.getFunction("noop");
      s3.dispose();
      expect(s3.disposed).toBe(true);
      expect(l3.disposed).toBe(true);
      expect(() => handle()).toThrow(/dispose/);
      expect(add(1)).toBe(11);
      expect(Array.from<number | bigint>(m.data)).toEqual([0, 1, 2]);
      m.dispose();
      (add as unknown as { dispose?: () => void }).dispose?.();
    });
  });
});
