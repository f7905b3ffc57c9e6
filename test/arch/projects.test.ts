// Every test file runs in exactly one vitest project (test/projects.ts): none is silently
// dropped when someone adds a directory, none runs twice. Asks vitest itself which files
// each project selects, so the check covers the real include/exclude resolution.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVitest, type Vitest } from "vitest/node";
import { PROJECTS } from "../projects.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith(".test.ts")) out.push(relative(ROOT, p));
  }
  return out.sort();
}

describe("test projects", () => {
  let vitest: Vitest;
  beforeAll(async () => {
    vitest = await createVitest("test", { root: ROOT, watch: false, config: join(ROOT, "vitest.config.ts") });
  });
  afterAll(async () => {
    await vitest?.close();
  });

  it("assigns every test file under test/ to exactly one project", async () => {
    const specs = await vitest.globTestSpecifications();
    const owners = new Map<string, string[]>();
    for (const s of specs) {
      const file = relative(ROOT, s.moduleId);
      owners.set(file, [...(owners.get(file) ?? []), s.project.name]);
    }
    const files = testFiles(join(ROOT, "test"));
    expect(files.length).toBeGreaterThan(0);
    const wrong = files.filter((f) => owners.get(f)?.length !== 1).map((f) => `${f}: ${owners.get(f)?.join(", ") || "no project"}`);
    expect(wrong).toEqual([]);
    // and vitest selects nothing outside test/ (a stray glob would)
    expect([...owners.keys()].filter((f) => !files.includes(f))).toEqual([]);
  });

  it("has the catch-all last, so a new directory still runs", () => {
    expect(PROJECTS.at(-1)?.include).toEqual(["test/**/*.test.ts"]);
    expect(new Set(PROJECTS.map((p) => p.name)).size).toBe(PROJECTS.length);
  });

  it("keeps the unit project free of the addon and the fixtures", () => {
    expect(PROJECTS.find((p) => p.name === "unit")?.needs).toEqual({ addon: false, fixtures: false });
  });
});
