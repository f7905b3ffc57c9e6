// Stat stamps: when a file's stat still matches the stat recorded next to its content hash, the
// hash is reused instead of re-reading the file (git's index and ccache's "direct mode" do the
// same). The content hash stays what keys depend on; the stamp only says "unchanged since".
import { statSync, type Stats } from "node:fs";
import { readRegularFileSync } from "./fs.js";
import { sha256 } from "./hash.js";

/**
 * What identifies one version of a file without reading it. Plain (double) stat fields: a
 * BigInt stat costs ~3× as much per call, and ms as a double still resolves ~0.25 µs.
 */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/**
 * A file modified within this long before its stamp was taken may be modified again within the
 * same timestamp tick without changing its stat (the "racy git" problem; coarse kernel clocks,
 * 2-second FAT times), so its recorded hash is never trusted: it is re-hashed. 3 s > FAT's 2 s.
 */
export const RACY_WINDOW_MS = 3000;

export function stampOf(st: Stats): FileStamp {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** stat (following symlinks); undefined when missing or not a regular file. */
export function statFile(path: string): Stats | undefined {
  const st = statOrUndefined(path);
  return st?.isFile() ? st : undefined;
}

/** stat of a directory; undefined when missing or not a directory. */
export function statDir(path: string): Stats | undefined {
  const st = statOrUndefined(path);
  return st?.isDirectory() ? st : undefined;
}

export function isStamp(x: unknown): x is FileStamp {
  const s = x as FileStamp;
  return !!s && Number.isSafeInteger(s.size) && Number.isFinite(s.mtimeMs) && Number.isFinite(s.ctimeMs) && typeof s.ino === "number";
}

/**
 * True when `current` is the very file version `recorded` described, and that version was old
 * enough (outside the racy window) when the stamp was taken at `stampedAtMs`. ctime is part of
 * the stamp, so restoring an mtime after an edit (touch -d, utimes) does not fool it.
 */
export function stampTrusted(recorded: FileStamp | undefined, stampedAtMs: number | undefined, current: Stats): boolean {
  if (!isStamp(recorded) || typeof stampedAtMs !== "number" || !Number.isFinite(stampedAtMs)) return false;
  if (recorded.size !== current.size || recorded.mtimeMs !== current.mtimeMs || recorded.ctimeMs !== current.ctimeMs || recorded.ino !== current.ino) return false;
  // An mtime later than the stamp itself is no modification time (a file dated in the future):
  // the kernel-set ctime alone says when the file last changed. Otherwise the newer of the two.
  const changed = current.mtimeMs > stampedAtMs ? current.ctimeMs : Math.max(current.mtimeMs, current.ctimeMs);
  return changed < stampedAtMs - RACY_WINDOW_MS;
}

/**
 * sha256 of a regular file read synchronously (small files: headers, objects); undefined when
 * unreadable or not a regular file (a FIFO or device is never waited on: util/fs.ts).
 */
export function hashFileSync(path: string): string | undefined {
  try {
    return sha256(readRegularFileSync(path));
  } catch {
    return undefined;
  }
}

const sameStamp = (a: FileStamp, b: FileStamp): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;

/**
 * Hashes a regular file and stamps it: stat, read, stat again. The stamp is only returned when
 * both stats agree (the file did not change while it was read); undefined for a missing file or
 * a FIFO/device (never block reading one).
 */
export function hashAndStamp(path: string): { sha256: string; stamp?: FileStamp } | undefined {
  const before = statFile(path);
  if (!before) return undefined;
  const h = hashFileSync(path);
  if (h === undefined) return undefined;
  const after = statFile(path);
  const a = stampOf(before);
  return after && sameStamp(stampOf(after), a) ? { sha256: h, stamp: a } : { sha256: h };
}
