// Every user mistake gives a specific, typed error and leaves the process (and the library)
// usable.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  ExecutionSession,
  LinkError,
  ObjectFileError,
  SymbolNotFoundError,
  type DynamicLibrary,
  type ExecutionSessionOptions,
} from "../../src/index.js";
import { COMPILERS, fixture, fixtureBytes } from "../helpers/fixtures.js";

const clang = COMPILERS.find((c) => c.id === "clang")!;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an exception");
}

describe("object file validation", () => {
  let session: ExecutionSession;
  let lib: DynamicLibrary;
  afterEach(() => session?.dispose());
  const fresh = () => {
    session = new ExecutionSession();
    lib = session.createLibrary("v");
  };

  it("rejects bytes that are not an object file", () => {
    fresh();
    const e = thrown(() => lib.add(new TextEncoder().encode("this is plainly not an ELF object file")));
    expect(e).toBeInstanceOf(ObjectFileError);
    expect(e.message).toMatch(/not an object file/);
    expect(thrown(() => lib.add(new Uint8Array(0)))).toBeInstanceOf(ObjectFileError);
  });

  it("rejects a missing path", () => {
    fresh();
    const e = thrown(() => lib.add("/nonexistent/dir/object.o"));
    expect(e).toBeInstanceOf(ObjectFileError);
    expect(e.message).toMatch(/cannot read object file '\/nonexistent\/dir\/object.o' \(ENOENT\)/);
  });

  it("rejects a truncated ELF", () => {
    fresh();
    const bytes = fixtureBytes(clang, "c/add");
    for (const n of [20, 64, 200, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const e = thrown(() => lib.add(bytes.subarray(0, n)));
      expect(e, `truncated at ${n}`).toBeInstanceOf(ObjectFileError);
      expect(e.message).toMatch(/truncated|corrupted|not an object file/);
    }
  });

  it("rejects a corrupted ELF header", () => {
    fresh();
    const bytes = new Uint8Array(fixtureBytes(clang, "c/add"));
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setBigUint64(0x28, 0xffff_ffffn, true); // e_shoff far past the end
    const e = thrown(() => lib.add(bytes));
    expect(e).toBeInstanceOf(ObjectFileError);
    expect(e.message).toMatch(/corrupted or truncated ELF/);
  });

  it("rejects an object for another architecture", () => {
    fresh();
    const a64 = thrown(() => lib.add(fixture(clang, "c/arch_aarch64")));
    expect(a64).toBeInstanceOf(ObjectFileError);
    expect(a64.message).toMatch(/another architecture \(aarch64\); this host is x86_64/);
    const i386 = thrown(() => lib.add(fixture(clang, "c/arch_i386")));
    expect(i386).toBeInstanceOf(ObjectFileError);
    expect(i386.message).toMatch(/another architecture \(32-bit i386\)/);
  });

  it("rejects a shared library", () => {
    fresh();
    const so = readFileSync("/lib/x86_64-linux-gnu/libm.so.6");
    const e = thrown(() => lib.add(so));
    expect(e).toBeInstanceOf(ObjectFileError);
    expect(e.message).toMatch(/shared library/);
  });

  it("rejects relocations outside their section (found by the fuzzer: JITLink wrote there)", () => {
    fresh();
    for (const cc of COMPILERS) {
      const bytes = new Uint8Array(fixtureBytes(cc, "c/caller"));
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const shoff = Number(v.getBigUint64(0x28, true));
      const shnum = v.getUint16(0x3c, true);
      let patched = false;
      for (let i = 0; i < shnum && !patched; i++) {
        const sh = shoff + i * 64;
        if (v.getUint32(sh + 4, true) !== 4 /* SHT_RELA */) continue;
        const off = Number(v.getBigUint64(sh + 0x18, true));
        v.setBigUint64(off, 0x736c6166000038n, true); // r_offset of the first relocation
        patched = true;
      }
      expect(patched).toBe(true);
      const e = thrown(() => lib.add(bytes));
      expect(e).toBeInstanceOf(ObjectFileError);
      expect(e.message).toMatch(/relocation #0 of \.rela\.\S+ .*lies outside section/);
    }
    lib.add(fixture(clang, "c/add"));
    expect(lib.getFunction("add")(1, 1)).toBe(2);
  });

  it("stays usable after rejected objects", () => {
    fresh();
    expect(() => lib.add(new Uint8Array([1, 2, 3]))).toThrow(ObjectFileError);
    lib.add(fixture(clang, "c/add"));
    expect(lib.getFunction("add")(2, 3)).toBe(5);
  });
});

describe.each(COMPILERS)("link errors ($id objects)", (cc) => {
  let session: ExecutionSession;
  afterEach(() => session?.dispose());

  it("names an unresolved symbol and the library", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("needs-missing");
    lib.add(fixture(cc, "c/unresolved"));
    const e = thrown(() => lib.getFunction("use_missing"));
    expect(e).toBeInstanceOf(LinkError);
    expect(e.message).toMatch(/library 'needs-missing'/);
    expect(e.message).toMatch(/unresolved symbol 'orcjit_test_nowhere_defined'/);
    // the names come as data too (the addon never classifies by message text)
    expect((e as LinkError).missingSymbols).toEqual(["orcjit_test_nowhere_defined"]);
    // the objects stay added: linking again fails the same way, with the same data
    const again = thrown(() => lib.getFunction("use_missing"));
    expect((again as LinkError).missingSymbols).toEqual(["orcjit_test_nowhere_defined"]);
  });


  it("fails a caller whose callee library is not in its link order", () => {
    session = new ExecutionSession();
    const lib1 = session.createLibrary("lib1");
    lib1.add(fixture(cc, "c/impl_v1"));
    const caller = session.createLibrary("caller");
    caller.add(fixture(cc, "c/caller"));
    const e = thrown(() => caller.getFunction("call_math"));
    expect(e).toBeInstanceOf(LinkError);
    expect(e.message).toMatch(/'math_mul'/);
  });

  it("reports a duplicate definition within one library", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("dup");
    lib.add(fixture(cc, "c/add"));
    const e = thrown(() => lib.add(fixture(cc, "c/duplicate")));
    expect(e).toBeInstanceOf(LinkError);
    expect(e.message).toMatch(/duplicate definition of symbol '__tvm_ffi_add'/);
    expect((e as LinkError).missingSymbols).toBeUndefined();
    expect(lib.getFunction("add")(1, 1)).toBe(2);
  });

  it("throws SymbolNotFoundError for a missing or hidden function", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("h");
    lib.add(fixture(cc, "c/hidden"));
    const e = thrown(() => lib.getFunction("does_not_exist"));
    expect(e).toBeInstanceOf(SymbolNotFoundError);
    expect(e.message).toMatch(/library 'h' has no function 'does_not_exist' \(no exported symbol __tvm_ffi_does_not_exist\)/);
    expect(thrown(() => lib.getFunction("secret"))).toBeInstanceOf(SymbolNotFoundError);
    expect(lib.getFunction("visible")()).toBe(7);
  });
});

