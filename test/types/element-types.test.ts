// Checked calls inside containers and of int results (docs/types.md): arrays and maps are
// converted to their declared element types (ffi.Array<float> given [1, 2] passes Float
// elements), a wrong element fails before the native call with a TypeError naming the
// function, the parameter, the element and the declared type; an int result outside ±(2^53 - 1) is a
// RangeError carrying the exact value, never a wrong number. Sync and async calls alike.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, float, type AsyncFFIFunction, type FFIFunction, type FFIValue } from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

describe.each(COMPILERS)("$id", (cc) => {
  let session: ExecutionSession;
  let f: Record<string, FFIFunction & { async(...args: FFIValue[]): Promise<unknown> }>;

  beforeAll(() => {
    session = new ExecutionSession();
    const lib = session.createLibrary("typed");
    lib.add(fixture(cc, "cc/typed"));
    f = new Proxy({}, { get: (_t, name: string) => lib.getFunction(name) });
  });
  afterAll(() => session.dispose());

  it("arrays and maps are converted to the declared element types", async () => {
    // Integral numbers would cross as Int; ffi.Array<double> reads Float elements.
    expect(f.sum_floats!([1, 2])).toBe(3);
    expect(f.sum_floats!([1, 2.5, 3n])).toBe(6.5);
    expect(f.sum_floats!([float(1), 2])).toBe(3);
    expect(await f.sum_floats!.async([1, 2])).toBe(3);
    expect(f.sum_ints!([1, 2, 2n ** 40n])).toBe(3 + 2 ** 40);
    expect(f.sum_nested!([[1, 2], [3], []])).toBe(6);
    expect(f.weighted!({ a: 1, b: 2 })).toBe(3);
    expect(f.weighted!(new Map([["a", 1], ["b", 2]]))).toBe(3);
    expect(f.maybe_sum!([1, 2])).toBe(3);
    expect(f.maybe_sum!(null)).toBe(-1);
    // Every element crosses as a Float, integral or not, by the native lane (plain numbers)
    // or the general one (bigints, ffi.float boxes); holes and wrong elements are named.
    const fe = f.float_elements!;
    expect(String(fe.signature)).toBe("(ffi.Array<float>) -> int");
    expect(fe([1, 2, 3])).toBe(3);
    expect(fe([1, 2.5, -0, NaN, 2 ** 60])).toBe(5);
    expect(fe([])).toBe(0);
    expect(fe([1, float(2), 3n])).toBe(3);
    expect(fe(Array.from({ length: 100_000 }, (_, i) => i))).toBe(100_000);
    expect(await fe.async([1, 2])).toBe(2);
    expect(f.sum_floats!(Array.from({ length: 1000 }, (_, i) => i))).toBe(499500);
    const holey: FFIValue[] = [1];
    holey[2] = 3; // a hole at [1]
    expect(() => fe(holey)).toThrow(/argument #0 of 'float_elements' must be ffi.Array<float> .*element \[1\] must be float, got undefined/);
    expect(() => fe([1, "2"])).toThrow(/element \[1\] must be float, got the string "2"/);
    expect(() => fe(new Float64Array(2))).toThrow(/argument #0 of 'float_elements' must be ffi.Array<float>/);
    // An ffi.Array C++ returned passes back as it is (no copy, no check).
    const iota = f.iota!(4) as readonly number[];
    expect(f.sum_ints!(iota)).toBe(6);
    expect(f.float_elements!(iota)).toBe(0); // passed as it is (Int cells), not copied as Floats
    expect(f.sum_floats!(iota)).toBe(6);
    const arr = [1, 2];
    expect(f.sum_ints!(arr)).toBe(3);
    expect(arr).toEqual([1, 2]); // the caller's array is not changed
  });

  it("a wrong element fails before the call, naming function, parameter, element and declared type", async () => {
    expect(() => f.sum_ints!([1, 2.5])).toThrow(TypeError);
    expect(() => f.sum_ints!([1, 2.5])).toThrow(
      "argument #0 of 'sum_ints' must be ffi.Array<int> (its C++ signature): element [1] must be int, got 2.5, not an integer",
    );
    expect(() => f.sum_ints!(["x"])).toThrow(/argument #0 of 'sum_ints' must be ffi.Array<int> .*element \[0\] must be int, got the string "x"/);
    expect(() => f.sum_ints!([2 ** 64])).toThrow(/element \[0\] must be int, got 18446744073709552000, outside the int64 range/);
    expect(() => f.sum_ints!(5)).toThrow(/argument #0 of 'sum_ints' must be ffi.Array<int> \(its C\+\+ signature\), got 5$/);
    expect(() => f.sum_nested!([[1], [2, "y"]])).toThrow(/argument #0 of 'sum_nested' must be ffi.Array<ffi.Array<int>> .*element \[1\]\[1\] must be int, got the string "y"/);
    expect(() => f.sum_nested!([[1], 2])).toThrow(/element \[1\] must be ffi.Array<int>, got 2/);
    expect(() => f.weighted!({ a: 1, b: "2" })).toThrow(/argument #0 of 'weighted' must be ffi.Map<ffi.String, float> .*element \["b"\] must be float, got the string "2"/);
    expect(() => f.weighted!(new Map([[1, 1]]))).toThrow(/element \[1\] \(its key\) must be ffi.String, got 1/);
    expect(() => f.maybe_sum!([1, true])).toThrow(/argument #0 of 'maybe_sum' must be Optional<ffi.Array<float>> .*element \[1\] must be float, got true/);
    await expect(f.sum_ints!.async([1, 2.5])).rejects.toThrow(/element \[1\] must be int/);
    const cyclic: FFIValue[] = [[1]];
    cyclic.push(cyclic);
    expect(() => f.sum_nested!(cyclic)).toThrow(/argument #0 of 'sum_nested' .*cyclic/);
  });

  it("an int result outside ±(2^53 - 1) is a RangeError with the exact value, never a wrong number", async () => {
    expect(f.shift!(52)).toBe(2 ** 52);
    expect(() => f.shift!(53)).toThrow(RangeError); // 2^53 is not a safe integer
    let err: unknown;
    try {
      f.shift!(60);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(/'shift' returned 1152921504606846976, outside ±Number.MAX_SAFE_INTEGER/);
    expect((err as { value: unknown }).value).toBe(2n ** 60n);
    expect(() => f.maybe_shift!(62)).toThrow(RangeError);
    expect(f.maybe_shift!(-1)).toBe(null);
    expect(f.maybe_shift!(3)).toBe(8);
    await expect(f.shift!.async(60)).rejects.toMatchObject({ name: "RangeError", value: 2n ** 60n });
    // fn.exact: the same checked call, every int result as a bigint (async too).
    expect(f.shift!.exact!(60)).toBe(2n ** 60n);
    expect(f.shift!.exact!(3)).toBe(8n);
    expect(f.maybe_shift!.exact!(-1)).toBe(null);
    expect(f.maybe_shift!.exact!(3)).toBe(8n);
    await expect((f.shift!.exact as AsyncFFIFunction).async(60)).resolves.toBe(2n ** 60n);
    await expect((f.shift!.exact as AsyncFFIFunction).async(3)).resolves.toBe(8n);
    expect(() => f.shift!.exact!(1.5)).toThrow(/argument #0 of 'shift' must be int/);
    const shift = f.shift!;
    expect(shift.exact).toBe(shift.exact); // made once per handle
    expect(f.add!.exact).toBeDefined();
    expect(f.scale!.exact).toBeUndefined(); // float result: nothing to lose
    expect(await f.shift!.async(3)).toBe(8);
    // A returned ffi.Function<int, int> carries that signature: checked calls and results.
    const shifter = f.make_shifter!(60) as FFIFunction;
    expect(String(shifter.signature)).toBe("(int) -> int");
    expect(() => shifter(1)).toThrow(/'result of make_shifter' returned 1152921504606846976/);
    expect(() => shifter("x")).toThrow(/argument #0 of 'result of make_shifter' must be int/);
    expect((f.make_shifter!(2) as FFIFunction)(3)).toBe(12);
    // A JS callback declared ffi.Function<int, int>: an int argument beyond 2^53 is a
    // RangeError raised back through C++, never a bigint where number is declared.
    const seen: unknown[] = [];
    expect(f.apply_shifted!((x: number) => (seen.push(x), 7), 10)).toBe(7);
    expect(() => f.apply_shifted!((x: number) => (seen.push(x), 7), 60)).toThrow(/callback argument #0 is 1152921504606846976, outside ±Number.MAX_SAFE_INTEGER/);
    expect(seen).toEqual([1024]);
    expect(f.apply!((x: number) => x * 3, 5)).toBe(15);
    // Ints inside containers are not checked: typed number | bigint.
    expect(f.iota!(2)).toEqual([0, 1]);
  });
});
