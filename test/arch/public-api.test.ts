// The root export is what users need; building blocks for tooling live in
// `tvm-ffi-orcjit/internals` (src/internals.ts, package.json "exports").
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";
import * as internals from "../../src/internals.js";

const MOVED = ["buildCompileCommand", "generateInlineSources", "toolkitId", "CPP_PRELUDE", "languageOf", "parseDiagnostics", "resolveToolchain", "probeLaunchers", "resolveLauncher"];

describe("public API", () => {
  it("keeps internals out of the root export and offers them at ./internals", () => {
    for (const name of MOVED) {
      expect(api, name).not.toHaveProperty(name);
      expect(internals, name).toHaveProperty(name);
    }
  });

  it("still exports what the README's examples use", () => {
    for (const name of ["loadInline", "loadProject", "watchProject", "compileUnits", "cache", "ExecutionSession", "Tensor", "bundledIncludeDir"]) {
      expect(api, name).toHaveProperty(name);
    }
  });

  it("publishes ./internals with its typings", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { exports: Record<string, unknown> };
    expect(pkg.exports["./internals"]).toEqual({ types: "./dist/internals.d.ts", default: "./dist/bundle/internals.js" });
  });
});
