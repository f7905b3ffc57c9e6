// C++ exceptions in libraries of several C++ objects. Each object carries copies of the same
// inline (COMDAT) throwing functions; only the first object's copies are kept, so the later
// objects' .eh_frame lose records. Before the EH frame layout fix (native/src/jit/llvm_patches/eh_frame_fix.h)
// a throw through any function of a later object reached std::terminate (process abort).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionSession, FFIError } from "../../src/index.js";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

const BASE: Record<string, number> = { a: 100, b: 200, c: 300 };

function expectAllThrowsWork(lib: ReturnType<ExecutionSession["createLibrary"]>, tags: string[]) {
  for (const t of tags) {
    const base = BASE[t] as number;
    // caught inside the object: "<tag>:<v>" / "shared:<v>"
    expect(lib.getFunction(`eh_local_${t}`)(7)).toBe(base + `${t}:7`.length);
    expect(lib.getFunction(`eh_shared_${t}`)(12)).toBe(base + "shared:12".length);
    expect(lib.getFunction(`eh_local_${t}`)(-1)).toBe(-1);
    // escaping the safe-call function as an error
    expect(lib.getFunction(`eh_escape_${t}`)(1)).toBe(base + 3);
    let err: unknown;
    try {
      lib.getFunction(`eh_escape_${t}`)(5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FFIError);
    expect((err as FFIError).message).toContain("template<3>:5");
  }
}

describe.each(COMPILERS)("exceptions across several C++ objects ($id)", (cc) => {
  let session: ExecutionSession;
  afterEach(() => session?.dispose());

  it("two objects: throws in each object are caught", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("eh2");
    lib.add(fixture(cc, "cc/eh_multi_a")).add(fixture(cc, "cc/eh_multi_b"));
    expectAllThrowsWork(lib, ["b", "a"]);
  });

  it("two objects in the other order", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("eh2r");
    lib.add(fixture(cc, "cc/eh_multi_b")).add(fixture(cc, "cc/eh_multi_a"));
    expectAllThrowsWork(lib, ["a", "b"]);
  });

  it("three objects, plus a throw from one object caught in another", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("eh3");
    lib.add(fixture(cc, "cc/eh_multi_a"));
    lib.add(fixture(cc, "cc/eh_multi_b"));
    lib.add(fixture(cc, "cc/eh_multi_c"));
    expectAllThrowsWork(lib, ["c", "b", "a"]);
    expect(lib.getFunction("eh_cross_c")(42)).toBe(3000 + "through a:42".length);
    expect(lib.getFunction("eh_cross_c")(-1)).toBe(0);
  });

  it("objects added incrementally (linked by separate lookups)", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("eh-inc");
    lib.add(fixture(cc, "cc/eh_multi_a"));
    expectAllThrowsWork(lib, ["a"]);
    lib.add(fixture(cc, "cc/eh_multi_b"));
    expectAllThrowsWork(lib, ["b", "a"]);
    lib.add(fixture(cc, "cc/eh_multi_c"));
    expectAllThrowsWork(lib, ["c", "a", "b"]);
  });

  it("many libraries of three objects, created and disposed in turn", () => {
    session = new ExecutionSession();
    for (let i = 0; i < 20; i++) {
      const lib = session.createLibrary(`eh-cycle-${i}`);
      lib.add(fixture(cc, "cc/eh_multi_c")).add(fixture(cc, "cc/eh_multi_b"));
      lib.add(fixture(cc, "cc/eh_multi_a"));
      expectAllThrowsWork(lib, i % 2 ? ["a", "b", "c"] : ["c", "b", "a"]);
      lib.dispose();
    }
  });
});

// native/src/jit/llvm_patches/README.md: the test that shows the patch is still needed. When
// this fails, LLVM lays .eh_frame out without gaps: remove llvm_patches/eh_frame_fix.
describe("the .eh_frame patch is still needed", () => {
  const gcc = COMPILERS.find((c) => c.id === "gcc");
  it.runIf(gcc)("without it, a throw through the second gcc object aborts the process (child)", () => {
    ensureBuilt();
    const script = `
      import { ExecutionSession } from ${JSON.stringify(pathToFileURL(join(repoRoot, "dist/index.js")).href)};
      const lib = new ExecutionSession().createLibrary("eh");
      lib.add(${JSON.stringify(fixture(gcc!, "cc/eh_multi_a"))}).add(${JSON.stringify(fixture(gcc!, "cc/eh_multi_b"))});
      for (const t of ["b", "a"]) { try { lib.getFunction("eh_escape_" + t)(5); } catch { console.log("caught " + t); } }`;
    const without = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, ORCJIT_DISABLE_EH_FRAME_FIX: "1" },
      encoding: "utf8",
    });
    expect(without.signal).toBe("SIGABRT");
    expect(without.stderr).toMatch(/terminate called/);
    const env = { ...process.env };
    delete env.ORCJIT_DISABLE_EH_FRAME_FIX;
    const withFix = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
    expect(withFix.status).toBe(0);
    expect(withFix.stdout).toBe("caught b\ncaught a\n");
  });
});
