// Temp project trees for manifest tests: real files, removed after each test.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";
import { ManifestError } from "../../src/errors.js";
import { parseManifest, type ManifestOptions } from "../../src/manifest/index.js";
import type { Diagnostic } from "../../src/types.js";

export const fixturesDir = fileURLToPath(new URL("../fixtures/manifests/", import.meta.url));

/** Creates a temp dir with `files` (path → content) and returns its real path. */
export function useTree(files: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "orcjit-manifest-")));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

/** Copies a fixture project into a temp dir and returns the temp dir. */
export function useFixture(name: string): string {
  const dir = useTree();
  cpSync(path.join(fixturesDir, name), dir, { recursive: true });
  return dir;
}

/** Parses `yaml` as `<dir>/orcjit.yaml` and returns the diagnostics it throws (fails if it does not). */
export function diagnosticsOf(dir: string, yaml: string, options: ManifestOptions = {}): Diagnostic[] {
  writeFileSync(path.join(dir, "orcjit.yaml"), yaml);
  try {
    parseManifest(yaml, path.join(dir, "orcjit.yaml"), { displayPath: "orcjit.yaml", env: {}, ...options });
  } catch (e) {
    if (e instanceof ManifestError) return e.diagnostics;
    throw e;
  }
  throw new Error("expected a ManifestError");
}

/** `orcjit.yaml:LINE:COL: error: message` lines, for compact assertions. */
export function lines(diags: Diagnostic[]): string[] {
  return diags.map((d) => `${d.location?.file}:${d.location?.line}:${d.location?.column}: ${d.severity}: ${d.message}`);
}
