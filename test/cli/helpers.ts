// Runs the real built CLI (node dist/cli/main.js) in temp directories.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { onTestFinished } from "vitest";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const cliMain = path.join(repoRoot, "dist/cli/main.js");
export const projectsDir = path.join(repoRoot, "test/fixtures/projects");

/**
 * Makes sure dist/ is at least as new as src/ (what scripts/setup.sh does with
 * `npm run build:ts`). Serialised across test files with flock, since they run in parallel.
 */
export function ensureBuilt(): void {
  execFileSync("flock", ["/tmp/tvm-ffi-orcjit-tsbuild.lock", process.execPath, path.join(repoRoot, "test/cli/build-dist.mjs")], {
    cwd: repoRoot,
    stdio: "pipe",
  });
  if (!existsSync(cliMain)) throw new Error("npm run build:ts did not produce dist/cli/main.js");
}

/** A fresh temp directory (real path), removed after the test. */
export function tempDir(prefix = "orcjit-cli-"): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Copies test/fixtures/projects/<name> into a temp dir and returns it. */
export function copyProject(name: string): string {
  const dir = tempDir();
  cpSync(path.join(projectsDir, name), dir, { recursive: true });
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const f = path.join(dir, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, content);
  }
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `orcjit <args>` with `cwd`, a private object cache, CI=1 (plain progress lines) and
 * no colours.
 */
export async function orcjit(args: string[], options: { cwd: string; cacheDir?: string; env?: Record<string, string> }): Promise<CliResult> {
  const r = await execa(process.execPath, [cliMain, ...args], {
    cwd: options.cwd,
    reject: false,
    env: {
      CI: "1",
      NO_COLOR: "1",
      ORCJIT_CACHE_DIR: options.cacheDir ?? path.join(options.cwd, ".test-cache"),
      ORCJIT_PROFILE: "",
      ...options.env,
    },
    timeout: 120_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
