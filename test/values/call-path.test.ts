// The JS -> JIT call path's fast lanes (native/src/binding/function.cc) against the general
// conversion: number edge cases, argument positions switching kind between calls, more
// arguments than the inline arrays, and callbacks in loops longer than the per-call budget of
// scope-less callbacks (nested, throwing, returning every scalar kind).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession } from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";
import { runNodeChild } from "../helpers/node-child.js";

const CHILD = fileURLToPath(new URL("./call-path-child.mjs", import.meta.url));
const DIST = join(fileURLToPath(new URL("../../", import.meta.url)), "dist");

// Type indices (tvm/ffi/c_api.h).
const NONE = 0, INT = 1, BOOL = 2, FLOAT = 3, RAW_STR = 8, BYTES_PTR = 9, DLTENSOR_PTR = 7, SMALL_STR = 11;

describe.each(COMPILERS)("$id", (cc) => {
  let session: ExecutionSession;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let f: Record<string, (...args: any[]) => any>;

  beforeAll(() => {
    session = new ExecutionSession();
    const lib = session.createLibrary("call-path");
    lib.add(fixture(cc, "c/add"));
    lib.add(fixture(cc, "c/call_path"));
    f = new Proxy({}, { get: (_t, name: string) => lib.getFunction(name) });
  });
  afterAll(() => session.dispose());

  it("numbers: integers within int64 go as Int, the rest as Float; results round-trip", () => {
    const kind = (v: unknown) => f.kinds!(v);
    expect(kind(0)).toBe(INT);
    expect(kind(-0)).toBe(FLOAT); // keeps its sign: inv(-0) is -Infinity
    expect(kind(2 ** 62)).toBe(INT);
    expect(kind(-(2 ** 62))).toBe(INT);
    expect(kind(2 ** 63)).toBe(FLOAT);
    expect(kind(-(2 ** 63))).toBe(FLOAT);
    expect(kind(0.5)).toBe(FLOAT);
    expect(kind(NaN)).toBe(FLOAT);
    expect(kind(Infinity)).toBe(FLOAT);
    expect(kind(-Infinity)).toBe(FLOAT);
    for (const v of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 1.5, NaN, Infinity])
      expect(f.echo!(v)).toBe(v);
    expect(f.echo!(2 ** 53)).toBe(2n ** 53n); // beyond the safe range: bigint
    expect(f.echo!(true)).toBe(true);
    expect(f.echo!(undefined)).toBe(null);
  });

  it("an argument position may switch kind between calls", () => {
    const u8 = new Uint8Array([1, 2]);
    const f32 = new Float32Array(3);
    for (let round = 0; round < 3; round++) {
      expect(f.kinds!(1, 2)).toBe(INT * 100 + INT);
      expect(f.kinds!(f32, 2)).toBe(DLTENSOR_PTR * 100 + INT);
      expect(f.kinds!(f32, f32)).toBe(DLTENSOR_PTR * 100 + DLTENSOR_PTR);
      expect(f.kinds!(1.5, f32)).toBe(FLOAT * 100 + DLTENSOR_PTR);
      expect(f.kinds!("a long string", u8)).toBe(RAW_STR * 100 + BYTES_PTR);
      expect(f.kinds!("s", null)).toBe(SMALL_STR * 100 + NONE);
      expect(f.kinds!(false, 3)).toBe(BOOL * 100 + INT);
      expect(f.echo!(round)).toBe(round);
      expect(f.echo!("text")).toBe("text");
      expect(f.echo!(u8)).toEqual(u8);
      expect(() => f.kinds!(1, Symbol("s"))).toThrow(/argument #1 of 'kinds'/);
    }
  });

  it("typed arrays at a position that held one last time: every kind, empty, detached", () => {
    const kinds = f.kinds!;
    for (let round = 0; round < 3; round++) {
      expect(kinds(new Float32Array(4), 1)).toBe(DLTENSOR_PTR * 100 + INT);
      expect(kinds(new Int8Array(4), 1)).toBe(DLTENSOR_PTR * 100 + INT);
      expect(kinds(new Uint8Array(4), 1)).toBe(BYTES_PTR * 100 + INT);
      expect(kinds(new BigInt64Array(0), 1)).toBe(DLTENSOR_PTR * 100 + INT);
      expect(kinds(new Float64Array(new ArrayBuffer(16), 8, 1), 1)).toBe(DLTENSOR_PTR * 100 + INT);
      const ab = new ArrayBuffer(16);
      const detached = new Float32Array(ab);
      structuredClone(ab, { transfer: [ab] });
      expect(() => kinds(detached, 1)).toThrow(/detached/);
      expect(kinds(undefined, 1)).toBe(NONE * 100 + INT);
      expect(kinds(7, 1)).toBe(INT * 100 + INT);
    }
  });

  it("argument counts growing and shrinking, from a thread's first call (main and worker)", async () => {
    // kinds(): each argument's type index as two decimal digits; 0 for no arguments.
    const o = await runNodeChild<{ main: string[]; worker: string[] }>([CHILD, DIST, fixture(cc, "c/call_path")]);
    expect(o.stderr).toBe("");
    const ints = (n: number) => "1".padEnd(2 * n - 1, "01");
    const want = ["0", String(INT * 100 + FLOAT), String(INT), "0", ints(8), String(DLTENSOR_PTR * 100 + INT), String(INT), ints(9), "0"];
    expect(o.result?.main).toEqual(want);
    expect(o.result?.worker).toEqual(want);
  });

  it("more arguments than the inline arrays, numbers and others mixed", () => {
    const args = Array.from({ length: 12 }, (_, i) => i);
    expect(f.sum_all!(...args)).toBe(66);
    expect(f.num_args!(...args, "a string", new Float32Array(2), () => 0)).toBe(15);
    expect(() => f.num_args!(...args, Symbol("s"))).toThrow(/argument #12 of 'num_args'/);
  });

  it("callbacks in loops longer than the scope-less budget, every scalar result kind", () => {
    const n = 5000;
    expect(f.call_n!((i: number) => i, n)).toBe((n * (n - 1)) / 2);
    expect(f.call_n!((i: number) => i + 0.5, n)).toBe((n * (n - 1)) / 2 + n / 2);
    expect(f.call_n!((i: number) => i % 2 === 0, n)).toBe(n / 2);
    expect(f.call_n!(() => undefined, n)).toBe(0);
    expect(f.call_n!(() => null, n)).toBe(0);
    expect(f.call_n!((i: number) => `a string result ${i}`, 3000)).toBe(3000 * 1000);
    // Nested: each callback makes another JS -> JIT call with callbacks of its own.
    expect(f.call_n!(() => f.call_n!((j: number) => j, 4), 3000)).toBe(3000 * 6);
    // Throwing after the budget ran out: the original error comes back.
    const boom = new Error("boom at 2000");
    let caught: unknown;
    try {
      f.call_n!((i: number) => {
        if (i === 2000) throw boom;
        return i;
      }, n);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(boom);
    // And the path still works after the error.
    expect(f.call_n!((i: number) => i, 10)).toBe(45);
  });
});
