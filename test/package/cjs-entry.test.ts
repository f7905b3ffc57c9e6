// The package's CommonJS entry (package.json "require" condition of "." and "main";
// scripts/bundle.mjs): a CommonJS program require()s the package, runs loadInline (compiled,
// then from the cache in a second fresh process), and the classes it gets answer instanceof
// for the ones the same require() exports. Dependencies stay lazy, and modules that locate
// package files from their own URL (schema, native/include, the addon) find them.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
  return execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8" }).trim();
}

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
});
