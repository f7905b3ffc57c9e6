// The package's CommonJS entry (package.json "require" condition of "." and "main";
// scripts/bundle.mjs): a CommonJS program require()s the package, runs loadInline (compiled,
// then from the cache in a second fresh process), and the classes it gets answer instanceof
// for the ones the same require() exports. Dependencies stay lazy, and modules that locate
// package files from their own URL (schema, native/include, the addon) find them.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";

const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { main: string; exports: { ".": { require: string } } };
let dir: string;

/** Runs `body` as a .cjs file inside `dir` (whose node_modules/tvm-ffi-orcjit is this checkout); returns its stdout. */
function runCjs(body: string): string {
  const file = path.join(dir, `main-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(file, body);
  // the object cache is the cacheDir option; ORCJIT_CACHE_DIR keeps the entry's V8 code cache there too
  return execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8", env: { ...process.env, ORCJIT_CACHE_DIR: path.join(dir, ".cache") } }).trim();
}

/** Runs `body` as a .cjs file with `env` added and ORCJIT_CODE_CACHE_DEBUG=1; returns stdout and the code-cache lines of stderr. */
function runCjsEnv(body: string, env: Record<string, string>): { out: string; cache: string[] } {
  const file = path.join(dir, `main-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(file, body);
  const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8", env: { ...process.env, ...env, ORCJIT_CODE_CACHE_DEBUG: "1" } });
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return { out: r.stdout.trim(), cache: r.stderr.split("\n").filter((l) => l.startsWith("code cache: ")).map((l) => l.slice(12)) };
}

const ADD = `require("tvm-ffi-orcjit").loadInline({ name: "cjs_code_cache_add", functions: ["add"],
  cppSources: "#include <cstdint>\\nint64_t add(int64_t a, int64_t b) { return a + b; }\\n" })
  .then((m) => console.log(String(m.add(40, 2))), (e) => { console.error(e); process.exit(1); });`;

describe("CommonJS entry", () => {
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), "orcjit-cjs-"));
    mkdirSync(path.join(dir, "node_modules"));
    symlinkSync(repoRoot, path.join(dir, "node_modules", "tvm-ffi-orcjit"), "dir");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("package.json points require() and main at the CommonJS bundle", () => {
    expect(pkg.exports["."].require).toBe("./dist/bundle/index.cjs");
    expect(pkg.main).toBe("./dist/bundle/index.cjs");
  });

  it("require() runs loadInline (compiled, then warm from the cache) and instanceof works on its classes", () => {
    const script = `
      "use strict";
      const m = require("tvm-ffi-orcjit");
      const byRoot = require(${JSON.stringify(repoRoot)});
      // what require() has loaded so far: the bundle and the addon, no dependency
      const own = () => Object.keys(require.cache).filter((f) => f !== __filename).map((f) => f.endsWith(".node") ? "addon" : path.relative(root, f)).sort();
      const path = require("node:path");
      const root = ${JSON.stringify(repoRoot)};
      (async () => {
        const mod = await m.loadInline({
          name: "cjs_entry_add",
          cppSources: "#include <cstdint>\\nint64_t add(int64_t a, int64_t b) { return a + b; }\\n",
          functions: ["add"],
          cacheDir: ${JSON.stringify(path.join(dir, ".cache"))},
        });
        const sum = String(mod.add(40, 2));
        const afterInline = own();
        let err;
        try { m.parseManifest("version: 1\\nlibraries:\\n  k:\\n    sourcez: [k.cc]\\n", ${JSON.stringify(path.join(dir, "orcjit.yaml"))}); }
        catch (e) { err = { orcjit: e instanceof m.OrcJitError, manifest: e instanceof m.ManifestError, name: e.constructor.name, at: /orcjit\\.yaml:4:5/.test(e.message) }; }
        console.log(JSON.stringify({
          sum, same: byRoot === m, afterInline,
          device: m.Device.cpu() instanceof m.Device, deviceName: m.Device.name,
          dtype: m.DataType.parse("float32") instanceof m.DataType,
          err, notProject: ({}) instanceof m.Project, includeDir: m.bundledIncludeDir(),
        }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const first = JSON.parse(runCjs(script)) as Record<string, unknown>;
    const warm = JSON.parse(runCjs(script)) as Record<string, unknown>;
    for (const r of [first, warm]) {
      expect(r).toMatchObject({ sum: "42", same: true, device: true, deviceName: "Device", dtype: true, notProject: false });
      // one file of the package, the addon, and no dependency (yaml, ajv, ... load on first use)
      expect(r.afterInline).toEqual([path.join("dist", "bundle", "index.cjs"), "addon"].sort());
      expect(r.err).toEqual({ orcjit: true, manifest: true, name: "ManifestError", at: true });
      expect(r.includeDir).toBe(path.join(repoRoot, "native", "include"));
    }
  });

  describe("V8 code cache (dist/bundle/index.cjs loads api.cjs with it; docs/cache.md)", () => {
    let cache: string;
    const v8Files = () => (existsSync(path.join(cache, "v8")) ? readdirSync(path.join(cache, "v8")) : []);
    beforeAll(() => {
      cache = mkdtempSync(path.join(tmpdir(), "orcjit-cjs-v8-"));
    });
    afterAll(() => rmSync(cache, { recursive: true, force: true }));

    it("the first fresh process writes one private file in <cache>/v8, the next uses it", () => {
      const first = runCjsEnv(ADD, { ORCJIT_CACHE_DIR: cache });
      expect(first).toEqual({ out: "42", cache: ["none", "written"] });
      const files = v8Files();
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(new RegExp(`^api-[0-9a-f]{16}-\\d+-\\d+-${process.version.replace(/\./g, "\\.")}-${process.arch}\\.bin$`));
      expect(statSync(path.join(cache, "v8")).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(cache, "v8", files[0]!)).mode & 0o777).toBe(0o600);
      expect(runCjsEnv(ADD, { ORCJIT_CACHE_DIR: cache })).toEqual({ out: "42", cache: ["used"] });
      expect(v8Files()).toEqual(files);
    });

    it("a corrupted cache file is rejected by V8, rewritten, and the result stays right", () => {
      const [file] = v8Files();
      const full = path.join(cache, "v8", file!);
      writeFileSync(full, Buffer.from("garbage, not V8 cached data ".repeat(100)));
      expect(runCjsEnv(ADD, { ORCJIT_CACHE_DIR: cache })).toEqual({ out: "42", cache: ["rejected", "written"] });
      expect(v8Files()).toEqual([file]);
      expect(runCjsEnv(ADD, { ORCJIT_CACHE_DIR: cache })).toEqual({ out: "42", cache: ["used"] });
    });

    it("ORCJIT_CODE_CACHE=0 reads and writes nothing", () => {
      const off = mkdtempSync(path.join(tmpdir(), "orcjit-cjs-v8off-"));
      try {
        expect(runCjsEnv(ADD, { ORCJIT_CACHE_DIR: off, ORCJIT_CODE_CACHE: "0" })).toEqual({ out: "42", cache: [] });
        expect(existsSync(path.join(off, "v8"))).toBe(false);
      } finally {
        rmSync(off, { recursive: true, force: true });
      }
    });

    it("the bundle's lazy import() (chokidar, for watchProject) works when it runs from the cached code", () => {
      const project = mkdtempSync(path.join(tmpdir(), "orcjit-cjs-watch-"));
      try {
        cpSync(path.join(repoRoot, "test", "watch", "fixtures", "hot"), project, { recursive: true });
        const body = `require("tvm-ffi-orcjit").watchProject(${JSON.stringify(path.join(project, "orcjit.yaml"))})
          .then(async (w) => { const v = w.library("math").getFunction("value")(1); await w.close(); console.log(String(v)); },
            (e) => { console.error(e); process.exit(1); });`;
        expect(runCjsEnv(body, { ORCJIT_CACHE_DIR: cache })).toEqual({ out: "2", cache: ["used"] });
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    });

    it.skipIf(process.getuid?.() !== 0)("a cache file owned by another uid is neither used nor replaced (as root: chown to nobody)", () => {
      const [file] = v8Files();
      const full = path.join(cache, "v8", file!);
      chownSync(full, 65534, 65534);
      const before = readFileSync(full);
      expect(runCjsEnv(ADD, { ORCJIT_CACHE_DIR: cache })).toEqual({ out: "42", cache: ["not ours"] });
      expect(statSync(full).uid).toBe(65534);
      expect(readFileSync(full).equals(before)).toBe(true);
    });
  });
});
