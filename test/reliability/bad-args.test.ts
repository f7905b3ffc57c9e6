// Bad input at the call door: wrong argument counts and types, out-of-range bigints, NaN and
// infinities, detached buffers, many arguments, odd strings, calls after dispose. Each is a
// JS error (or a well-defined value) and the function keeps working afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisposedError, ExecutionSession, loadInline, type FFIValue, type LoadedModule } from "../../src/index.js";
import { record, thrown, tmp } from "./helpers.js";

const CXX = `
int64_t add(int64_t a, int64_t b) { return a + b; }
double fadd(double a, double b) { return a + b; }
int64_t slen(std::string s) { return (int64_t)s.size(); }
extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi_count(void*, const TVMFFIAny*, int32_t n, TVMFFIAny* r) {
  r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = n; return 0;
}
extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi_blen(void*, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  if (n != 1 || a[0].type_index != kTVMFFIByteArrayPtr) { TVMFFIErrorSetRaisedFromCStr("TypeError", "blen wants bytes"); return -1; }
  const TVMFFIByteArray* b = (const TVMFFIByteArray*)a[0].v_ptr;
  int64_t sum = 0; for (size_t i = 0; i < b->size; ++i) sum += (unsigned char)b->data[i];
  r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = (int64_t)b->size * 1000 + sum; return 0;
}
`;

let session: ExecutionSession;
let mod: LoadedModule<"add" | "fadd" | "slen">;

beforeAll(async () => {
  session = new ExecutionSession();
  mod = (await loadInline({ name: "badargs", cppSources: CXX, functions: ["add", "fadd", "slen"], cacheDir: tmp("badargs"), session }));
});
afterAll(() => session.dispose());

const serves = () => expect(mod.add(20, 22)).toBe(42);

