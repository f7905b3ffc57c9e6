// Manifest `sharedLibraries`: each library resolves functions and data from its .so files.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { LinkError, ObjectFileError } from "../../src/errors.js";
import { loadProject } from "../../src/project/index.js";
import { ensureBuilt, orcjit, tempDir, writeFiles } from "../cli/helpers.js";
import { COMPILERS } from "../helpers/fixtures.js";

const USER = `#include <tvm/ffi/c_api.h>
extern int counter;
int helper_mul(int a, int b);

TVM_FFI_DLL_EXPORT int __tvm_ffi_mul_plus_counter(void* self, const TVMFFIAny* args, int32_t n,
                                                  TVMFFIAny* result) {
  (void)self;
  (void)n;
  result->type_index = kTVMFFIInt;
  result->zero_padding = 0;
  result->v_int64 = helper_mul((int)args[0].v_int64, (int)args[1].v_int64) + counter++;
  return 0;
}
`;

function project(compiler: string, cc: string, sharedLibraries: string): string {
  const dir = tempDir("orcjit-so-project-");
  writeFiles(dir, {
    "helper/helper.c": "int counter = 100;\nint helper_mul(int a, int b) { return a * b; }\n",
    "src/user.c": USER,
    "orcjit.yaml": `version: 1
defaults:
  compiler: ${compiler}
libraries:
  user:
    sources: [src/user.c]
    sharedLibraries: ${sharedLibraries}
`,
  });
  mkdirSync(path.join(dir, "lib"));
  execFileSync(cc, ["-shared", "-fPIC", "-O2", "-o", path.join(dir, "lib/libhelper.so"), path.join(dir, "helper/helper.c")]);
  return dir;
}

function options(dir: string) {
  return { cacheDir: path.join(dir, ".cache"), env: {} };
}

describe.each(COMPILERS)("manifest sharedLibraries ($id)", (cc) => {
  test("a library builds, loads and calls into lib/libhelper.so (function and data)", async () => {
    const root = project(cc.id, cc.cc, "[lib/libhelper.so]");
    const p = await loadProject(root, options(root));
    expect(p.manifest.libraries.find((l) => l.name === "user")?.sharedLibraries).toEqual([
      path.join(root, "lib/libhelper.so"),
    ]);
    await p.load();
    try {
      const f = p.library("user").getFunction("mul_plus_counter");
      expect(f(6, 7)).toBe(142);
      expect(f(6, 7)).toBe(143); // the .so's counter, incremented from JIT code
    } finally {
      p.dispose();
    }
  });
});

describe("manifest sharedLibraries: failures and the CLI", () => {
  const [clang] = COMPILERS;

  test("without the entry the load fails naming the unresolved symbols", async () => {
    const root = project("clang", clang!.cc, "[]");
    const p = await loadProject(root, options(root));
    await p.load(); // linking is lazy: no function is declared in the manifest
    try {
      expect(() => p.library("user").getFunction("mul_plus_counter")).toThrow(
        LinkError,
      );
      expect(() => p.library("user").getFunction("mul_plus_counter")).toThrow(/helper_mul/);
    } finally {
      p.dispose();
    }
  });

  test("a soname the loader cannot find fails the load with ObjectFileError and the dlerror() text", async () => {
    const root = project("clang", clang!.cc, "[libdoes-not-exist-orcjit.so.1]");
    const p = await loadProject(root, options(root));
    const err = await p.load().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(ObjectFileError);
    expect(err!.message).toContain("libdoes-not-exist-orcjit.so.1");
    expect(err!.message).toMatch(/cannot open shared object file/);
  });

  describe("orcjit run", () => {
    beforeAll(() => ensureBuilt());
    test("orcjit run user.mul_plus_counter resolves through the manifest's .so", async () => {
      const root = project("gcc", "gcc", "[lib/libhelper.so]");
      const r = await orcjit(["run", "user.mul_plus_counter", "3", "4"], { cwd: root });
      expect(r, r.stderr).toMatchObject({ exitCode: 0, stdout: "112" });
    });
  });
});
