// Stat stamps: when a file's stat still matches the stat recorded next to its content hash, the
// hash is reused instead of re-reading the file (git's index and ccache's "direct mode" do the
// same). The content hash stays what keys depend on; the stamp only says "unchanged since".
import { readFileSync, statSync, type BigIntStats } from "node:fs";
import { sha256 } from "./hash.js";

/** What identifies one version of a file without reading it. Bigints as decimal strings (JSON). */
export interface FileStamp {
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
}

/**
 * A file modified within this long before its stamp was taken may be modified again within the
 * same timestamp tick without changing its stat (the "racy git" problem; coarse kernel clocks,
 * 2-second FAT times), so its recorded hash is never trusted: it is re-hashed. 3 s > FAT's 2 s.
 */
export const RACY_WINDOW_MS = 3000;

export function stampOf(st: BigIntStats): FileStamp {
  return { size: Number(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs), ino: String(st.ino) };
}

/** stat (following symlinks) with nanosecond times; undefined when missing or not a regular file. */
export function statFile(path: string): BigIntStats | undefined {
  try {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    return st?.isFile() ? st : undefined;
  } catch {
    return undefined;
  }
}

export function isStamp(x: unknown): x is FileStamp {
  const s = x as FileStamp;
  return !!s && Number.isSafeInteger(s.size) && typeof s.mtimeNs === "string" && typeof s.ctimeNs === "string" && typeof s.ino === "string";
}

/**
 * True when `current` is the very file version `recorded` described, and that version was old
 * enough (outside the racy window) when the stamp was taken at `stampedAtMs`. ctime is part of
 * the stamp, so restoring an mtime after an edit (touch -d, utimes) does not fool it.
 */
export function stampTrusted(recorded: FileStamp | undefined, stampedAtMs: number | undefined, current: BigIntStats): boolean {
  if (!recorded || typeof stampedAtMs !== "number" || !Number.isFinite(stampedAtMs)) return false;
  if (recorded.size !== Number(current.size) || recorded.mtimeNs !== String(current.mtimeNs) || recorded.ctimeNs !== String(current.ctimeNs) || recorded.ino !== String(current.ino)) return false;
  const newest = current.mtimeNs > current.ctimeNs ? current.mtimeNs : current.ctimeNs;
  return newest < BigInt(Math.floor(stampedAtMs - RACY_WINDOW_MS)) * 1_000_000n;
}

/** sha256 of a regular file read synchronously (small files: headers, objects); undefined when unreadable. */
export function hashFileSync(path: string): string | undefined {
  try {
    return sha256(readFileSync(path));
  } catch {
    return undefined;
  }
}

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
  const same = after && JSON.stringify(stampOf(after)) === JSON.stringify(a);
  return same ? { sha256: h, stamp: a } : { sha256: h };
}
