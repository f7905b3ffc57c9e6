// Embedded module binaries in shared libraries (issue 14): a .so loaded by loadModule (dlopen)
// that defines __tvm_ffi__library_bin gets its module tree like a JIT library: the blob is
// found with dlsym and sized by its dynamic symbol, its __tvm_ffi__library_ctx points at the
// library's module, and a malformed blob fails the load with ObjectFileError naming the
// problem and its offset (every time: the library stays loaded, its tree is made once).
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectFileError, loadModule, registerGlobalFunc, removeGlobalFunc } from "../../src/index.js";
import { CHILD_SOURCE, INCLUDE, blob, compileC, parentSource } from "./library-bin-fixture.js";

const KIND = "test_shared_obj";
let dir: string;
let child: Uint8Array;

async function sharedLibrary(name: string, source: string, cc: string): Promise<string> {
  const src = join(dir, `${name}.c`);
  const so = join(dir, `${name}.so`);
  writeFileSync(src, source);
  await execa(cc, ["-O2", "-fPIC", "-shared", "-I", INCLUDE, src, "-o", so]);
  return so;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orcjit-libbin-so-"));
  child = readFileSync(await compileC(dir, "child", CHILD_SOURCE));
  registerGlobalFunc(`ffi.Module.load_from_bytes.${KIND}`, ((bytes: Uint8Array) => loadModule(bytes, { name: "embedded child" }).ffiModule) as never);
}, 120_000);

afterAll(() => {
  removeGlobalFunc(`ffi.Module.load_from_bytes.${KIND}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("__tvm_ffi__library_bin in a shared library", () => {
  it.each(["clang-22", "gcc"])("builds the module tree (%s): imports, lookups through imports, library_ctx", async (cc) => {
    const bin = blob({ indptr: [0, 1, 1], children: [1], modules: [{ kind: "_lib" }, { kind: KIND, bytes: child }] });
    const so = await sharedLibrary(`parent-${cc}`, parentSource(bin), cc);
    const mod = loadModule(so, { functions: ["call_child", "parent_one"] });
    expect(mod.kind).toBe("shared");
    expect(mod.imports).toHaveLength(1);
    expect(mod.imports[0]!.getFunction("child_add")(2, 3)).toBe(5);
    expect(mod.hasFunction("child_add")).toBe(false);
    expect(mod.getFunction("child_add", { queryImports: true })(20, 22)).toBe(42);
    // C code in the .so reaches the import through __tvm_ffi__library_ctx.
    expect(mod.call_child(7, 8)).toBe(15);
    expect(mod.parent_one()).toBe(1);
    // Loaded again: the same library, the same tree (not built twice).
    const again = loadModule(so, { functions: ["call_child"] });
    expect(again.imports).toHaveLength(1);
    expect(again.call_child(1, 2)).toBe(3);
  });

  it("a .so without a blob loads as before, with no imports", async () => {
    const so = await sharedLibrary("plain", CHILD_SOURCE, "clang-22");
    const mod = loadModule(so, { functions: ["child_add"] });
    expect(mod.imports).toEqual([]);
    expect(mod.child_add(1, 2)).toBe(3);
  });

  it("a malformed blob fails the load with ObjectFileError, on every load", async () => {
    const bin = blob({ indptr: [0, 1, 1], children: [5], modules: [{ kind: "_lib" }, { kind: KIND, bytes: child }] });
    const so = await sharedLibrary("bad-index", parentSource(bin), "clang-22");
    for (let i = 0; i < 2; ++i) {
      let err: unknown;
      try {
        loadModule(so);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ObjectFileError);
      expect((err as Error).message).toMatch(/bad-index\.so': __tvm_ffi__library_bin: .*out of range.* at offset \d+/);
    }
  });
});
