// GDB JIT interface bookkeeping without a debugger (docs/debugging.md): debug libraries add one
// entry per linked object, and every way a library's memory goes away takes its entries off the
// list first: dispose, a retired watch/reload generation, session dispose. In a child process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const href = (p: string) => JSON.stringify(pathToFileURL(join(ROOT, p)).href);

function child(script: string, env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  ensureBuilt();
  const p = spawnSync(process.execPath, ["--input-type=module", "-e", `
const api = await import(${href("dist/index.js")});
const { addon } = await import(${href("dist/values/native.js")});
const count = () => addon().debuggerEntryCount();
const out = {};
${script}
console.log("RESULT " + JSON.stringify(out));
`], { env: { ...process.env, ...env }, encoding: "utf8" });
  const line = p.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (p.status !== 0 || !line) throw new Error(`child failed (${p.status} ${p.signal}):\n${p.stdout}\n${p.stderr}`);
  return JSON.parse(line.slice(7)) as Record<string, unknown>;
}

describe("debugger registration bookkeeping", () => {
  it("a reload generation replaces the entries of the one it retires; project dispose removes all", () => {
    const dir = mkdtempSync(join(tmpdir(), "orcjit-dbgreg-"));
    writeFileSync(join(dir, "a.cc"), "int64_t fa(int64_t x) { return x + 1; }\n");
    writeFileSync(join(dir, "b.cc"), "int64_t fb(int64_t x) { return x + 2; }\n");
    writeFileSync(
      join(dir, "orcjit.yaml"),
      "version: 1\nlibraries:\n  k:\n    debug: true\n    sources:\n      - { path: a.cc, functions: [fa] }\n      - { path: b.cc, functions: [fb] }\n  plain:\n    sources:\n      - { path: a.cc, functions: [fa] }\n",
    );
    const r = child(`
const project = await api.loadProject(${JSON.stringify(dir)}, { cacheDir: ${JSON.stringify(join(dir, ".cache"))} });
out.before = count();
await project.load();
project.library("k").getFunction("fb")(1);
out.loaded = count();
const gen0 = project.library("k").generation;
for (let i = 0; i < 5; ++i) await project.rebuildLibraries(["k"]);
out.generations = project.library("k").generation - gen0;
out.afterReloads = count();
out.answer = project.library("k").getFunction("fa")(41);
project.dispose();
out.afterDispose = count();
`);
    // two objects of the debug library; none of the library without debug
    expect(r).toEqual({ before: 0, loaded: 2, generations: 5, afterReloads: 2, answer: 42, afterDispose: 0 });
  }, 300_000);

  it("session dispose and setDebugger(true) for every library", () => {
    const r = child(`
const session = new api.ExecutionSession();
const m = await api.loadInline({ name: "a", cppSources: "int64_t f(int64_t x) { return x; }", functions: ["f"], session });
out.off = count();
out.was = api.setDebugger(true);
const lib = session.createLibrary("b");
lib.add(m.objects[0].objectPath);
lib.getFunction("f")(1);
out.on = count();
session.dispose();
out.afterSession = count();
`);
    expect(r).toEqual({ off: 0, was: false, on: 1, afterSession: 0 });
  }, 300_000);
});
