// docs/manifest.md describes every key of the schema (keeps the reference in step with it).
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { manifestSchema } from "../../src/manifest/index.js";

function keys(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => keys(n, out));
  else if (node && typeof node === "object") {
    const obj = node as Record<string, unknown>;
    if (obj.properties && typeof obj.properties === "object") for (const k of Object.keys(obj.properties)) out.add(k);
    for (const v of Object.values(obj)) keys(v, out);
  }
  return out;
}

test("every schema key appears in docs/manifest.md", () => {
  const doc = readFileSync(new URL("../../docs/manifest.md", import.meta.url), "utf8");
  const all = [...keys(manifestSchema())];
  expect(all.length).toBeGreaterThan(20);
  expect(all.filter((k) => !doc.includes(`\`${k}\``))).toEqual([]);
});

test("the schema is valid JSON Schema with an id and a description for editors", () => {
  const schema = manifestSchema();
  expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  expect(typeof schema.description).toBe("string");
});
