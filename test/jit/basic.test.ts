// Load + call + isolation + link order + incremental add + value marshalling, for objects
// from every fixture compiler.
import { afterEach, describe, expect, it } from "vitest";
import { DisposedError, ExecutionSession, FFIError, defaultSession } from "../../src/index.js";
import { COMPILERS, fixture, fixtureBytes } from "../helpers/fixtures.js";

describe.each(COMPILERS)("$id objects", (cc) => {
  let session: ExecutionSession;
  afterEach(() => session?.dispose());

  it("loads an object by path and calls a function", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("basic");
    lib.add(fixture(cc, "c/add"));
    const add = lib.getFunction("add");
    expect(add(5, 3)).toBe(8);
    expect(add(-7, 2)).toBe(-5);
    expect(add.name).toBe("add");
  });

  it("loads an object from bytes", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary();
    lib.add(fixtureBytes(cc, "c/add"));
    expect(lib.getFunction("add")(40, 2)).toBe(42);
  });

  it("isolates libraries that define the same symbol", () => {
    session = new ExecutionSession();
    const lib1 = session.createLibrary("lib1");
    lib1.add(fixture(cc, "c/impl_v1"));
    const lib2 = session.createLibrary("lib2");
    lib2.add(fixture(cc, "c/impl_v2"));
    expect(lib1.getFunction("add")(5, 3)).toBe(8);
    expect(lib2.getFunction("add")(5, 3)).toBe(1008);
    expect(lib1.getFunction("version")()).toBe(1);
    expect(lib2.getFunction("version")()).toBe(2);
  });

  it("resolves undefined symbols through the link order, in order", () => {
    session = new ExecutionSession();
    const lib1 = session.createLibrary("lib1");
    lib1.add(fixture(cc, "c/impl_v1"));
    const lib2 = session.createLibrary("lib2");
    lib2.add(fixture(cc, "c/impl_v2"));
    const caller = session.createLibrary("caller");
    caller.setLinkOrder([lib1, lib2]);
    caller.add(fixture(cc, "c/caller"));
    expect(caller.getFunction("call_math")(10, 20)).toBe(200);
    const caller2 = session.createLibrary("caller2");
    caller2.setLinkOrder([lib2, lib1]);
    caller2.add(fixture(cc, "c/caller"));
    expect(caller2.getFunction("call_math")(10, 20)).toBe(400);
  });

  it("does not export symbols of the link order through getFunction", () => {
    session = new ExecutionSession();
    const lib1 = session.createLibrary("lib1");
    lib1.add(fixture(cc, "c/impl_v1"));
    const caller = session.createLibrary("caller");
    caller.setLinkOrder([lib1]);
    caller.add(fixture(cc, "c/caller"));
    expect(() => caller.getFunction("version")).toThrow(/has no function 'version'/);
  });

  it("adds objects incrementally; earlier functions stay valid", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("inc");
    lib.add(fixture(cc, "c/add"));
    const add = lib.getFunction("add");
    expect(add(1, 2)).toBe(3);
    lib.add(fixture(cc, "c/extra"));
    const sub = lib.getFunction("sub");
    expect(sub(10, 4)).toBe(6);
    expect(add(2, 2)).toBe(4);
  });

  it("marshals numbers, bigints, booleans, null, strings and bytes", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("values");
    lib.add(fixture(cc, "c/add"));
    const typeOf = lib.getFunction("type_index_of");
    expect(typeOf(1)).toBe(1); // Int
    expect(typeOf(1.5)).toBe(3); // Float
    expect(typeOf(true)).toBe(2); // Bool
    expect(typeOf(null)).toBe(0);
    expect(typeOf(undefined)).toBe(0);
    expect(typeOf(5n)).toBe(1);
    expect(typeOf("short")).toBe(11); // SmallStr
    expect(typeOf("a longer string")).toBe(8); // RawStr
    expect(typeOf(new Uint8Array([1]))).toBe(9); // ByteArrayPtr
    const echo = lib.getFunction("echo");
    expect(echo(42)).toBe(42);
    expect(echo(2.25)).toBe(2.25);
    expect(echo(true)).toBe(true);
    expect(echo(false)).toBe(false);
    expect(echo(null)).toBe(null);
    expect(echo(2n ** 62n)).toBe(2n ** 62n);
    expect(echo(-(2n ** 63n))).toBe(-(2n ** 63n));
    expect(echo(2 ** 53 - 1)).toBe(2 ** 53 - 1);
    expect(echo("")).toBe("");
    expect(echo("1234567")).toBe("1234567");
    expect(echo("12345678")).toBe("12345678");
    expect(echo("héllo wörld ✓")).toBe("héllo wörld ✓");
    expect(echo("with\0nul inside")).toBe("with\0nul inside");
    expect(echo(new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(echo(new Uint8Array(100).fill(7))).toEqual(new Uint8Array(100).fill(7));
    expect(echo(Buffer.from("abc"))).toEqual(new Uint8Array([97, 98, 99]));
    expect(lib.getFunction("byte_sum")(new Uint8Array([1, 2, 250]))).toBe(253);
    expect(lib.getFunction("mul_float")(1.5, 3)).toBe(4.5);
    expect(lib.getFunction("nothing")()).toBe(null);
    const sumAll = lib.getFunction("sum_all");
    expect(sumAll()).toBe(0);
    expect(sumAll(...Array.from({ length: 20 }, (_, i) => i))).toBe(190);
    expect(lib.getFunction("num_args")(1, 2, 3)).toBe(3);
  });

  it("rejects values with no TVM-FFI form with a TypeError naming function and argument", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("values");
    lib.add(fixture(cc, "c/add"));
    const echo = lib.getFunction("echo") as (...a: unknown[]) => unknown;
    // (plain objects are maps now: test/values/convert.test.ts; a class instance is not)
    expect(() => echo(new Date())).toThrow(TypeError);
    expect(() => echo(new Date())).toThrow(/argument #0 of 'echo': unsupported object/);
    expect(() => echo(1, Symbol("s"))).toThrow(/argument #1 of 'echo'/);
    expect(() => echo(new DataView(new ArrayBuffer(2)))).toThrow(TypeError); // typed arrays are tensors (test/values)
    expect(() => echo(2n ** 64n)).toThrow(RangeError);
  });

  it("turns a raised TVM-FFI error into an FFIError with kind and message", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("errors");
    lib.add(fixture(cc, "c/error"));
    lib.add(fixture(cc, "c/add"));
    const raise = lib.getFunction("raise_value_error");
    let caught: unknown;
    try {
      raise();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FFIError);
    expect((caught as FFIError).kind).toBe("ValueError");
    expect((caught as FFIError).message).toContain("negative input is not allowed");
    expect(() => lib.getFunction("return_error_without_raising")()).toThrow(FFIError);
    // The C function's own argument check (count) arrives as a TypeError kind.
    try {
      lib.getFunction("add")(1);
    } catch (e) {
      caught = e;
    }
    expect((caught as FFIError).kind).toBe("TypeError");
  });

  it("dispose is idempotent and later use throws DisposedError", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("d");
    lib.add(fixture(cc, "c/add"));
    const add = lib.getFunction("add");
    lib.dispose();
    lib.dispose();
    expect(lib.disposed).toBe(true);
    expect(() => add(1, 2)).toThrow(DisposedError);
    expect(() => lib.getFunction("add")).toThrow(DisposedError);
    expect(() => lib.add(fixture(cc, "c/add"))).toThrow(DisposedError);
    session.dispose();
    session.dispose();
    expect(() => session.createLibrary()).toThrow(DisposedError);
  });

  it("session dispose disposes its libraries and their functions", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("d");
    lib.add(fixture(cc, "c/add"));
    const add = lib.getFunction("add");
    session.dispose();
    expect(lib.disposed).toBe(true);
    expect(() => add(1, 2)).toThrow(DisposedError);
    expect(() => lib.getFunction("add")).toThrow(DisposedError);
    lib.dispose();
  });

  it("supports `using` (Symbol.dispose)", () => {
    let add: ((a: number, b: number) => unknown) | undefined;
    {
      using s = new ExecutionSession();
      const lib = s.createLibrary();
      lib.add(fixture(cc, "c/add"));
      add = lib.getFunction("add");
      expect(add(1, 1)).toBe(2);
    }
    expect(() => add?.(1, 1)).toThrow(DisposedError);
    session = new ExecutionSession();
  });

  it("keeps code alive while a function handle exists even if the library object is dropped", () => {
    session = new ExecutionSession();
    const make = () => {
      const lib = session.createLibrary("gc");
      lib.add(fixture(cc, "c/add"));
      return lib.getFunction("add");
    };
    const add = make();
    (globalThis as { gc?: () => void }).gc?.();
    expect(add(20, 22)).toBe(42);
  });

  it("writes the library context into __tvm_ffi__library_ctx", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("ctx");
    lib.add(fixture(cc, "c/ctx"));
    expect(lib.getFunction("ctx_is_set")()).toBe(1);
    expect(typeof lib.symbolAddress("__tvm_ffi__library_ctx")).toBe("bigint");
    expect(lib.symbolAddress("no_such_symbol")).toBe(null);
  });

  it("defaultSession returns one shared session, recreated after dispose", () => {
    const a = defaultSession();
    expect(defaultSession()).toBe(a);
    const lib = a.createLibrary();
    lib.add(fixture(cc, "c/add"));
    expect(lib.getFunction("add")(1, 2)).toBe(3);
    a.dispose();
    const b = defaultSession();
    expect(b).not.toBe(a);
    session = b;
  });
});
