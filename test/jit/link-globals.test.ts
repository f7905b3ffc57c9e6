// DynamicLibrary.link(), errors raised by static initializers, global functions owned by a
// library generation (hot reload), and dispose while native code still references a library.
// Global functions are process-wide: every test removes what it registered (dispose).
import { afterEach, describe, expect, it } from "vitest";
import { DisposedError, ExecutionSession, LinkError } from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

function catchErr(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe.each(COMPILERS)("link() and library-owned globals ($id)", (cc) => {
  let session: ExecutionSession;
  afterEach(() => session?.dispose());

  function caller(name = "caller") {
    const lib = session.createLibrary(name);
    lib.add(fixture(cc, "c/call_global"));
    const call = lib.getFunction("call_global");
    const has = lib.getFunction("has_global");
    return { lib, call, has };
  }

  it("link() runs the constructors of a registration-only object", () => {
    session = new ExecutionSession();
    const { call, has } = caller();
    const gen = session.createLibrary("gen");
    gen.add(fixture(cc, "cc/global_gen1"));
    // Nothing is looked up in `gen`: without link() its static init never runs.
    expect(has("orcjit_test.generation")).toBe(false);
    expect(gen.link()).toBe(gen);
    expect(call("orcjit_test.generation")).toBe(1);
    expect(call("orcjit_test.describe", "x")).toBe("x@gen1");
    gen.link(); // idempotent: constructors do not run twice (that would be a duplicate)
    gen.link();
    expect(call("orcjit_test.generation")).toBe(1);
    gen.dispose();
    expect(has("orcjit_test.generation")).toBe(false);
    expect(() => gen.link()).toThrow(DisposedError);
  });

  it("link() on an empty library and after further adds", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("empty");
    lib.link();
    lib.add(fixture(cc, "c/add"));
    lib.link();
    expect(lib.getFunction("add")(2, 3)).toBe(5);
  });

  it("link() reports an unresolved symbol as a LinkError naming the library", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("needs-missing");
    lib.add(fixture(cc, "c/unresolved"));
    const err = catchErr(() => lib.link());
    expect(err).toBeInstanceOf(LinkError);
    expect(err.message).toMatch(/needs-missing/);
  });

  it("a static init block that raises (duplicate GlobalDef) fails the link", () => {
    session = new ExecutionSession();
    const { has } = caller();
    const lib = session.createLibrary("dup-lib");
    lib.add(fixture(cc, "cc/global_dup"));
    const err = catchErr(() => lib.link()) as LinkError;
    expect(err).toBeInstanceOf(LinkError);
    expect(err.message).toMatch(/library 'dup-lib': a static initializer raised RuntimeError: /);
    expect(err.message).toMatch(/orcjit_test\.dup_name.*already registered/);
    expect(err.ffiKind).toBe("RuntimeError");
    expect(err.ffiMessage).toMatch(/already registered/);
    // The library stays failed: later lookups say so instead of running half-initialized code.
    const again = catchErr(() => lib.getFunction("dup_never_called"));
    expect(again).toBeInstanceOf(LinkError);
    expect(again.message).toMatch(/unusable after a failed load; create a new library/);
    // The error did not leak into the raised slot: other calls work.
    expect(has("orcjit_test.nothing")).toBe(false);
    // The first registration belonged to the failed library and goes with it.
    expect(has("orcjit_test.dup_name")).toBe(true);
    lib.dispose();
    expect(has("orcjit_test.dup_name")).toBe(false);
  });

  it("a newer generation replaces globals; disposing it restores the older one", () => {
    session = new ExecutionSession();
    const { call, has } = caller();
    const gen1 = session.createLibrary("gen").add(fixture(cc, "cc/global_gen1")).link();
    expect(call("orcjit_test.generation")).toBe(1);
    // Same names, registered with allow_override=0: the newer generation wins.
    const gen2 = session.createLibrary("gen").add(fixture(cc, "cc/global_gen2")).link();
    expect(call("orcjit_test.generation")).toBe(2);
    expect(call("orcjit_test.describe", "y")).toBe("y@gen2");
    expect(call("orcjit_test.only_gen1")).toBe(101);
    expect(call("orcjit_test.only_gen2")).toBe(102);
    gen2.dispose();
    expect(call("orcjit_test.generation")).toBe(1);
    expect(call("orcjit_test.describe", "y")).toBe("y@gen1");
    expect(has("orcjit_test.only_gen2")).toBe(false);
    gen1.dispose();
    expect(has("orcjit_test.generation")).toBe(false);
    expect(has("orcjit_test.only_gen1")).toBe(false);
  });

  it("disposing the older generation first keeps the newer one", () => {
    session = new ExecutionSession();
    const { call, has } = caller();
    const gen1 = session.createLibrary("gen").add(fixture(cc, "cc/global_gen1")).link();
    const gen2 = session.createLibrary("gen").add(fixture(cc, "cc/global_gen2")).link();
    gen1.dispose();
    expect(call("orcjit_test.generation")).toBe(2);
    expect(has("orcjit_test.only_gen1")).toBe(false);
    // A third generation, then the middle one goes: the newest stays visible.
    const gen3 = session.createLibrary("gen").add(fixture(cc, "cc/global_gen1")).link();
    expect(call("orcjit_test.generation")).toBe(1);
    gen2.dispose();
    expect(call("orcjit_test.generation")).toBe(1);
    gen3.dispose();
    expect(has("orcjit_test.generation")).toBe(false);
  });

  it("registrations by host code keep the duplicate error", () => {
    session = new ExecutionSession();
    const { lib, call, has } = caller();
    const setConst = lib.getFunction("set_global_const");
    // Host first: a library registering the same name fails to load.
    setConst("orcjit_test.generation", 7);
    expect(call("orcjit_test.generation")).toBe(7);
    const gen = session.createLibrary("gen").add(fixture(cc, "cc/global_gen1"));
    const err = catchErr(() => gen.link()) as LinkError;
    expect(err).toBeInstanceOf(LinkError);
    expect(err.ffiKind).toBe("RuntimeError");
    expect(err.message).toMatch(/orcjit_test\.generation.*already registered/);
    gen.dispose();
    expect(call("orcjit_test.generation")).toBe(7); // the host's entry is untouched
    expect(call("ffi.FunctionRemoveGlobal", "orcjit_test.generation")).toBe(true);
    expect(has("orcjit_test.generation")).toBe(false);
    // Library first: the host cannot register over it (an FFIError), twice neither.
    const gen1 = session.createLibrary("gen").add(fixture(cc, "cc/global_gen1")).link();
    expect(() => setConst("orcjit_test.generation", 8)).toThrow(/already registered/);
    setConst("orcjit_test.host_only", 9);
    expect(() => setConst("orcjit_test.host_only", 10)).toThrow(/already registered/);
    expect(call("orcjit_test.host_only")).toBe(9);
    expect(call("ffi.FunctionRemoveGlobal", "orcjit_test.host_only")).toBe(true);
    gen1.dispose();
    expect(has("orcjit_test.generation")).toBe(false);
  });

  it("100 reload cycles of a GlobalDef library", () => {
    session = new ExecutionSession();
    const { call, has } = caller();
    let prev = session.createLibrary("gen").add(fixture(cc, "cc/global_gen1")).link();
    for (let i = 0; i < 100; i++) {
      const g = i % 2 ? 1 : 2;
      const next = session.createLibrary("gen").add(fixture(cc, `cc/global_gen${g}`)).link();
      prev.dispose();
      prev = next;
      expect(call("orcjit_test.generation")).toBe(g);
    }
    prev.dispose();
    expect(has("orcjit_test.generation")).toBe(false);
  });

  it("a function kept by native code keeps its disposed library mapped until released", () => {
    session = new ExecutionSession();
    const { lib: callerLib } = caller();
    const keep = callerLib.getFunction("keep_global");
    const callKept = callerLib.getFunction("call_kept");
    const dropKept = callerLib.getFunction("drop_kept");
    const gen = session.createLibrary("gen").add(fixture(cc, "cc/global_gen2")).link();
    expect(keep("orcjit_test.describe")).toBe(true);
    gen.dispose();
    // The registry forgot it, but the C object still holds the Function: its code must still
    // be mapped (unmapping is deferred until the last reference goes).
    expect(callKept("z")).toBe("z@gen2");
    expect(session.native.deferredCount).toBe(1);
    dropKept();
    expect(session.native.deferredCount).toBe(0);
  });

  it("a failed link can be retried after adding the missing definition", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("half");
    lib.add(fixture(cc, "c/add"));
    lib.add(fixture(cc, "c/unresolved"));
    const err = catchErr(() => lib.link());
    expect(err).toBeInstanceOf(LinkError);
    expect(err.message).toMatch(/library 'half'/);
    expect(err.message).toMatch(/orcjit_test_nowhere_defined/);
    expect(err.message).toMatch(/add what defines the missing symbols, then link again/);
    // Still failing without the definition, with the same message.
    expect(catchErr(() => lib.getFunction("use_missing")).message).toMatch(
      /orcjit_test_nowhere_defined/,
    );
    // The library links as a unit: while an object is unresolved, lookups report it.
    expect(catchErr(() => lib.getFunction("add"))).toBeInstanceOf(LinkError);
    lib.add(fixture(cc, "c/defines_missing"));
    lib.link();
    expect(lib.getFunction("use_missing")()).toBe(42);
    expect(lib.getFunction("add")(2, 2)).toBe(4);
  });
});