describe("wrong arguments to JIT functions", () => {
  const errorCases: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ["too few arguments", () => mod.add(1), TypeError, /'add' takes 2 arguments/],
    ["too many arguments", () => mod.add(1, 2, 3), TypeError, /'add' takes 2 arguments/],
    ["no arguments", () => mod.add(), TypeError, /'add' takes 2 arguments/],
    ["string for int64", () => mod.add("1", 2), TypeError, /argument #0 of 'add'/],
    ["bigint 2^63 (out of int64)", () => mod.add(2n ** 63n, 0), RangeError, /argument #0 of 'add': bigint out of the int64 range/],
    ["bigint -2^63-1", () => mod.add(0, -(2n ** 63n) - 1n), RangeError, /argument #1/],
    ["bigint 2^200", () => mod.add(2n ** 200n, 1), RangeError, /int64 range/],
    ["a Symbol", () => mod.add(Symbol("s") as unknown as FFIValue, 1), TypeError, /argument #0 of 'add': cannot pass a symbol/],
    ["a plain object", () => mod.add({ valueOf: () => 1 }, 1), Error, /argument #0 of 'add'/],
    ["a JS array", () => mod.add([1], 1), Error, /argument #0 of 'add'/],
    ["a Float64Array where bytes are expected", () => mod.getFunction("blen")(new Float64Array(2)), Error, /./],
    ["NaN for int64", () => mod.add(NaN, 1), TypeError, /argument #0 of 'add'/],
    ["Infinity for int64", () => mod.add(Infinity, 1), TypeError, /argument #0 of 'add'/],
    ["1.5 for int64", () => mod.add(1.5, 1), TypeError, /argument #0 of 'add'/],
  ];
  for (const [name, call, cls, msg] of errorCases) {
    it(`${name} → ${cls.name}`, () => {
      const e = thrown(call);
      expect(e).toBeInstanceOf(cls);
      expect(String(e)).toMatch(msg); // "Kind: message" (an FFIError's name is its kind)
      serves();
      const kind = e.name !== e.constructor.name ? ` ${e.name}` : "";
      record("bad-args", { door: "JIT call arguments", input: name, count: 1, held: `${e.constructor.name}${kind}: ${e.message.split("\n")[0]!.slice(0, 90)}` });
    });
  }

  it("values at the edges are exact", () => {
    // loadInline exports signature metadata: `add` is declared to return int, typed number, so a
    // result a number cannot hold raises a RangeError carrying the exact value (docs/types.md
    // "Int results"); fn.exact returns it as a bigint.
    const big = (a: bigint | number, b: number): unknown => {
      try {
        return mod.add(a, b);
      } catch (e) {
        return e instanceof RangeError ? (e as RangeError & { value: bigint }).value : e;
      }
    };
    expect(big(2n ** 63n - 1n, 0)).toBe(2n ** 63n - 1n);
    expect(big(-(2n ** 63n), 0)).toBe(-(2n ** 63n));
    expect(big(Number.MAX_SAFE_INTEGER, 1)).toBe(2n ** 53n);
    expect(mod.add.exact!(2n ** 63n - 1n, 0)).toBe(2n ** 63n - 1n);
    expect(mod.add.exact!(Number.MAX_SAFE_INTEGER, 1)).toBe(2n ** 53n);
    expect(mod.add(Number.MAX_SAFE_INTEGER - 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(mod.fadd(NaN, 1)).toBeNaN();
    expect(mod.fadd(Infinity, -Infinity)).toBeNaN();
    expect(mod.fadd(-0, -0)).toBe(-0); // -0 crosses as Float and keeps its sign
    record("bad-args", { door: "JIT call arguments", input: "int64/double edges (±2^63, NaN, ±Inf, -0)", count: 6, held: "exact results (bigint beyond 2^53)" });
  });

  it("detached and empty buffers", () => {
    const blen = mod.getFunction("blen");
    const ab = new ArrayBuffer(16);
    const view = new Uint8Array(ab);
    view.fill(1);
    expect(blen(view)).toBe(16 * 1000 + 16);
    structuredClone(ab, { transfer: [ab] }); // detaches ab: view now has length 0
    expect(view.byteLength).toBe(0);
    // Either a clean TypeError naming the detached buffer or an empty byte array; never stale memory.
    let detached: unknown;
    try {
      detached = blen(view);
    } catch (e) {
      detached = e;
    }
    if (detached instanceof Error) expect(detached.message).toMatch(/argument #0 of 'blen'.*detached/);
    else expect(detached).toBe(0);
    expect(blen(new Uint8Array(0))).toBe(0);
    expect(blen(new Uint8Array(new ArrayBuffer(64), 60, 4).fill(2))).toBe(4 * 1000 + 8);
    serves();
    record("bad-args", { door: "JIT call arguments", input: "detached / empty / offset Uint8Array", count: 4, held: "detached → TypeError or length 0; exact bytes otherwise" });
  });

  it("many arguments (beyond the inline argument buffer)", () => {
    const count = mod.getFunction("count");
    for (const n of [0, 1, 7, 8, 9, 64, 1000]) expect(count(...Array.from({ length: n }, (_, i) => (i % 2 ? `s${"x".repeat(i)}` : i)))).toBe(n);
    record("bad-args", { door: "JIT call arguments", input: "0..1000 mixed arguments", count: 7, held: "all arguments arrive" });
  });

  it("odd strings", () => {
    expect(mod.slen("")).toBe(0);
    expect(mod.slen("a\0b")).toBe(3);
    expect(mod.slen("\ud800")).toBe(3); // lone surrogate → U+FFFD (3 UTF-8 bytes)
    expect(mod.slen("é".repeat(100_000))).toBe(200_000);
    expect(mod.slen("x".repeat(4 << 20))).toBe(4 << 20);
    record("bad-args", { door: "JIT call arguments", input: "empty, NUL, lone surrogate, 4 MiB strings", count: 5, held: "exact UTF-8 lengths" });
  });

  it("calls after dispose throw DisposedError", async () => {
    const s = new ExecutionSession();
    const m = await loadInline({ name: "badargs", cppSources: CXX, functions: ["add"], cacheDir: tmp("badargs2"), session: s });
    const add = m.add;
    expect(add(1, 2)).toBe(3);
    m.dispose();
    expect(thrown(() => add(1, 2))).toBeInstanceOf(DisposedError);
    s.dispose();
    expect(thrown(() => add(1, 2))).toBeInstanceOf(DisposedError);
    expect(thrown(() => m.library.getFunction("add"))).toBeInstanceOf(DisposedError);
    serves();
    record("bad-args", { door: "JIT call arguments", input: "call after library / session dispose", count: 3, held: "DisposedError" });
  });

  it("bad arguments to the object API", () => {
    const lib = session.createLibrary("api");
    expect(thrown(() => lib.getFunction(42 as unknown as string))).toBeInstanceOf(TypeError);
    expect(thrown(() => lib.getFunction(""))).toBeInstanceOf(TypeError);
    expect(thrown(() => lib.add(42 as unknown as string))).toBeInstanceOf(TypeError);
    expect(thrown(() => lib.add("/nonexistent/x.o")).message).toMatch(/ENOENT/);
    expect(thrown(() => lib.add("/")).message).toMatch(/EISDIR/);
    expect(thrown(() => lib.setLinkOrder([lib]))).toBeInstanceOf(TypeError);
    expect(thrown(() => lib.setLinkOrder([{} as unknown as typeof lib]))).toBeInstanceOf(TypeError);
    expect(thrown(() => new ExecutionSession({ reserveBytes: -1 }))).toBeInstanceOf(TypeError);
    lib.dispose();
    serves();
    record("bad-args", { door: "object API", input: "non-string names, missing/dir paths, self link order, bad options", count: 8, held: "TypeError / ObjectFileError" });
  });
});
