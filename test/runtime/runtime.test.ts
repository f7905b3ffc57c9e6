// Runs the native self-test of the TVM-FFI runtime (test/runtime/selftest.cc, CMake target
// runtime_selftest: runtime sources only, no LLVM, no Node) and checks the ABI headers compile
// as pure C99 and as C++17.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const buildDir = join(root, "build");
const include = join(root, "native/include");
const LOCK = "/tmp/tvm-ffi-orcjit-build.lock"; // same lock as `npm run build:native`

describe("TVM-FFI runtime (native self-test)", () => {
  it(
    "passes every protocol check",
    async () => {
      const build = await execa(
        "flock",
        [LOCK, "cmake", "--build", buildDir, "--target", "runtime_selftest"],
        { cwd: root, reject: false, all: true },
      );
      expect(build.exitCode, build.all).toBe(0);

      const run = await execa(join(buildDir, "runtime_selftest"), [], { reject: false, all: true });
      const summary = /runtime selftest: (\d+) checks, (\d+) failed/.exec(run.stdout);
      expect(summary, run.all).not.toBeNull();
      expect(run.stdout.split("\n").filter((l) => l.startsWith("FAIL"))).toEqual([]);
      expect(Number(summary![2])).toBe(0);
      expect(Number(summary![1])).toBeGreaterThan(400);
      expect(run.exitCode, run.all).toBe(0);
    },
    900_000,
  );
});

describe("ABI headers", () => {
  const dir = mkdtempSync(join(tmpdir(), "orcjit-hdr-"));
  const body = `#include <tvm/ffi/c_api.h>
#include <tvm/ffi/extra/c_env_api.h>
int probe(TVMFFIAny* a) {
  DLManagedTensorVersioned* v = 0; DLPackManagedTensorAllocator al = 0; (void)v; (void)al;
  TVMFFIByteArray b = TVMFFISmallBytesGetContentByteArray(a);
  return (int)b.size + kDLTrn + kDLMAIA + kDLFloat4_e2m1fn + kTVMFFIDynObjectBegin
       + (int)DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED + TVMFFITensorGetDLTensorPtr(a->v_obj)->ndim;
}
`;
  writeFileSync(join(dir, "probe.c"), body);
  writeFileSync(join(dir, "probe.cc"), body);
  const cases: [string, string[]][] = [
    ["gcc", ["-std=c99", "probe.c"]],
    ["clang-22", ["-std=c99", "probe.c"]],
    ["g++", ["-std=c++17", "probe.cc"]],
    ["clang++-22", ["-std=c++17", "probe.cc"]],
  ];
  for (const [cc, args] of cases) {
    it(`compile with ${cc} ${args[0]}`, async () => {
      const which = await execa("which", [cc], { reject: false });
      if (which.exitCode !== 0) return; // compiler not installed here
      const r = await execa(cc, [...args, "-Wall", "-Wextra", "-Werror", "-fsyntax-only", `-I${include}`], {
        cwd: dir,
        reject: false,
        all: true,
      });
      expect(r.exitCode, r.all).toBe(0);
    });
  }
});
