// loadManifest at scale (issue 19, item 16) and manifests that are not regular files (item 9).
// Linear work is shown by counting, not timing: the locator indexes each mapping entry once.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.js";
import { loadManifest, parseManifest } from "../../src/manifest/index.js";
import { Locator } from "../../src/manifest/locate.js";

function project(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), "orcjit-scale-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "a.c"), "int f(void) { return 1; }\n");
  const lines = ["version: 1", "libraries:"];
  // a chain: every library links the previous one (deep dependency order)
  for (let i = 0; i < n; i++) lines.push(`  lib${i}:`, "    sources: [src/a.c]", ...(i ? [`    linkOrder: [lib${i - 1}]`] : []));
  writeFileSync(join(dir, "orcjit.yaml"), `${lines.join("\n")}\n`);
  return dir;
}

describe("loadManifest with many libraries", () => {
  it("20,000 libraries in a 20,000-deep linkOrder chain resolve, in dependency order", async () => {
    const m = await loadManifest(project(20_000));
    expect(m.libraries).toHaveLength(20_000);
    expect(m.loadOrder[0]).toBe("lib0");
    expect(m.loadOrder[19_999]).toBe("lib19999");
  }, 120_000);

  it("locating every library is linear: each mapping entry is indexed once", () => {
    const count = (n: number): number => {
      const text = ["version: 1", "libraries:", ...Array.from({ length: n }, (_, i) => `  lib${i}: { sources: [a.c] }`)].join("\n");
      const lines = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
      expect(isMap(doc.contents)).toBe(true);
      const loc = new Locator(doc, lines, "orcjit.yaml");
      for (let i = 0; i < n; i++) loc.at(["libraries", `lib${i}`, "sources", 0]);
      return loc.indexedPairs;
    };
    // 2 top-level keys + n libraries + one `sources` key per library
    expect(count(1_000)).toBe(2 + 1_000 + 1_000);
    expect(count(10_000)).toBe(2 + 10_000 + 10_000);
  });

  it("duplicate keys are still reported (own check, not yaml's quadratic one)", () => {
    const e = (() => {
      try {
        parseManifest("version: 1\nlibraries:\n  a: { sources: [] }\n  b: { sources: [] }\n  a: { sources: [] }\n", "/nonexistent/orcjit.yaml");
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ManifestError);
    expect((e as Error).message).toMatch(/:5:3: error: YAML syntax error: Map keys must be unique/);
  });
});

describe("a manifest that is not a regular file", () => {
  it("a FIFO is refused at once (not waited on)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orcjit-fifo-"));
    execFileSync("mkfifo", [join(dir, "orcjit.yaml")]);
    const e = await loadManifest(dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ManifestError);
    expect((e as Error).message).toMatch(/cannot read manifest .*orcjit\.yaml: it is a FIFO \(named pipe\), not a regular file/);
  });
});
