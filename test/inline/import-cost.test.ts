// Importing the package loads only what the API in use needs: execa is gone, and yaml, ajv,
// chokidar and commander are loaded on first use of manifests, watch mode and the CLI. Checked
// with module-loader hooks that record every module a fresh process loads.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";

const hooks = pathToFileURL(path.join(repoRoot, "bench/startup/count-hooks.mjs")).href;
// What `import "tvm-ffi-orcjit"` loads: the package's "." export (the bundled entry).
const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string; exports: { ".": { default: string } }; bin: { orcjit: string } };
const entry = pathToFileURL(path.join(repoRoot, pkg.exports["."].default)).href;
let dir: string;

/** Runs `script` (an ES module body) in a fresh node; returns the packages and files it loaded and its stdout. */
function loaded(script: string): { packages: string[]; files: string[]; out: string } {
  const log = path.join(dir, `log-${Math.random().toString(36).slice(2)}.txt`);
  const out = execFileSync(process.execPath, ["--import", hooks, "--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, ORCJIT_BENCH_LOADLOG: log },
  });
  const urls = readFileSync(log, "utf8").split("\n").filter(Boolean);
  const packages = [...new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))].sort();
  return { packages, files: [...new Set(urls)], out: out.trim() };
}

describe("import cost", () => {
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), "orcjit-import-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("importing the package loads no dependency", () => {
    const r = loaded(`const m = await import(${JSON.stringify(entry)}); console.log(typeof m.loadInline, typeof m.parseManifest, typeof m.watchProject);`);
    expect(r.out).toBe("function function function");
    expect(r.packages).toEqual([]);
    // one bundle: the entry and the one chunk it shares with ./internals (the CLI and the PCH
    // builder are bundled on their own, so esbuild does not cut the API into one chunk per set
    // of entries; scripts/bundle.mjs), not one file per module (≈65 before bundling)
    const own = r.files.filter((u) => u.startsWith(pathToFileURL(repoRoot).href));
    expect(own.every((u) => u.includes("/dist/bundle/")), own.join("\n")).toBe(true);
    expect(own.length, own.join("\n")).toBeLessThanOrEqual(2);
  });

  it("the bundled entry exports what tsc's dist/index.js exports, and its CLI finds the package's files", () => {
    const names = (url: string) => loaded(`const m = await import(${JSON.stringify(url)}); console.log(Object.keys(m).sort().join(","));`).out;
    expect(names(entry)).toBe(names(pathToFileURL(path.join(repoRoot, "dist/index.js")).href));
    // templates/ and package.json are found from the bundle's directory (src/util/package-root.ts)
    const cli = path.join(repoRoot, pkg.bin.orcjit);
    expect(cli).toContain(`${path.sep}bundle${path.sep}`);
    expect(execFileSync(process.execPath, [cli, "--version"], { encoding: "utf8" }).trim()).toBe(pkg.version);
    const target = path.join(dir, "init-from-bundle");
    execFileSync(process.execPath, [cli, "init", target], { encoding: "utf8" });
    expect(readFileSync(path.join(target, "orcjit.yaml"), "utf8")).toContain("libraries:");
  });

  it("a manifest loads yaml and ajv on first use, and still reports positions", () => {
    writeFileSync(path.join(dir, "k.cc"), "int k() { return 1; }\n");
    const manifest = JSON.stringify(path.join(dir, "orcjit.yaml"));
    const script = `
      const m = await import(${JSON.stringify(entry)});
      const ok = m.parseManifest("version: 1\\nlibraries:\\n  k:\\n    sources: [k.cc]\\n", ${manifest});
      let err;
      try { m.parseManifest("version: 1\\nlibraries:\\n  k:\\n    sourcez: [k.cc]\\n", ${manifest}); } catch (e) { err = e.message; }
      console.log(JSON.stringify({ libs: ok.libraries.map((l) => l.name), err }));`;
    const r = loaded(script);
    const o = JSON.parse(r.out) as { libs: string[]; err: string };
    expect(o.libs).toEqual(["k"]);
    expect(o.err).toMatch(/orcjit\.yaml:4:5/);
    expect(r.packages).toEqual(expect.arrayContaining(["ajv", "yaml"]));
    expect(r.packages).not.toContain("chokidar");
    expect(r.packages).not.toContain("execa");
  });

  it("project and watch code loads on first use; their classes answer instanceof for the real ones", () => {
    writeFileSync(path.join(dir, "p.c"), "int p(void) { return 1; }\n");
    writeFileSync(path.join(dir, "orcjit.yaml"), "version: 1\nlibraries:\n  p:\n    sources: [p.c]\n");
    const script = `
      const m = await import(${JSON.stringify(entry)});
      const before = [({}) instanceof m.Project, m.Project.name];
      let early; try { new m.Project(); } catch (e) { early = e.constructor.name + ": " + e.message; }
      const p = await m.loadProject(${JSON.stringify(dir)}, { cacheDir: ${JSON.stringify(path.join(dir, ".cache"))}, env: {} });
      const lib = p.library("p");
      console.log(JSON.stringify({ before, early, project: p instanceof m.Project, library: lib instanceof m.ProjectLibrary,
        ctor: p.constructor === Object.getPrototypeOf(p).constructor && p.constructor.name, other: lib instanceof m.Project }));`;
    const r = loaded(script);
    const o = JSON.parse(r.out) as { before: [boolean, string]; early: string; project: boolean; library: boolean; ctor: string; other: boolean };
    expect(o.before).toEqual([false, "Project"]);
    expect(o.early).toMatch(/^TypeError: Project is not loaded yet: loadProject\(\)/);
    expect(o).toMatchObject({ project: true, library: true, ctor: "Project", other: false });
    // the import alone did not load them (first test: two files); loadProject did, in their own chunk
    expect(r.files.filter((u) => u.includes("/dist/bundle/")).length).toBeGreaterThan(2);
  });

  it("./internals throws the error classes the package entry exports", () => {
    const internals = pathToFileURL(path.join(repoRoot, "dist/bundle/internals.js")).href;
    const r = loaded(`
      const m = await import(${JSON.stringify(entry)});
      const i = await import(${JSON.stringify(internals)});
      try { await i.resolveToolchain("c++", { compiler: "/nonexistent/cc" }); console.log("no error"); }
      catch (e) { console.log(e instanceof m.ToolchainError, e instanceof m.OrcJitError); }`);
    expect(r.out).toBe("true true");
  });
});
