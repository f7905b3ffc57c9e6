// Runs the TypeScript examples on any supported Node: `node --import ./scripts/run-ts.mjs
// examples/quickstart/run.ts`. Node >= 22.18 strips types itself (process.features.typescript)
// and this registers nothing; older Node gets a load hook that erases the types with the
// TypeScript compiler (a devDependency). The examples use only erasable syntax
// (tsconfig.examples.json: erasableSyntaxOnly), so both give the same program.
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import { fileURLToPath } from "node:url";
import { isMainThread } from "node:worker_threads";

// The hooks run on their own thread, which imports this file again: register once, from main.
if (isMainThread && !process.features.typescript) register(import.meta.url);

/** Module-loader hook: .ts files under file: URLs become ES modules with their types erased. */
export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const { default: ts } = await import("typescript");
  const file = fileURLToPath(url);
  const out = ts.transpileModule(await readFile(file, "utf8"), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false, inlineSourceMap: true },
  });
  return { format: "module", source: out.outputText, shortCircuit: true };
}
