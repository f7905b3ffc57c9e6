// DynamicLibrary.addSharedLibrary: JIT objects resolve functions and data from a dlopen'ed .so.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, LinkError, ObjectFileError } from "../../src/index.js";
import { COMPILERS, FIXTURE_SRC, ROOT } from "../helpers/fixtures.js";

const HELPER = `
int counter = 40;
int helper_add(int a, int b) { return a + b + 1000; }
int bump(void) { return ++counter; }
void* counter_addr(void) { return &counter; }
`;

// -fno-plt: calls through the GOT (GOTPCRELX), the relaxation-sensitive form.
const USER = `
#include "common.h"
extern int counter;
int helper_add(int a, int b);
int bump(void);
void* counter_addr(void);

SAFE_CALL(call_helper) {
  set_int(result, helper_add((int)args[0].v_int64, (int)args[1].v_int64));
  return 0;
}
SAFE_CALL(read_counter) { set_int(result, counter); return 0; }
SAFE_CALL(write_then_bump) {
  counter = (int)args[0].v_int64;
  set_int(result, bump());
  return 0;
}
SAFE_CALL(same_counter) { set_int(result, &counter == counter_addr()); return 0; }
SAFE_CALL(counter_address) { set_int(result, (int64_t)(intptr_t)&counter); return 0; }
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orcjit-so-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe.each(COMPILERS.map((c, i) => ({ ...c, base: 0x400000000 + i * 0x10000000 })))(
  "addSharedLibrary ($id)",
  (cc) => {
    let session: ExecutionSession | undefined;
    afterEach(() => session?.dispose());
    let so = "";
    const objs: Record<string, string> = {};

    beforeAll(() => {
      writeFileSync(join(dir, `helper-${cc.id}.c`), HELPER);
      so = join(dir, `libhelper-${cc.id}.so`);
      // Preferred load address (16 GiB) far from JIT memory, which lies near the executable
      // (glibc maps a .so there when it is free): the JIT's references must go through GOT
      // entries/PLT stubs.
      execFileSync(cc.cc, ["-shared", "-fPIC", "-O2", `-Wl,-Ttext-segment=0x${cc.base.toString(16)}`,
        "-o", so, join(dir, `helper-${cc.id}.c`)]);
      writeFileSync(join(dir, `user-${cc.id}.c`), USER);
      for (const [tag, extra] of [["plt", []], ["noplt", ["-fno-plt"]]] as const) {
        objs[tag] = join(dir, `user-${cc.id}-${tag}.o`);
        execFileSync(cc.cc, ["-std=c11", "-fPIC", "-O2", "-c", ...extra, `-I${join(ROOT, "native/include")}`,
          `-I${join(FIXTURE_SRC, "c")}`, "-o", objs[tag]!, join(dir, `user-${cc.id}.c`)]);
      }
    });

    for (const tag of ["plt", "noplt"]) {
      it(`resolves a function and a data symbol from the .so (${tag})`, () => {
        session = new ExecutionSession();
        const lib = session.createLibrary("user");
        expect(lib.addSharedLibrary(so)).toBe(lib);
        lib.add(objs[tag]!);
        expect(lib.getFunction("call_helper")(1, 2)).toBe(1003);
        expect(lib.getFunction("same_counter")()).toBe(1);
        const before = lib.getFunction("read_counter")() as number;
        expect(lib.getFunction("write_then_bump")(7)).toBe(8); // JIT write seen by the .so
        expect(lib.getFunction("read_counter")()).toBe(8); // .so write seen by the JIT
        expect(before).toBeGreaterThanOrEqual(40);
        // The .so sits at its preferred address, > 2 GiB from JIT memory: far fixups happened.
        const counter = BigInt(lib.getFunction("counter_address")() as number);
        const code = lib.symbolAddress("__tvm_ffi_call_helper")!;
        const distance = code > counter ? code - counter : counter - code;
        expect(distance).toBeGreaterThan(1n << 31n);
      });
    }

    it("without addSharedLibrary the link fails naming the unresolved symbol", () => {
      session = new ExecutionSession();
      const lib = session.createLibrary("nolib");
      lib.add(objs.plt!);
      const e = thrown(() => lib.getFunction("call_helper"));
      expect(e).toBeInstanceOf(LinkError);
      expect(e.message).toMatch(/helper_add|counter|bump/);
      expect(e.message).toContain("nolib");
      // Adding the .so afterwards lets the failed objects link.
      lib.addSharedLibrary(so);
      lib.link();
      expect(lib.getFunction("call_helper")(2, 2)).toBe(1004);
    });

    it("searches after the library's own objects and its link order", () => {
      session = new ExecutionSession();
      const override = join(dir, `override-${cc.id}.c`);
      writeFileSync(override, "int helper_add(int a, int b) { return a * b; }\n");
      const overrideObj = join(dir, `override-${cc.id}.o`);
      execFileSync(cc.cc, ["-fPIC", "-O2", "-c", "-o", overrideObj, override]);
      const dep = session.createLibrary("dep");
      dep.add(overrideObj);
      const lib = session.createLibrary("ordered");
      lib.addSharedLibrary(so);
      lib.setLinkOrder([dep]);
      lib.add(objs.plt!);
      expect(lib.getFunction("call_helper")(3, 4)).toBe(12); // dep's helper_add wins
      expect(lib.getFunction("write_then_bump")(1)).toBe(2); // the rest from the .so
    });

    it("survives dispose/re-create cycles (handles closed after unmapping)", () => {
      session = new ExecutionSession();
      for (let i = 0; i < 20; ++i) {
        const lib = session.createLibrary(`cycle${i}`);
        lib.addSharedLibrary(so).addSharedLibrary(so); // the same .so twice is searched once
        lib.add(objs.noplt!);
        const f = lib.getFunction("call_helper");
        expect(f(i, 0)).toBe(1000 + i);
        lib.dispose();
      }
    });
  },
);

describe("addSharedLibrary errors", () => {
  let session: ExecutionSession | undefined;
  afterEach(() => session?.dispose());

  it("a missing file, a non-.so and a wrong-architecture .so give ObjectFileError with dlerror()", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("bad");
    const missing = join(dir, "no-such-lib.so");
    const e1 = thrown(() => lib.addSharedLibrary(missing));
    expect(e1).toBeInstanceOf(ObjectFileError);
    expect(e1.message).toContain(missing);
    expect(e1.message).toMatch(/No such file/);

    const text = join(dir, "not-a-library.so");
    writeFileSync(text, "this is not ELF\n");
    const e2 = thrown(() => lib.addSharedLibrary(text));
    expect(e2).toBeInstanceOf(ObjectFileError);
    expect(e2.message).toContain(text);
    expect(e2.message).toMatch(/invalid ELF header|too short/);

    // A copy of a real .so with e_machine patched to AArch64 (183).
    const real = join(dir, "libreal.so");
    writeFileSync(join(dir, "real.c"), "int f(void) { return 1; }\n");
    execFileSync("gcc", ["-shared", "-fPIC", "-o", real, join(dir, "real.c")]);
    const arm = join(dir, "libarm.so");
    copyFileSync(real, arm);
    const bytes = readFileSync(arm);
    bytes.writeUInt16LE(183, 18);
    writeFileSync(arm, bytes);
    const e3 = thrown(() => lib.addSharedLibrary(arm));
    expect(e3).toBeInstanceOf(ObjectFileError);
    expect(e3.message).toContain(arm);
    expect(e3.message).toContain("cannot load shared library");

    // The library is still usable after failed loads.
    lib.addSharedLibrary(real);
    expect(lib.disposed).toBe(false);
  });

  it("a .so with unresolved symbols gives LinkError (RTLD_NOW)", () => {
    session = new ExecutionSession();
    const so = join(dir, "libunresolved.so");
    writeFileSync(join(dir, "unresolved.c"), "int missing_fn(void);\nint g(void) { return missing_fn(); }\n");
    execFileSync("gcc", ["-shared", "-fPIC", "-o", so, join(dir, "unresolved.c")]);
    const e = thrown(() => session!.createLibrary("u").addSharedLibrary(so));
    expect(e).toBeInstanceOf(LinkError);
    expect(e.message).toContain("missing_fn");
  });

  it("bare sonames are searched like dlopen does; argument checks", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("soname");
    lib.addSharedLibrary("libm.so.6");
    expect(() => lib.addSharedLibrary("")).toThrow(TypeError);
    expect(() => lib.addSharedLibrary(3 as unknown as string)).toThrow(TypeError);
    lib.dispose();
    expect(() => lib.addSharedLibrary("libm.so.6")).toThrow(/disposed/);
  });
});
