// Export metadata of shared libraries (docs/types.md): loadModule("x.so") reads
// __tvm_ffi__metadata_<name> / __tvm_ffi__doc_<name> as getFunction does for JIT libraries,
// so fn.signature, fn.doc, checked calls (scalars, element types, int results) work for a .so
// built with TVM_FFI_DLL_EXPORT_INCLUDE_METADATA=1 by g++ and clang++-22; malformed metadata
// leaves the function working untyped with fn.signatureError.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledIncludeDir, float, loadModule, registerGlobalFunc, removeGlobalFunc, type FFIFunction } from "../../src/index.js";
import { COMPILERS, ROOT } from "../helpers/fixtures.js";
import { CHILD_SOURCE, blob, compileC, parentSource } from "./library-bin-fixture.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orcjit-so-meta-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(COMPILERS)("$id", (cc) => {
  let typed: (name: string) => FFIFunction;
  let meta: (name: string) => FFIFunction;

  beforeAll(() => {
    const so = join(dir, `typed-${cc.id}.so`);
    execFileSync(cc.cxx, ["-std=c++17", "-shared", "-fPIC", "-O2", "-DTVM_FFI_DLL_EXPORT_INCLUDE_METADATA=1",
      `-I${bundledIncludeDir()}`, join(ROOT, "test/fixtures/cc/typed.cc"), "-o", so]);
    const mod = loadModule(so);
    typed = (name) => mod.getFunction(name);
    const cso = join(dir, `metadata-${cc.id}.so`);
    execFileSync(cc.cc, ["-shared", "-fPIC", "-O2", `-I${bundledIncludeDir()}`, join(ROOT, "test/fixtures/c/metadata.c"), "-o", cso]);
    const cmod = loadModule(cso);
    meta = (name) => cmod.getFunction(name);
  }, 120_000);

  it("fn.signature and fn.doc of .so exports", () => {
    const add = typed("add");
    expect(String(add.signature)).toBe("(int, int) -> int");
    expect(add.doc).toBe("Adds two integers.\nReturns a + b.");
    expect(add.signatureError).toBeUndefined();
    expect(String(typed("sum_floats").signature)).toBe("(ffi.Array<float>) -> float");
    expect(String(meta("half").signature)).toBe("(float) -> float");
    expect(meta("half").doc).toBe("Half of x.");
  });

  it("checked calls: declared scalar and element types, arity, int results", async () => {
    const add = typed("add");
    expect(add(1, 2)).toBe(3);
    expect(add(2n ** 40n, 1)).toBe(2 ** 40 + 1);
    expect(() => add("x", 2)).toThrow('argument #0 of \'add\' must be int (its C++ signature), got the string "x"');
    expect(() => add(1, 2.5)).toThrow(/argument #1 of 'add' must be int .*got 2\.5, not an integer/);
    expect(() => add(1)).toThrow("'add' takes 2 arguments (int, int), got 1");
    expect(typed("scale")(2, 3)).toBe(6);
    expect(typed("scale")(float(2), 0.5)).toBe(1);
    expect(() => typed("negate")(1)).toThrow(/argument #0 of 'negate' must be bool/);
    expect(typed("greet")("Ada", null)).toBe("Ada");
    expect(() => typed("greet")("a", 5)).toThrow(/argument #1 of 'greet' must be Optional<ffi.String> \(its C\+\+ signature\), got 5/);
    // The C kernel reads a double: 2 must arrive as 2.0.
    expect(meta("half")(2)).toBe(1);
    expect(meta("half_untyped")(2)).not.toBe(1);
    expect(typed("sum_floats")([1, 2])).toBe(3);
    expect(typed("float_elements")([1, 2, 2.5])).toBe(3); // integral elements cross as Floats too
    expect(() => typed("sum_ints")([1, 2.5])).toThrow(/argument #0 of 'sum_ints' must be ffi.Array<int> .*element \[1\] must be int, got 2\.5/);
    expect(typed("weighted")({ a: 1, b: 2 })).toBe(3);
    expect(typed("apply")((x: number) => x * 3, 5)).toBe(15);
    expect(() => typed("shift")(60)).toThrow(RangeError);
    expect(typed("shift")(3)).toBe(8);
    expect(typed("shift").exact!(60)).toBe(2n ** 60n);
    expect(() => typed("shift").exact!("x")).toThrow(/argument #0 of 'shift' must be int/);
    // Async calls check the same way.
    const async = (fn: FFIFunction) => (fn as unknown as { async(...a: unknown[]): Promise<unknown> }).async;
    expect(await async(typed("sum_floats"))([1, 2])).toBe(3);
    await expect(async(add)("x", 1)).rejects.toThrow(/argument #0 of 'add' must be int/);
    await expect(async(typed("shift"))(60)).rejects.toMatchObject({ name: "RangeError", value: 2n ** 60n });
  });

  it("malformed metadata: the function works untyped, the problem is in fn.signatureError", () => {
    const cases: [string, RegExp][] = [
      ["bad_json", /not JSON/],
      ["bad_type", /unknown type/],
      ["bad_throws", /metadata function failed: .*metadata exploded/],
      ["bad_not_string", /returned number, not a string/],
      ["bad_huge", /characters long/],
    ];
    for (const [name, why] of cases) {
      const fn = meta(name);
      expect({ name, error: fn.signatureError }).toEqual({ name, error: expect.stringMatching(why) });
      expect(fn.signature).toBeUndefined();
      expect(fn(1, "two", [3])).toBe(3);
    }
  });
});

describe("a .so with a module tree (__tvm_ffi__library_bin)", () => {
  const KIND = "test_shared_meta_obj";
  afterAll(() => removeGlobalFunc(`ffi.Module.load_from_bytes.${KIND}`));

  it.each(["clang-22", "gcc"])("reads the metadata through the tree's lookup (%s)", async (cc) => {
    const child = readFileSync(await compileC(dir, `meta-child-${cc}`, CHILD_SOURCE));
    registerGlobalFunc(`ffi.Module.load_from_bytes.${KIND}`, ((bytes: Uint8Array) => loadModule(bytes, { name: "embedded child" }).ffiModule), { override: true });
    const bin = blob({ indptr: [0, 1, 1], children: [1], modules: [{ kind: "_lib" }, { kind: KIND, bytes: child }] });
    // parent_half reads a double; its metadata says (float) -> float, so 3 must arrive as 3.0.
    const source = `${parentSource(bin)}
TVM_FFI_DLL_EXPORT int __tvm_ffi_parent_half(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  (void)self; (void)n;
  result->type_index = kTVMFFIFloat; result->zero_padding = 0; result->v_float64 = args[0].v_float64 / 2;
  return 0;
}
TVM_FFI_DLL_EXPORT int __tvm_ffi__metadata_parent_half(void* h, const TVMFFIAny* a, int32_t n, TVMFFIAny* out) {
  static const char s[] = "{\\"type_schema\\": \\"{\\\\\\"type\\\\\\":\\\\\\"ffi.Function\\\\\\",\\\\\\"args\\\\\\":[{\\\\\\"type\\\\\\":\\\\\\"float\\\\\\"},{\\\\\\"type\\\\\\":\\\\\\"float\\\\\\"}]}\\"}";
  TVMFFIByteArray b = {s, sizeof(s) - 1};
  (void)h; (void)a; (void)n;
  return TVMFFIStringFromByteArray(&b, out);
}
`;
    const src = join(dir, `meta-parent-${cc}.c`);
    const so = join(dir, `meta-parent-${cc}.so`);
    writeFileSync(src, source);
    execFileSync(cc, ["-O2", "-fPIC", "-shared", `-I${bundledIncludeDir()}`, src, "-o", so]);
    const mod = loadModule(so);
    expect(mod.imports).toHaveLength(1);
    const half = mod.getFunction("parent_half");
    expect(String(half.signature)).toBe("(float) -> float");
    expect(half(3)).toBe(1.5);
    expect(() => half("x")).toThrow(/argument #0 of 'parent_half' must be float \(its C\+\+ signature\), got the string "x"/);
    expect(mod.getFunction("parent_one").signature).toBeUndefined();
    expect(mod.getFunction("child_add", { queryImports: true })(2, 3)).toBe(5);
    expect(await mod.getFunction("child_add", { queryImports: true }).async(2, 3)).toBe(5); // module-tree functions have async too
  });
});