describe("argument validation of the object API", () => {
  it("throws TypeError naming the method and argument", () => {
    using session = new ExecutionSession();
    const lib = session.createLibrary("t");
    const anyLib = lib as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => anyLib.add!(42)).toThrow(/DynamicLibrary.add\(object\): argument 'object'/);
    expect(() => anyLib.getFunction!(1)).toThrow(/DynamicLibrary.getFunction\(name\): argument 'name'/);
    expect(() => anyLib.getFunction!("")).toThrow(TypeError);
    expect(() => anyLib.setLinkOrder!("x")).toThrow(/argument 'libs'/);
    expect(() => anyLib.setLinkOrder!([{}])).toThrow(/element 0 of argument 'libs' is not a DynamicLibrary/);
    expect(() => lib.setLinkOrder([lib])).toThrow(/its own link order/);
    const other = new ExecutionSession();
    expect(() => lib.setLinkOrder([other.createLibrary("o")])).toThrow(/another ExecutionSession/);
    other.dispose();
    const anySession = session as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => anySession.createLibrary!(3)).toThrow(/createLibrary\(name\): argument 'name'/);
    expect(() => new ExecutionSession({ bogus: 1 } as unknown as ExecutionSessionOptions)).toThrow(/unknown option 'bogus'/);
  });
});
