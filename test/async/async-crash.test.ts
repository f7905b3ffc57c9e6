// Crash containment on the async pool (issue 16, docs/async.md): a kernel that faults during
// `fn.async(...)` rejects its Promise with the NativeCrashError a sync call throws, its
// library refuses further calls, and the process and every other library keep working.
// Every case runs in a child process (test/async/async-crash-child.mjs).

import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";
import { runNodeChild } from "../helpers/node-child.js";

const SCRIPT = fileURLToPath(new URL("./async-crash-child.mjs", import.meta.url));

interface CrashInfo {
  isCrash: boolean;
  name: string;
  message: string;
  signal?: string;
  address?: string;
  pc?: string;
  symbol?: string | null;
  function?: string;
  library?: string;
}
type Settled = { value?: unknown; error?: CrashInfo };

let cacheDir: string;

async function runChild(which: string, env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> {
  const o = await runNodeChild([SCRIPT, path.join(repoRoot, "dist"), cacheDir, which], env);
  if (o.code !== 0 || o.signal !== null || !o.result)
    throw new Error(`child '${which}': code ${o.code}, signal ${o.signal}
--- stdout
${o.stdout}
--- stderr
${o.stderr}`);
  return o.result;
}

function expectFault(s: Settled, library: string): void {
  expect(s.value).toBeUndefined();
  const e = s.error!;
  expect(e.isCrash).toBe(true);
  expect(e.name).toBe("NativeCrashError");
  expect(e.signal).toBe("SIGSEGV");
  expect(e.address).toBe("0x0");
  expect(e.pc).toMatch(/^0x[0-9a-f]+$/);
  expect(e.symbol).toMatch(/segv/);
  expect(e.function).toBe("segv");
  expect(e.library).toBe(library);
  expect(e.message).toContain(`SIGSEGV in 'segv' of library '${library}'`);
  expect(e.message).toContain("reload or dispose");
}

function expectCrashedEarlier(e: CrashInfo | undefined, library: string): void {
  expect(e?.isCrash).toBe(true);
  expect(e?.library).toBe(library);
  expect(e?.message).toMatch(new RegExp(`library '${library}' crashed earlier`));
}

function expectContinued(r: Record<string, unknown>, library: string): void {
  expectFault(r.first as Settled, library);
  expectCrashedEarlier((r.again as Settled).error, library);
  expectCrashedEarlier(r.syncAgain as CrashInfo, library);
  expect(r.othersOk).toBe(true);
  expect(r.healthy).toBe(42);
  expect(r.healthySync).toBe(42);
}

beforeAll(() => {
  ensureBuilt();
  cacheDir = realpathSync(mkdtempSync(path.join(tmpdir(), "orcjit-async-crash-")));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("crash containment on the async pool", () => {
  it("rejects with NativeCrashError; the library refuses further calls, the others keep working", async () => {
    expectContinued(await runChild("main"), "acrash_a");
  }, 300_000);

  it("a call queued behind the crashing one never enters the crashed library", async () => {
    const r = await runChild("queued", { ORCJIT_THREADS: "1" });
    expectFault(r.first as Settled, "acrash_q");
    expectCrashedEarlier((r.queued as Settled).error, "acrash_q");
  }, 300_000);

  it("from a worker_thread: the worker's Promise rejects, the main thread keeps running", async () => {
    const r = await runChild("worker");
    expectContinued(r.fromWorker as Record<string, unknown>, "acrash_a");
    expect(r.mainAfter).toBe(7);
    expect(r.mainTicked).toBe(true);
  }, 300_000);
});
