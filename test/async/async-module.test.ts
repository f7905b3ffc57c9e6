// fn.async on loadModule functions (issue 16): a shared library (.so, dlopen: Function objects)
// and a JIT object (.o), each with a real kernel compiled by clang.
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModule } from "../../src/index.js";
import { INCLUDE } from "../module/library-bin-fixture.js";

const SOURCE = `#include <tvm/ffi/c_api.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
TVM_FFI_DLL_EXPORT int __tvm_ffi_add_slow(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  (void)s; (void)n;
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, 0);
  r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = a[0].v_int64 + a[1].v_int64; return 0;
}
TVM_FFI_DLL_EXPORT int __tvm_ffi_thread_id(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  (void)s; (void)a; (void)n;
  r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = (int64_t)(pthread_self() & 0xffffffff); return 0;
}
`;

let dir: string;
const built: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orcjit-async-module-"));
  const src = join(dir, "k.c");
  writeFileSync(src, SOURCE);
  built.so = join(dir, "k.so");
  built.o = join(dir, "k.o");
  await execa("clang-22", ["-O2", "-fPIC", "-shared", "-I", INCLUDE, src, "-o", built.so]);
  await execa("clang-22", ["-O2", "-fPIC", "-c", "-I", INCLUDE, src, "-o", built.o]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fn.async on loadModule functions", () => {
  for (const kind of ["so", "o"] as const) {
    it(`a ${kind === "so" ? "shared library (.so)" : "JIT object (.o)"}: same result, off the JS thread, the loop keeps running`, async () => {
      const mod = loadModule(built[kind]!);
      try {
        expect(mod.kind).toBe(kind === "so" ? "shared" : "jit");
        let ticks = 0;
        const timer = setInterval(() => ticks++, 5);
        const p = mod.add_slow!.async(40, 2);
        await new Promise((r) => setTimeout(r, 20));
        expect(await p).toBe(mod.add_slow!(40, 2));
        clearInterval(timer);
        expect(ticks).toBeGreaterThan(0);
        expect(await mod.thread_id!.async()).not.toBe(mod.thread_id!());
      } finally {
        mod.dispose();
      }
    });
  }
});
