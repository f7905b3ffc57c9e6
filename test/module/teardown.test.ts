// Teardown when unreachable (issue 14): modules from loadModule that the program no longer
// references are disposed after GC (FinalizationRegistry, on the JS thread): their static
// destructors run and their memory returns. Run in a child process with --expose-gc.
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { INCLUDE } from "./library-bin-fixture.js";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const WORKER = fileURLToPath(new URL("./teardown-worker.mjs", import.meta.url));
let dir: string;
let obj: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orcjit-teardown-"));
  const src = join(dir, "dtor.c");
  obj = join(dir, "dtor.o");
  // A static destructor that reports to JS through a global function, and 64 KiB of data.
  writeFileSync(src, `#include <tvm/ffi/c_api.h>
static char big[65536] = {1};
__attribute__((destructor)) static void fini(void) {
  TVMFFIByteArray name = {"teardown_test.dtor", 18};
  TVMFFIObjectHandle f = 0;
  if (TVMFFIFunctionGetGlobal(&name, &f) == 0 && f) {
    TVMFFIAny r; r.type_index = kTVMFFINone; r.zero_padding = 0; r.v_int64 = 0;
    TVMFFIFunctionCall(f, 0, 0, &r);
    TVMFFIObjectDecRef(f);
  }
}
TVM_FFI_DLL_EXPORT int __tvm_ffi_value(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  (void)s; (void)a; (void)n;
  r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = big[0]; return 0;
}
`);
  await execa("clang-22", ["-O2", "-fPIC", "-c", "-I", INCLUDE, src, "-o", obj]);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("2,000 loadModule modules left unreferenced: every destructor runs, RSS stays flat", async () => {
  const total = 2000;
  const r = await execa(process.execPath, ["--expose-gc", WORKER, DIST, obj, String(total)], { reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
    sum: number; dtors: number; rssAt100: number; rssEnd: number;
    keptAlive: { dtorsWhileHeld: number; value: number }; keptReleased: number; afterExplicit: number; escapedDtors: number;
  };
  expect(out.sum).toBe(total);
  expect(out.dtors).toBe(total);
  // A function still referenced keeps its library (no destructor, still callable) ...
  expect(out.keptAlive).toEqual({ dtorsWhileHeld: 0, value: 1 });
  // ... until it goes too; explicit dispose() runs the destructor at once.
  expect(out.keptReleased).toBe(1);
  expect(out.afterExplicit).toBe(2);
  // A module whose ffiModule escaped is never torn down by GC.
  expect(out.escapedDtors).toBe(0);
  const growthMB = (out.rssEnd - out.rssAt100) / 2 ** 20;
  expect(growthMB, `RSS grew ${growthMB.toFixed(1)} MB from module 100 to ${total}`).toBeLessThanOrEqual(10);
}, 600_000);
