// Embedded module binaries (issue 14): a library that defines __tvm_ffi__library_bin gets its
// module tree: "_lib" is the library's own module, other kinds come from the global function
// ffi.Module.load_from_bytes.<kind> (here registered from JS); module.imports, lookups through
// imports and __tvm_ffi__library_ctx work; malformed blobs fail the load with ObjectFileError
// naming the problem and its offset (checked in a child process: a decoder bug must not take
// the test runner down).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectFileError, loadModule, registerGlobalFunc, removeGlobalFunc } from "../../src/index.js";
import { runNodeScript } from "../compiler/helpers.js";
import { CHILD_SOURCE, blob, compileC, parentSource, type BlobSpec } from "./library-bin-fixture.js";

const KIND = "test_jit_obj";
let dir: string;
let child: Uint8Array;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orcjit-libbin-"));
  child = readFileSync(await compileC(dir, "child", CHILD_SOURCE));
  // A loader written in JS: the entry's bytes are an object file, linked by this runtime.
  registerGlobalFunc(`ffi.Module.load_from_bytes.${KIND}`, (bytes: Uint8Array) => loadModule(bytes, { name: "embedded child" }).ffiModule);
}, 120_000);

afterAll(() => {
  removeGlobalFunc(`ffi.Module.load_from_bytes.${KIND}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("__tvm_ffi__library_bin", () => {
  it.each(["clang-22", "gcc"])("builds the module tree (%s): imports, lookups through imports, library_ctx", async (cc) => {
    const bin = blob({ indptr: [0, 1, 1], children: [1], modules: [{ kind: "_lib" }, { kind: KIND, bytes: child }] });
    const obj = await compileC(dir, `parent-${cc}`, parentSource(bin), cc);
    const mod = loadModule(obj, { functions: ["call_child", "parent_one"] });
    try {
      expect(mod.imports).toHaveLength(1);
      expect(mod.imports[0]!.kind).toBe("imported");
      expect(mod.imports[0]!.path).toBe("orcjit");
      expect(mod.imports[0]!.child_add!(2, 3)).toBe(5); // an import's functions are properties too
      // Not in the library itself; found through its imports when asked.
      expect(mod.hasFunction("child_add")).toBe(false);
      expect(mod.getFunction("child_add", { queryImports: true })(20, 22)).toBe(42);
      // C code reaches the import through __tvm_ffi__library_ctx (the library's module).
      expect(mod.call_child(7, 8)).toBe(15);
      expect(mod.parent_one()).toBe(1);
    } finally {
      mod.dispose();
    }
  });

  it("a root that is not _lib: the library's module is an import of the loaded root", async () => {
    // module 0 (root) = an embedded JIT module importing module 1 = the library itself.
    const bin = blob({ indptr: [0, 1, 1], children: [1], modules: [{ kind: KIND, bytes: child }, { kind: "_lib" }] });
    const mod = loadModule(await compileC(dir, "rooted", parentSource(bin)), { functions: ["child_add"] });
    try {
      expect(mod.child_add(1, 1)).toBe(2); // the root's own function
      expect(mod.getFunction("parent_one", { queryImports: true })()).toBe(1);
      expect(mod.imports).toHaveLength(1);
    } finally {
      mod.dispose();
    }
  });

  it("rejects malformed blobs with ObjectFileError naming the problem and the offset", async () => {
    const cases: Record<string, BlobSpec> = {
      truncated: { indptr: [0, 0], children: [], modules: [{ kind: "_lib" }], nbytesDelta: 100 },
      shortHeader: { indptr: [0, 0], children: [], modules: [{ kind: "_lib" }], truncateTo: 4 },
      lengthPastEnd: { indptr: [0, 0, 0], children: [], modules: [{ kind: "_lib" }], trailing: Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0, 0]) },
      countsMismatch: { indptr: [0, 2, 2], children: [1], modules: [{ kind: "_lib" }, { kind: KIND, bytes: child }] },
      indexOutOfRange: { indptr: [0, 1, 1], children: [5], modules: [{ kind: "_lib" }, { kind: KIND, bytes: child }] },
      unknownKind: { indptr: [0, 1, 1], children: [1], modules: [{ kind: "_lib" }, { kind: "no_such_kind", bytes: new Uint8Array([1, 2, 3]) }] },
      cycle: { indptr: [0, 1, 2, 3], children: [1, 2, 1], modules: [{ kind: "_lib" }, { kind: KIND, bytes: child }, { kind: KIND, bytes: child }] },
      leftover: { indptr: [0, 0], children: [], modules: [{ kind: "_lib" }], trailing: new Uint8Array([1, 2, 3]) },
      notAModule: { indptr: [0, 1, 1], children: [1], modules: [{ kind: "_lib" }, { kind: "returns_int", bytes: new Uint8Array([1]) }] },
      loaderThrows: { indptr: [0, 1, 1], children: [1], modules: [{ kind: "_lib" }, { kind: "throws", bytes: new Uint8Array([1]) }] },
    };
    // shortHeader: fix the declared size so that only the first 4 payload bytes exist.
    const objects: Record<string, string> = {};
    for (const [name, spec] of Object.entries(cases)) {
      let b = blob(spec);
      if (name === "shortHeader") b = Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), b.subarray(8)]);
      objects[name] = await compileC(dir, `bad-${name}`, parentSource(b));
    }
    const script = join(dir, "bad.mjs");
    writeFileSync(script, `
      const { loadModule, registerGlobalFunc } = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).pathname)});
      registerGlobalFunc("ffi.Module.load_from_bytes.${KIND}", (b) => loadModule(b).ffiModule);
      registerGlobalFunc("ffi.Module.load_from_bytes.returns_int", () => 5);
      registerGlobalFunc("ffi.Module.load_from_bytes.throws", () => { throw new RangeError("cannot decode this payload"); });
      const objects = JSON.parse(process.argv[2]);
      const out = {};
      for (const [name, path] of Object.entries(objects)) {
        try { loadModule(path); out[name] = "loaded"; } catch (e) { out[name] = e.constructor.name + ": " + e.message; }
      }
      console.log(JSON.stringify(out));
    `);
    const r = await runNodeScript(script, [JSON.stringify(objects)], process.env);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as Record<string, string>;
    for (const v of Object.values(got)) expect(v).toMatch(/^ObjectFileError: library 'bad-.*\.o': /);
    expect(got.truncated).toMatch(/nbytes \d+ runs past the end of the symbol .* at offset 0$/);
    expect(got.shortHeader).toMatch(/truncated import tree indptr \(needs 8 bytes, 4 left\) at offset 8$/);
    // The third module's kind length (0xffff) starts after nbytes(8) + indptr(8+24) + children(8) + "_lib"(8+4).
    expect(got.lengthPastEnd).toMatch(/module kind length 65535 runs past the end of the blob \(0 bytes left\) at offset 60$/);
    expect(got.countsMismatch).toMatch(/counts do not match: indptr ends at 2 but there are 1 child indices at offset 40$/);
    expect(got.indexOutOfRange).toMatch(/child index 5 out of range \(there are 2 modules\) at offset 48$/);
    expect(got.unknownKind).toMatch(/module 1 of kind 'no_such_kind' at offset \d+: no loader is registered for this kind \(register the global function ffi\.Module\.load_from_bytes\.no_such_kind/);
    expect(got.cycle).toMatch(/cycle in the import tree through module 1 .* at offset 8$/);
    expect(got.leftover).toMatch(/3 bytes left over after the last of 1 modules at offset \d+$/);
    expect(got.notAModule).toMatch(/ffi\.Module\.load_from_bytes\.returns_int returned int, not an ffi\.Module/);
    expect(got.loaderThrows).toMatch(/ffi\.Module\.load_from_bytes\.throws failed: .*cannot decode this payload/);
  }, 300_000);

  it("ObjectFileError is thrown in-process too, and the failed library is disposed", async () => {
    const bin = blob({ indptr: [0, 1, 1], children: [1], modules: [{ kind: "_lib" }, { kind: "still_unknown", bytes: new Uint8Array(1) }] });
    const obj = await compileC(dir, "unknown-inproc", parentSource(bin));
    expect(() => loadModule(obj)).toThrow(ObjectFileError);
  });
});
