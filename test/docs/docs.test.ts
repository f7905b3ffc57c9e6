// Docs run as written: every fenced code block of README.md and docs/*.md is either run here
// (extracted from the Markdown as it is) or marked as a fragment. How to mark and how to run a
// block: test/docs/README.md. A new block without a directive fails with that explanation.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cliMain, ensureBuilt, repoRoot } from "../cli/helpers.js";
import { docFiles, extractBlocks, type DocBlock } from "./blocks.js";

const setupsDir = path.join(repoRoot, "test/docs/setups");
/** One object cache for every block of the run (blocks share sources: later ones are hits). */
const cacheDir = realpathSync(mkdtempSync(path.join(tmpdir(), "orcjit-docs-cache-")));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
beforeAll(() => ensureBuilt(), 600_000);

const RUNNABLE = ["ts", "js", "mjs", "yaml", "sh", "cpp", "c"];

const HOW_TO_MARK =
  "Put a directive on the line before its opening fence: `<!-- fragment -->` (or `<!-- fragment: why -->`) " +
  "if it is an excerpt, output or anything not meant to run as it stands; `<!-- run -->` or " +
  "`<!-- run: setup=NAME -->` to have test/docs/docs.test.ts run it " +
  `(languages it runs: ${RUNNABLE.join(", ")}; setups in test/docs/setups/, see test/docs/README.md).`;

const env = { ...process.env, ORCJIT_CACHE_DIR: cacheDir, ORCJIT_PROFILE: "", CI: "1", NO_COLOR: "1" };

/** A temp dir holding a copy of the setup, `tvm-ffi-orcjit` resolvable from it, its setup.mjs run. */
function workspace(block: DocBlock): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "orcjit-docs-")));
  const setup = block.directive?.options.setup;
  if (setup) {
    const from = path.join(setupsDir, setup);
    if (!existsSync(from)) throw new Error(`${block.file}:${block.line}: no setup '${setup}' in test/docs/setups/`);
    cpSync(from, dir, { recursive: true });
  }
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  symlinkSync(repoRoot, path.join(dir, "node_modules/tvm-ffi-orcjit"), "dir");
  if (existsSync(path.join(dir, "setup.mjs"))) execFileSync(process.execPath, ["setup.mjs"], { cwd: dir, env, stdio: "pipe" });
  return dir;
}

async function run(command: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  const r = await execa(command, args, { cwd, env, reject: false, all: true, timeout: 240_000 });
  return { code: r.exitCode ?? -1, out: String(r.all ?? "") };
}

/** Runs one block; resolves with its combined output, rejects with what went wrong. */
async function runBlock(block: DocBlock): Promise<string> {
  const dir = workspace(block);
  const where = `${block.file}:${block.line}`;
  const o = block.directive!.options;
  try {
    let r: { code: number; out: string };
    switch (block.lang) {
      case "ts":
      case "js":
      case "mjs": {
        // the setup's prelude defines what the block uses but does not show (a `mod`, a path)
        const prelude = existsSync(path.join(dir, "prelude.mjs")) ? readFileSync(path.join(dir, "prelude.mjs"), "utf8") : "";
        const js = ts.transpileModule(block.text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: "block.ts" }).outputText;
        writeFileSync(path.join(dir, "block.mjs"), `${prelude}\n${js}`);
        r = await run(process.execPath, ["block.mjs"], dir);
        break;
      }
      case "yaml": {
        // a manifest: written as orcjit.yaml, built, and with call="lib.fn args", run
        writeFileSync(path.join(dir, "orcjit.yaml"), block.text);
        r = await run(process.execPath, [cliMain, "build"], dir);
        if (r.code === 0 && o.call) r = await run(process.execPath, [cliMain, "run", ...o.call.split(" ")], dir);
        break;
      }
      case "sh": {
        // `npx orcjit` is this checkout's CLI
        const shim = `npx() { if [ "$1" = orcjit ]; then shift; node ${JSON.stringify(cliMain)} "$@"; else command npx "$@"; fi; }\n`;
        writeFileSync(path.join(dir, "block.sh"), `set -euo pipefail\n${shim}${block.text}`);
        r = await run("bash", ["block.sh"], dir);
        break;
      }
      case "cpp":
      case "c": {
        // compiled (with the bundled headers), as `build()` does
        const file = block.lang === "c" ? "block.c" : "block.cc";
        writeFileSync(path.join(dir, file), block.text);
        writeFileSync(path.join(dir, "compile.mjs"), `import { build } from "tvm-ffi-orcjit";\nawait build({ name: "docblock", sources: [${JSON.stringify(file)}] });\n`);
        r = await run(process.execPath, ["compile.mjs"], dir);
        break;
      }
      default:
        throw new Error(`${where}: test/docs/docs.test.ts cannot run a \`\`\`${block.lang || "(no language)"} block. ${HOW_TO_MARK}`);
    }
    if (r.code !== 0) throw new Error(`${where}: the \`\`\`${block.lang} block failed (exit ${r.code}):\n${r.out}`);
    if (o.expect !== undefined && !r.out.includes(o.expect)) throw new Error(`${where}: the output lacks '${o.expect}':\n${r.out}`);
    return r.out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const blocks = docFiles(repoRoot).flatMap((f) => extractBlocks(repoRoot, f));

test("the extractor finds the documentation's blocks", () => {
  expect(blocks.length).toBeGreaterThan(20);
  expect(blocks.some((b) => b.file === "README.md" && b.lang === "yaml")).toBe(true);
});

test("every block is run or marked as a fragment", () => {
  const unmarked = blocks.filter((b) => b.directive === undefined).map((b) => `${b.file}:${b.line}: a \`\`\`${b.lang || "(no language)"} block`);
  expect(unmarked, `blocks with no directive. ${HOW_TO_MARK}`).toEqual([]);
  const unknown = blocks.filter((b) => b.directive?.kind === "run" && !RUNNABLE.includes(b.lang)).map((b) => `${b.file}:${b.line}: \`\`\`${b.lang || "(no language)"}`);
  expect(unknown, `blocks marked run in a language this test cannot run. ${HOW_TO_MARK}`).toEqual([]);
});

// Files with no block to run are covered by "every block is run or marked as a fragment" above.
const runnable = (file: string) => blocks.filter((b) => b.file === file && b.directive?.kind === "run" && RUNNABLE.includes(b.lang));
describe.each(docFiles(repoRoot).filter((f) => runnable(f).length > 0))("%s", (file) => {
  const runs = runnable(file);
  for (const block of runs) {
    test(`line ${block.line}: \`\`\`${block.lang}${block.directive!.options.setup ? ` (setup ${block.directive!.options.setup})` : ""}`, async () => {
      await runBlock(block);
    }, 300_000);
  }
});
