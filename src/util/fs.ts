// Filesystem helpers: unique temp names, atomic publication, executable lookup.
import { randomBytes } from "node:crypto";
import { accessSync, closeSync, constants, fstatSync, openSync, readSync, renameSync, rmSync, type Stats, writeFileSync } from "node:fs";
import { mkdir, open, rename, rm, writeFile } from "node:fs/promises";
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

/**
 * Finds an executable the way a shell would (PATH, and PATHEXT on Windows). Synchronous: a
 * handful of access(2) calls, cheaper than as many thread-pool hops.
 */
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

// ---- reading inputs without ever blocking -------------------------------------------------
// open(2) of a FIFO blocks until a writer appears, and read(2) of one blocks until it writes:
// a manifest, source, header or response file replaced by a FIFO (or a device) would hang the
// caller — the whole event loop for a synchronous read. Every input is therefore opened with
// O_NONBLOCK (a FIFO then opens at once) and fstat'ed through the same descriptor (no race
// between the check and the read); only a regular file is read.

const NONBLOCK = constants.O_NONBLOCK ?? 0;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Thrown by the readers below for anything that is not a regular file (code ENOTREGULAR). */
export class NotRegularFileError extends Error {
  readonly code = "ENOTREGULAR";
  readonly path: string;
  constructor(path: string, st: Stats) {
    super(`${path} is ${kindOf(st)}, not a regular file`);
    this.path = path;
  }
}

/** "a FIFO", "a directory", ... for messages. */
export function kindOf(st: Stats): string {
  if (st.isFile()) return "a regular file";
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

function readWholeFd(fd: number, size: number): Buffer {
  // The stat size is a hint (the file may grow while read): read until EOF.
  let buf = Buffer.allocUnsafe(Math.max(size, 8192));
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = readSync(fd, buf, n, buf.length - n, null);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/**
 * Reads a regular file synchronously; throws NotRegularFileError for a FIFO, socket, device or
 * directory (never blocks on one), and the fs error (ENOENT, EACCES, ...) otherwise.
 * `check` runs on the descriptor's stat before reading (throw to refuse the file).
 */
export function readRegularFileSync(path: string, check?: (st: Stats) => void, flags = 0): Buffer {
  const fd = openSync(path, constants.O_RDONLY | NONBLOCK | flags);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotRegularFileError(path, st);
    check?.(st);
    return readWholeFd(fd, st.size);
  } finally {
    closeSync(fd);
  }
}

/** readRegularFileSync, asynchronously (the manifest: a thread-pool read, never a blocked loop). */
export async function readRegularFile(path: string): Promise<Buffer> {
  const fh = await open(path, constants.O_RDONLY | NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError(path, st);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Thrown by readPrivateFileSync for a file another user could have written (code EUNTRUSTED). */
export class UntrustedFileError extends Error {
  readonly code = "EUNTRUSTED";
}

/**
 * True when a file or directory can only have been written by this user: owned by the current
 * uid and not writable by group or others. Always true where there are no POSIX owners (Windows).
 */
export function isPrivate(st: Stats): boolean {
  if (typeof process.getuid !== "function") return true;
  return st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/**
 * Reads a file of the object cache: a regular file (not a symlink) that only this user can have
 * written. Anything else — planted by another user through a directory that was once
 * world-writable, a symlink, a FIFO — is refused (UntrustedFileError / NotRegularFileError).
 */
export function readPrivateFileSync(path: string): Buffer {
  return readRegularFileSync(
    path,
    (st) => {
      if (!isPrivate(st)) throw new UntrustedFileError(`${path} is owned by uid ${st.uid} with mode ${(st.mode & 0o7777).toString(8)}: not written by this user`);
    },
    NOFOLLOW,
  );
}
