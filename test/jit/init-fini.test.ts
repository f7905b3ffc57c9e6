// Static constructors/destructors (priorities, object order, __cxa_atexit, COMDAT inline
// variables, GNU_UNIQUE), C++ exceptions inside JIT code, and finalizers at process exit.
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionSession, FFIError, LinkError, type DynamicLibrary } from "../../src/index.js";
import { addonCandidates } from "../../src/native/binding.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

function readMirror(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, end < 0 ? buf.length : end));
}

describe.each(COMPILERS)("static init/fini ($id objects)", (cc) => {
  let session: ExecutionSession;
  let logger: DynamicLibrary;
  let mirror: Uint8Array;
  afterEach(() => session?.dispose());
  const setup = () => {
    session = new ExecutionSession();
    logger = session.createLibrary("logger");
    logger.add(fixture(cc, "c/logger"));
    mirror = new Uint8Array(4096);
    logger.getFunction("log_mirror")(mirror);
  };
  const log = () => logger.getFunction("log_get")() as string;

  it("runs C constructors in priority order on first lookup, destructors on dispose", () => {
    setup();
    const lib = session.createLibrary("c-ctors");
    lib.setLinkOrder([logger]);
    lib.add(fixture(cc, "c/ctor_dtor"));
    expect(log()).toBe("");
    lib.getFunction("ctor_probe")();
    expect(log()).toBe("c:init101 c:init200 c:init");
    lib.getFunction("ctor_probe")();
    expect(log()).toBe("c:init101 c:init200 c:init"); // once
    lib.dispose();
    expect(log()).toBe("c:init101 c:init200 c:init c:fini c:fini200 c:fini101");
  });

  it("runs C++ global constructors and __cxa_atexit destructors in order", () => {
    setup();
    const lib = session.createLibrary("cc-ctors");
    lib.setLinkOrder([logger]);
    lib.add(fixture(cc, "cc/ctor_dtor"));
    expect(lib.getFunction("vector_sum")()).toBe(10);
    expect(log()).toBe("cc:fn120 cc:ctor:early150 cc:ctor:first cc:ctor:second");
    expect(lib.getFunction("touch_lazy")()).toBe(4);
    expect(log()).toMatch(/cc:ctor:second cc:ctor:lazy$/);
    lib.dispose();
    expect(log()).toMatch(
      /cc:ctor:lazy cc:dtor:lazy cc:dtor:second cc:dtor:first cc:dtor:early150$/,
    );
  });

  it("keeps object order for constructors of the same priority", () => {
    setup();
    const lib = session.createLibrary("two");
    lib.setLinkOrder([logger]);
    lib.add(fixture(cc, "c/ctor_dtor"));
    lib.add(fixture(cc, "cc/ctor_dtor"));
    lib.getFunction("ctor_probe")();
    expect(log()).toBe(
      "c:init101 cc:fn120 cc:ctor:early150 c:init200 c:init cc:ctor:first cc:ctor:second",
    );
  });

  it("disposing a library first disposes libraries that link against it", () => {
    setup();
    const lib = session.createLibrary("dependent");
    lib.setLinkOrder([logger]);
    lib.add(fixture(cc, "cc/ctor_dtor"));
    lib.getFunction("vector_sum")();
    logger.dispose();
    expect(lib.disposed).toBe(true);
    expect(readMirror(mirror)).toMatch(/cc:dtor:second cc:dtor:first cc:dtor:early150$/);
  });

  it("session dispose runs the finalizers of every library", () => {
    setup();
    const lib = session.createLibrary("c-ctors");
    lib.setLinkOrder([logger]);
    lib.add(fixture(cc, "c/ctor_dtor"));
    lib.getFunction("ctor_probe")();
    session.dispose();
    expect(readMirror(mirror)).toBe("c:init101 c:init200 c:init c:fini c:fini200 c:fini101");
  });

  it("runs an inline variable's initializer once across objects (COMDAT) and shares GNU_UNIQUE statics", () => {
    setup();
    const lib = session.createLibrary("inline");
    lib.add(fixture(cc, "cc/inline_a"));
    lib.add(fixture(cc, "cc/inline_b"));
    expect(lib.getFunction("inline_init_count")()).toBe(1);
    expect(lib.getFunction("inline_value_a")()).toBe(1);
    expect(lib.getFunction("inline_value_b")()).toBe(1);
    expect(lib.getFunction("counter_bump_a")()).toBe(1);
    expect(lib.getFunction("counter_bump_b")()).toBe(2);
    expect(lib.getFunction("counter_bump_a")()).toBe(3);
  });
});

describe.each(COMPILERS)("C++ exceptions ($id objects)", (cc) => {
  let session: ExecutionSession;
  afterEach(() => session?.dispose());

  it("reports a static constructor that throws as a LinkError", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("ctor-throws");
    lib.add(fixture(cc, "cc/ctor_throw"));
    let err: unknown;
    try {
      lib.getFunction("never_reached");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LinkError);
    expect((err as Error).message).toMatch(
      /library 'ctor-throws': a static initializer threw: constructor refused/,
    );
  });

  it("throws and catches inside JIT code", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("eh");
    lib.add(fixture(cc, "cc/exceptions"));
    const f = lib.getFunction("catch_inside");
    expect(f(5)).toBe(10);
    expect(f(-3)).toBe(-"negative: -3".length);
    for (let i = 0; i < 100; i++) expect(f(-1)).toBe(-12);
  });

  it("turns a caught std::exception into an FFIError", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("eh");
    lib.add(fixture(cc, "cc/exceptions"));
    expect(lib.getFunction("throw_to_error")(1)).toBe(1);
    let err: unknown;
    try {
      lib.getFunction("throw_to_error")(7);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FFIError);
    expect((err as FFIError).kind).toBe("RuntimeError");
    expect((err as FFIError).message).toMatch(/7/);
  });

  it("turns an exception escaping a safe-call function into a JS error", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("eh");
    lib.add(fixture(cc, "cc/exceptions"));
    let err: unknown;
    try {
      lib.getFunction("escape")();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FFIError);
    expect((err as FFIError).kind).toBe("InternalError");
    expect((err as FFIError).message).toMatch(/escaped from JIT code/);
    expect(lib.getFunction("catch_inside")(2)).toBe(4);
  });

  it("uses std::string and returns strings", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("eh");
    lib.add(fixture(cc, "cc/exceptions"));
    const greet = lib.getFunction("greet");
    expect(greet()).toBe("hello, world!");
    expect(greet("Bob")).toBe("hello, Bob!");
    expect(greet("a much longer name")).toBe("hello, a much longer name!");
  });
});

describe("finalizers at process exit", () => {
  const addon = addonCandidates().find(() => true)!;
  const script = (exit: string, obj: string) => `
    const a = require(${JSON.stringify(addon)});
    const s = new a.Session();
    const lib = s.createLibrary("exit");
    lib.add(require("fs").readFileSync(${JSON.stringify(obj)}), "exit_fini.o");
    lib.getFunction("exit_probe")();
    process.stdout.write("probe done\\n");
    ${exit}
  `;
  it.each(COMPILERS)("run when the event loop ends and on process.exit ($id)", (cc) => {
    const obj = fixture(cc, "c/exit_fini");
    for (const exit of ["", "process.exit(0);"]) {
      const out = execFileSync(process.execPath, ["-e", script(exit, obj)], { encoding: "utf8" });
      expect(out).toBe("probe done\nexit_fini: destructor ran\n");
    }
  });
});
