// Unload frees memory: 1,000 create/add/call/dispose cycles keep RSS within a few MB.
// Measured, not timed: the bound is generous (20 MB) and there are no timing thresholds.
import { describe, expect, it } from "vitest";
import { ExecutionSession } from "../../src/index.js";
import { COMPILERS, fixtureBytes } from "../helpers/fixtures.js";

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => {
  gc?.();
  return process.memoryUsage.rss();
};

// Not under scripts/sanitize.sh: ASan's quarantine and shadow memory keep freed memory in RSS
// (vitest projects ignore the CLI's --exclude, so the script says so through the environment).
describe.skipIf(process.env.ORCJIT_UNDER_SANITIZER === "1").each(COMPILERS)("memory ($id objects)", (cc) => {
  const c = fixtureBytes(cc, "c/add");
  const cxx = fixtureBytes(cc, "cc/exceptions");

  it("1,000 library create/add/call/dispose cycles in one session keep RSS flat", () => {
    using session = new ExecutionSession();
    const cycle = () => {
      const lib = session.createLibrary("cycle");
      lib.add(c);
      lib.add(cxx);
      expect(lib.getFunction("add")(1, 2)).toBe(3);
      expect(lib.getFunction("greet")("abcdefghij")).toBe("hello, abcdefghij!");
      lib.dispose();
    };
    for (let i = 0; i < 100; i++) cycle(); // warm up allocator and JIT pools
    const before = rss();
    for (let i = 0; i < 1000; i++) cycle();
    const growth = rss() - before;
    console.log(`[${cc.id}] RSS growth over 1,000 library cycles: ${(growth / MB).toFixed(2)} MB`);
    expect(growth).toBeLessThan(20 * MB);
  });

  it("1,000 session create/add/call/dispose cycles keep RSS flat", () => {
    const cycle = () => {
      const session = new ExecutionSession();
      const lib = session.createLibrary("cycle");
      lib.add(c);
      expect(lib.getFunction("add")(2, 3)).toBe(5);
      session.dispose();
    };
    for (let i = 0; i < 50; i++) cycle();
    const before = rss();
    for (let i = 0; i < 1000; i++) cycle();
    const growth = rss() - before;
    console.log(`[${cc.id}] RSS growth over 1,000 session cycles: ${(growth / MB).toFixed(2)} MB`);
    expect(growth).toBeLessThan(20 * MB);
  });
});
