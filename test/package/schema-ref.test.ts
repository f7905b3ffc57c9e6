// orcjit init's $schema reference: relative (through node_modules) when the package is
// installed in the project or one of its parents, so a committed manifest works for others.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { schemaReference } from "../../src/cli/commands/init.js";

const schema = (root: string) => path.join(root, "node_modules/tvm-ffi-orcjit/schema/manifest.schema.json");

describe("schemaReference", () => {
  it("is relative to the manifest when the package is in the project's node_modules", () => {
    expect(schemaReference("/home/u/app", schema("/home/u/app"))).toBe("./node_modules/tvm-ffi-orcjit/schema/manifest.schema.json");
  });
  it("is relative through '..' when the package is in a parent's node_modules (npx orcjit init sub)", () => {
    expect(schemaReference("/home/u/app/hello", schema("/home/u/app"))).toBe("../node_modules/tvm-ffi-orcjit/schema/manifest.schema.json");
    expect(schemaReference("/home/u/app/a/b", schema("/home/u/app"))).toBe("../../node_modules/tvm-ffi-orcjit/schema/manifest.schema.json");
  });
  it("is absolute for a project outside the node_modules owner, and for a repository checkout", () => {
    expect(schemaReference("/srv/other", schema("/home/u/app"))).toBe(schema("/home/u/app"));
    expect(schemaReference("/tmp/x", "/work/repo/schema/manifest.schema.json")).toBe("/work/repo/schema/manifest.schema.json");
  });
  it("uses the innermost node_modules (a nested install)", () => {
    const nested = "/home/u/app/node_modules/tool/node_modules/tvm-ffi-orcjit/schema/manifest.schema.json";
    expect(schemaReference("/home/u/app/p", nested)).toBe(nested);
    expect(schemaReference("/home/u/app/node_modules/tool/x", nested)).toBe("../node_modules/tvm-ffi-orcjit/schema/manifest.schema.json");
  });
});
