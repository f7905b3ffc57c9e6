// Teardown when unreachable (issue 14) for loadInline modules and session.createLibrary
// libraries: dropped ones are disposed after GC (static destructors run, the session's
// library count returns to zero, RSS stays flat); what JS still reaches (a function, a
// closure the kernel returned, an async call in flight, a dependent library, a registered
// global) keeps its library; a dropped session goes with its libraries. Run in a child process with --expose-gc (test/module/teardown
// covers loadModule).
import { execa } from "execa";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "../compiler/helpers.js";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const WORKER = fileURLToPath(new URL("./teardown-worker.mjs", import.meta.url));

afterAll(cleanupTempDirs);

// RSS bounds hold in the normal run; under scripts/sanitize.sh ASan's quarantine keeps freed
// memory resident, so only the destructor and library counts are checked there.
const MAX_GROWTH_MB = process.env.ORCJIT_UNDER_SANITIZER === "1" ? Infinity : 10;

it("loadInline modules and createLibrary libraries nothing reaches are torn down; reachable ones stay", async () => {
  const total = 200;
  const cacheDir = await tempDir();
  const r = await execa(process.execPath, ["--expose-gc", WORKER, DIST, cacheDir, String(total)], { reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, Record<string, number | boolean> | boolean | number>;
  // 200 loads, each a new library (the previous module was collected), each torn down.
  const inline = out.inline as { sum: number; fresh: number; dtors: number; libraries: number; rssGrowthMB: number };
  expect(inline.sum).toBe(total);
  expect(inline.fresh).toBe(total);
  expect(inline.dtors).toBe(total);
  expect(inline.libraries).toBe(0);
  expect(inline.rssGrowthMB, `RSS grew ${inline.rssGrowthMB.toFixed(1)} MB from load 50 to ${total}`).toBeLessThanOrEqual(MAX_GROWTH_MB);
  expect(out.sameWhileReachable).toBe(true);
  // A kept function: no destructor while held, still callable, its library still counted.
  expect(out.keptFunction).toEqual({ dtorsWhileHeld: 0, value: 1, libraries: 1, dtorsAfter: 1 });
  expect(out.closure).toEqual({ dtorsWhileHeld: 0, value: 6, libraries: 1, dtorsAfter: 1 });
  expect(out.async).toEqual({ value: 1, dtorsAfter: 1 });
  expect(out.createLibrary).toEqual({ sum: 50, dtors: 50, librariesBefore: 0, librariesAfter: 0 });
  expect(out.linkOrder).toEqual({ value: 42, dtorsWhileHeld: 0, dtorsAfter: 1 });
  expect(out.global).toBe(42);
  const sessions = out.sessions as { sum: number; dtors: number; rssGrowthMB: number };
  expect({ sum: sessions.sum, dtors: sessions.dtors }).toEqual({ sum: 20, dtors: 20 });
  expect(sessions.rssGrowthMB, `RSS grew ${sessions.rssGrowthMB.toFixed(1)} MB over 20 dropped sessions`).toBeLessThanOrEqual(MAX_GROWTH_MB);
}, 600_000);
