// DynamicLibrary.add(bytes, { name }): a byte buffer named in errors like a path would be.
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionSession, ObjectFileError } from "../../src/index.js";
import { COMPILERS, fixtureBytes } from "../helpers/fixtures.js";

const [clang] = COMPILERS;

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe("DynamicLibrary.add(bytes, { name })", () => {
  let session: ExecutionSession | undefined;
  afterEach(() => session?.dispose());

  it("names the object in object-file errors; unnamed bytes keep <bytes #n>", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("named");
    const truncated = fixtureBytes(clang!, "c/add").subarray(0, 200);
    const named = thrown(() => lib.add(truncated, { name: "/cache/ab/cd/add.o" }));
    expect(named).toBeInstanceOf(ObjectFileError);
    expect(named.message).toContain("/cache/ab/cd/add.o");
    expect(named.message).not.toContain("<bytes");
    const unnamed = thrown(() => lib.add(truncated));
    expect(unnamed.message).toMatch(/<bytes #\d+, 200 B>/);
  });

  it("loads named bytes like any other (the same name twice is fine)", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("named-ok");
    lib.add(fixtureBytes(clang!, "c/add"), { name: "add.o" });
    expect(lib.getFunction("add")(2, 3)).toBe(5);
    const other = session.createLibrary("named-ok-2");
    other.add(fixtureBytes(clang!, "c/add"), { name: "add.o" });
    expect(other.getFunction("add")(1, 1)).toBe(2);
  });

  it("rejects a name that is not a non-empty string", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("named-bad");
    const bytes = fixtureBytes(clang!, "c/add");
    expect(() => lib.add(bytes, { name: "" })).toThrow(TypeError);
    expect(() => lib.add(bytes, { name: 42 as unknown as string })).toThrow(/options.name/);
  });
});
