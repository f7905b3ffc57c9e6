// Filesystem helpers: unique temp names, atomic publication, executable lookup.
import { randomBytes } from "node:crypto";
import { accessSync, constants, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { delimiter, dirname, isAbsolute, join } from "node:path";

/** A name no other process or call will pick: pid + random. */
export function uniqueName(prefix = "tmp"): string {
  return `${prefix}-${process.pid}-${randomBytes(6).toString("hex")}`;
}

/** mkdir -p with a mode (applied to every directory this call creates). */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
}

/**
 * Renames `from` over `to`. Windows refuses to replace a file another process holds open
 * (EPERM/EACCES/EBUSY): retry a few times, since the holder is a reader that closes quickly.
 */
export async function renameReplacing(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt < 20 && (code === "EPERM" || code === "EACCES" || code === "EBUSY")) {
        await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
        continue;
      }
      throw e;
    }
  }
}

/**
 * Writes `data` to `path` atomically: readers see the old file or the whole new one, never a
 * prefix. The temp file lives in `tmpDir` (default: the target's directory), which must be on
 * the same filesystem as `path`.
 */
export async function atomicWriteFile(path: string, data: string | Uint8Array, tmpDir = dirname(path)): Promise<void> {
  const tmp = join(tmpDir, uniqueName(".w"));
  try {
    await writeFile(tmp, data, { mode: 0o600 });
    await renameReplacing(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** atomicWriteFile, synchronously (small bookkeeping files on the warm path: no event-loop hops). */
export function atomicWriteFileSync(path: string, data: string | Uint8Array, tmpDir = dirname(path)): void {
  const tmp = join(tmpDir, uniqueName(".w"));
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Finds an executable the way a shell would (PATH, and PATHEXT on Windows). */
export async function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return findExecutableSync(name, env);
}

/** findExecutable, synchronously: a handful of access(2) calls, cheaper than as many thread-pool hops. */
export function findExecutableSync(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const isWin = process.platform === "win32";
  const exts = isWin ? (env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter(Boolean) : [""];
  const candidates = isWin && /\.[a-z0-9]+$/i.test(name) ? [""] : exts;
  const dirs = isAbsolute(name) || name.includes("/") || (isWin && name.includes("\\")) ? [""] : (env.PATH ?? env.Path ?? "").split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    for (const ext of candidates) {
      const p = dir ? join(dir, name + ext) : name + ext;
      try {
        accessSync(p, isWin ? constants.F_OK : constants.X_OK);
        return p;
      } catch {
        // next
      }
    }
  }
  return undefined;
}
