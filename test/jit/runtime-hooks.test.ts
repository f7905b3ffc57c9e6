// atexit, at_quick_exit and pthread_atfork in JIT code (issue 13): they come from
// libc_nonshared.a, linked into each library against its own __dso_handle, so atexit
// handlers run when the library is disposed, and a disposed library's quick-exit and fork
// handlers are dropped (never called into unmapped code). Runs in a child process (fork,
// quick_exit).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { COMPILERS, fixture, ROOT } from "../helpers/fixtures.js";
import { tmp } from "../reliability/helpers.js";

describe.each(COMPILERS)("runtime hooks ($id objects)", (cc) => {
  it("atexit runs at dispose; quick-exit and fork handlers of live libraries only", () => {
    const log = join(tmp("hooks"), "log.txt");
    const script = `
      const { ExecutionSession } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/index.js")).href)});
      const obj = ${JSON.stringify(fixture(cc, "c/runtime_hooks"))};
      const s = new ExecutionSession();
      const a = s.createLibrary("a"); a.add(obj);
      const b = s.createLibrary("b"); b.add(obj);
      if (a.getFunction("hooks_register")(1) !== 0 || b.getFunction("hooks_register")(2) !== 0) process.exit(3);
      a.dispose();
      if (b.getFunction("hooks_fork")() !== 0) process.exit(4);
      b.getFunction("hooks_quick_exit")();
      process.exit(5);`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, ORCJIT_HOOKS_LOG: log }, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(7); // quick_exit(7) from library b
    const lines = readFileSync(log, "utf8").trim().split("\n");
    // Library a: its atexit handler ran at dispose; nothing of it afterwards.
    expect(lines[0]).toBe("atexit 1");
    expect(lines.slice(1).sort()).toEqual(["child 2", "parent 2", "prepare 2", "quick 2"]);
    expect(lines.indexOf("prepare 2")).toBeLessThan(lines.indexOf("parent 2"));
  });
});

describe("without the static runtime archives", () => {
  it("fails at load naming the symbol, the archive and the package", () => {
    const cc = COMPILERS.find((c) => c.id === "gcc")!;
    const script = `
      const { ExecutionSession } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/index.js")).href)});
      const s = new ExecutionSession();
      const a = s.createLibrary("a"); a.add(${JSON.stringify(fixture(cc, "c/runtime_hooks"))});
      try { a.getFunction("hooks_register"); } catch (e) { console.log(e.constructor.name + ": " + e.message); }`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, ORCJIT_RUNTIME_ARCHIVES: "/nonexistent/libc_nonshared.a" }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^LinkError: .*unresolved symbols .*'atexit'/);
    expect(r.stdout).toMatch(/'atexit' is in libc_nonshared\.a, which was not found: install .*libc6-dev/);
  });
});
