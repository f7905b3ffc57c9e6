// The import-boundary lint (eslint.config.js, docs/architecture.md#layers) rejects what it
// should and accepts the imports the tree really makes: linted as text at a path in each layer.
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${ROOT}${file}` });
  return (r?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layer boundaries", () => {
  it.each([
    ["src/compiler/x.ts", `import { ExecutionSession } from "../jit/index.js";`, /compiler never imports the JIT/],
    ["src/compiler/x.ts", `import { loadAddon } from "../native/binding.js";`, /compiler never imports the JIT or the native binding/],
    ["src/manifest/x.ts", `import { compileUnits } from "../compiler/index.js";`, /manifest parsing never compiles/],
    ["src/manifest/x.ts", `import { ExecutionSession } from "../jit/session.js";`, /manifest parsing never/],
    ["src/jit/x.ts", `import { compileUnits } from "../compiler/compile.js";`, /JIT never imports the compiler/],
    ["src/cache/x.ts", `import { compileUnits } from "../compiler/index.js";`, /cache imports nothing above it/],
    ["src/project/x.ts", `import { runCli } from "../cli/program.js";`, /nothing imports the CLI/],
    ["src/project/x.ts", `import { watchProject } from "../watch/index.js";`, /project is below watch/],
    ["src/watch/x.ts", `import { loadInline } from "../index.js";`, /only the CLI imports the public API barrel/],
    ["src/cli/commands/x.ts", `import { compileUnits } from "../../compiler/index.js";`, /CLI imports only the public API/],
    ["src/cli/x.ts", `import { OrcJitError } from "../errors.js";`, /CLI imports only the public API/],
    ["src/index.ts", `export { runCli } from "./cli/program.js";`, /nothing imports the CLI/],
  ])("%s: %s", async (file, code, message) => {
    const found = await problems(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it.each([
    ["src/project/x.ts", `import { compileUnits } from "../compiler/index.js";\nimport { ExecutionSession } from "../jit/index.js";\nimport { loadManifest } from "../manifest/index.js";`],
    ["src/compiler/x.ts", `import { ObjectCache } from "../cache/store.js";\nimport { sha256 } from "../util/hash.js";\nimport { CompileError } from "../errors.js";`],
    ["src/jit/x.ts", `import { loadAddon } from "../native/binding.js";\nimport type { FFIValue } from "../values/types.js";`],
    ["src/cli/commands/x.ts", `import { loadProject } from "../../index.js";\nimport { toolkitId } from "../../internals.js";\nimport { UsageError } from "../output.js";`],
    ["src/watch/x.ts", `import { loadProject } from "../project/index.js";`],
  ])("%s: allowed imports pass", async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
