// Shared helpers for the compiler, cache and inline tests: temp dirs, fixture copies,
// a compiler wrapper that records every invocation, and a transpiled copy of src/ for
// child processes (Node 20 cannot run .ts).
import { spawn } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const fixturesDir = join(repoRoot, "test", "fixtures", "compiler");

/** The two toolchains every compiler test runs against. */
export const TOOLCHAINS = [
  { name: "clang", cc: "/usr/bin/clang-22", cxx: "/usr/bin/clang++-22" },
  { name: "gcc", cc: "/usr/bin/gcc", cxx: "/usr/bin/g++" },
] as const;

const created: string[] = [];
export async function tempDir(prefix = "orcjit-test-"): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  created.push(d);
  return d;
}
export async function cleanupTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A private copy of test/fixtures/compiler (tests edit headers in it). */
export async function copyFixtures(): Promise<string> {
  const d = await tempDir("orcjit-fx-");
  await cp(fixturesDir, d, { recursive: true });
  return d;
}

/**
 * A shell script that appends its arguments to `log` and execs `real`: the compiler to use
 * when a test needs to know whether (and how often) a compiler was started.
 */
export async function recordingCompiler(dir: string, real: string, name = "cc-wrapper"): Promise<{ path: string; invocations(): Promise<string[]> }> {
  const log = join(dir, `${name}.log`);
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  await chmod(path, 0o755);
  return {
    path,
    async invocations() {
      const text = await readFile(log, "utf8").catch(() => "");
      return text.split("\n").filter(Boolean);
    },
  };
}

let transpiled: Promise<string> | undefined;
/** src/ transpiled to ESM JavaScript in a temp dir (once per test file); returns that dir. */
export function transpiledSrc(): Promise<string> {
  transpiled ??= (async () => {
    const out = await tempDir("orcjit-js-");
    const srcRoot = join(repoRoot, "src");
    // all of src/ (a hand-kept list of directories broke whenever load-inline gained an import)
    const files = (await readdir(srcRoot, { recursive: true })).map(String).filter((f) => f.endsWith(".ts")).map((f) => join(srcRoot, f));
    for (const f of files) {
      const js = ts.transpileModule(await readFile(f, "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      }).outputText;
      const to = join(out, relative(srcRoot, f)).replace(/\.ts$/, ".js");
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, js);
    }
    await writeFile(join(out, "package.json"), JSON.stringify({ type: "module" }));
    // node_modules resolution (execa) from the temp dir: link the repo's node_modules.
    const { symlink } = await import("node:fs/promises");
    await symlink(join(repoRoot, "node_modules"), join(out, "node_modules"), "dir");
    return out;
  })();
  return transpiled;
}

/** Environment for child processes that load the transpiled src/: the addon and a frozen copy of the headers. */
export async function childEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  frozenInclude ??= (async () => {
    const d = await tempDir("orcjit-inc-");
    await cp(join(repoRoot, "native", "include"), d, { recursive: true });
    return d;
  })();
  return {
    ...process.env,
    ORCJIT_ADDON_PATH: process.env.ORCJIT_ADDON_PATH ?? join(repoRoot, "build", "Release", "tvm_ffi_orcjit.node"),
    ORCJIT_INCLUDE_DIR: await frozenInclude,
    ...extra,
  };
}
let frozenInclude: Promise<string> | undefined;

/** Runs a node script in a fresh process with `env`; resolves with its exit code and output. */
export function runNodeScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for the launcher tests' daemons). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Polls `cond` every `stepMs` until it holds; throws naming `what` after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 30_000, stepMs = 100): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
