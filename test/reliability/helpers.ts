// Shared helpers of the reliability suite (issue 8): temporary dirs, result rows for
// docs/reliability.md (scripts/reliability-table.mjs reads build-reliability/results/*.json).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const RESULTS = join(ROOT, "build-reliability", "results");

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `orcjit-rel-${prefix}-`));
}

export interface ResultRow {
  /** What was attacked ("JIT call arguments", "object loader", ...). */
  door: string;
  /** The input or fault. */
  input: string;
  /** How many times / inputs. */
  count: number;
  /** What held (the observed clean outcome). */
  held: string;
  durationMs?: number;
}

const rows = new Map<string, ResultRow[]>();

/** Records a row; the file's rows are rewritten at each call (last writer per file wins). */
export function record(file: string, row: ResultRow): void {
  const list = rows.get(file) ?? [];
  list.push(row);
  rows.set(file, list);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${file}.json`), JSON.stringify(list, null, 2));
}

/** Runs `fn`, returns what it threw (fails when it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an exception");
}
