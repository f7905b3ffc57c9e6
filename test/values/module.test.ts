// loadModule: objects through the JIT, shared libraries through dlopen, one Module API.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundledIncludeDir, FFIError, loadModule, Module, ObjectFileError, SymbolNotFoundError, Tensor } from "../../src/index.js";
import { COMPILERS, fixture, ROOT } from "../helpers/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "orcjit-module-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(COMPILERS)("$id", (cc) => {
  it("loads an object: getFunction and property calls", () => {
    const mod = loadModule(fixture(cc, "cc/values"));
    expect(mod).toBeInstanceOf(Module);
    expect(mod.kind).toBe("jit");
    expect(mod.sum_f32!(new Float32Array([1, 2]))).toBe(3);
    expect(mod.getFunction("sum_f32")(new Float32Array([4]))).toBe(4);
    expect(mod.hasFunction("nope")).toBe(false);
    expect(() => mod.nope!()).toThrow(SymbolNotFoundError);
    expect((mod as unknown as { then?: unknown }).then).toBeUndefined();
    mod.dispose();
  });

  it("loads a shared library with dlopen; TVMFFI* resolve against the addon", () => {
    const so = join(dir, `values-${cc.id}.so`);
    execFileSync(cc.cxx, ["-std=c++17", "-shared", "-fPIC", "-O2", `-I${bundledIncludeDir()}`, join(ROOT, "test/fixtures/cc/values.cc"), "-o", so]);
    const mod = loadModule(so);
    expect(mod.kind).toBe("shared");
    expect(mod.sum_f32!(new Float32Array([1, 2, 3]))).toBe(6);
    const m = mod.make_matrix!(1, 2) as Tensor;
    expect(Array.from<number | bigint>(m.data)).toEqual([0, 1]);
    expect(mod.apply!((x: number) => x + 1, 1)).toBe(1002);
    expect(() => mod.throws!(1)).toThrow(FFIError);
    expect(() => mod.getFunction("nope")).toThrow(SymbolNotFoundError);
  });
});

it("rejects missing files and non-libraries with ObjectFileError", () => {
  expect(() => loadModule(join(dir, "missing.so"))).toThrow(ObjectFileError);
  const bogus = join(dir, "bogus.so");
  writeFileSync(bogus, "not a library");
  expect(() => loadModule(bogus)).toThrow(ObjectFileError);
  const bogusObj = join(dir, "bogus.o");
  writeFileSync(bogusObj, "not an object");
  expect(() => loadModule(bogusObj)).toThrow(ObjectFileError);
});
