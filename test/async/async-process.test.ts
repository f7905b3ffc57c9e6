// fn.async across threads and processes: calls made by a worker settle on that worker, a
// process exiting with calls in flight neither hangs nor crashes, and `orcjit run` turns Ctrl-C
// into an abort the kernel sees through TVMFFIEnvCheckSignals. Each runs the built package
// (dist/) in a child process.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliMain, ensureBuilt, repoRoot, tempDir, writeFiles } from "../cli/helpers.js";
import { ASYNC_FUNCTIONS, ASYNC_KERNELS } from "./kernels.js";

const entry = pathToFileURL(path.join(repoRoot, "dist/index.js")).href;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], cwd: string, onSpawn?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, CI: "1", NO_COLOR: "1", ORCJIT_CACHE_DIR: path.join(cwd, ".orcjit-cache") };
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(child);
  });
}

let dir: string;

/** A module script that loads the async kernels into `mod`, then runs `body`. */
function script(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `import { loadInline } from ${JSON.stringify(entry)};
const mod = await loadInline({ name: "async_proc", cppSources: ${JSON.stringify(ASYNC_KERNELS)}, functions: ${JSON.stringify(ASYNC_FUNCTIONS)}, cacheDir: ${JSON.stringify(path.join(dir, "cache"))} });
${body}
`,
  );
  return file;
}

beforeAll(async () => {
  ensureBuilt();
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), "orcjit-async-")));
  // warm the object cache once, so the children below only link
  const r = await runNode([script("warm.mjs", "console.log(await mod.add.async(1, 2));")], dir);
  expect(r.stderr).toBe("");
  expect(r.stdout.trim()).toBe("3");
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("async calls across threads and processes", () => {
  it("ORCJIT_THREADS sets the pool size", async () => {
    const f = path.join(dir, "threads.mjs");
    writeFileSync(f, `import { asyncThreads } from ${JSON.stringify(entry)}; console.log(asyncThreads());`);
    const r = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [f], { env: { ...process.env, ORCJIT_THREADS: "3" }, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout!.on("data", (d) => (out += d));
      child.on("close", () => resolve(out.trim()));
    });
    expect(r).toBe("3");
  });

  it("a watch handle's .async calls the loaded generation", async () => {
    const proj = tempDir("orcjit-async-watch-");
    writeFiles(proj, {
      "orcjit.yaml": "version: 1\nlibraries:\n  k:\n    sources: [k.cc]\n",
      "k.cc": "#include <tvm/ffi/function.h>\nint64_t add(int64_t a, int64_t b) { return a + b; }\nTVM_FFI_DLL_EXPORT_TYPED_FUNC(add, add);\n",
      "t.mjs": `import { watchProject } from ${JSON.stringify(entry)};
const w = await watchProject(".");
const f = w.library("k").getFunction("add");
console.log(f(1, 2), await f.async(20, 22));
await w.close();`,
    });
    const r = await runNode([path.join(proj, "t.mjs")], proj);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("3 42");
  });

  it("calls made by worker_threads settle on their worker", async () => {
    const worker = script(
      "worker.mjs",
      `import { parentPort, threadId } from "node:worker_threads";
let ticks = 0;
const timer = setInterval(() => ticks++, 10);
const sum = await mod.call_each.async((i) => i + threadId * 0, 10);
const slow = await mod.work_ms.async(200);
clearInterval(timer);
parentPort.postMessage({ threadId, sum, slow, ticked: ticks > 0 });`,
    );
    const main = path.join(dir, "main.mjs");
    writeFileSync(
      main,
      `import { Worker } from "node:worker_threads";
const runs = [0, 1, 2].map(() => new Promise((resolve, reject) => {
  const w = new Worker(${JSON.stringify(worker)});
  w.once("message", (m) => { resolve(m); w.terminate(); });
  w.once("error", reject);
}));
console.log(JSON.stringify(await Promise.all(runs)));`,
    );
    const r = await runNode([main], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as { threadId: number; sum: number; slow: number; ticked: boolean }[];
    expect(got.map((g) => [g.sum, g.slow, g.ticked])).toEqual([[45, 200, true], [45, 200, true], [45, 200, true]]);
    expect(new Set(got.map((g) => g.threadId)).size).toBe(3);
  });

  it("a worker terminated with a call in flight leaves the process working", async () => {
    const worker = script("worker2.mjs", `import { parentPort } from "node:worker_threads";
mod.work_ms.async(60000);
parentPort.postMessage("started");
await new Promise(() => {});`);
    const main = path.join(dir, "main2.mjs");
    writeFileSync(
      main,
      `import { Worker } from "node:worker_threads";
import { loadInline } from ${JSON.stringify(entry)};
const w = new Worker(${JSON.stringify(worker)});
await new Promise((r) => w.once("message", r));
await w.terminate();
const mod = await loadInline({ name: "async_proc2", cppSources: ${JSON.stringify(ASYNC_KERNELS)}, functions: ${JSON.stringify(ASYNC_FUNCTIONS)}, cacheDir: ${JSON.stringify(path.join(dir, "cache"))} });
console.log(await mod.add.async(20, 22));`,
    );
    const r = await runNode([main], dir);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("42");
    expect(r.code).toBe(0);
  });

  it("process.exit() with calls in flight neither hangs nor crashes", async () => {
    const s = script(
      "exit.mjs",
      `// more long calls than pool threads: some run (they poll), some wait in the queue
for (let i = 0; i < 8; i++) mod.work_ms.async(600000);
setTimeout(() => { console.log("exiting"); process.exit(7); }, 200);`,
    );
    const r = await runNode([s], dir);
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("exiting");
    expect(r.code).toBe(7);
  });

  it("process.exit() while a kernel that never polls runs: ORCJIT_EXIT_GRACE_MS, then exits (no hang, no crash)", async () => {
    const s = script(
      "exit-grace.mjs",
      `process.env.ORCJIT_EXIT_GRACE_MS = "300"; // read at exit
mod.sleep_blind.async(120000); // sleeps 2 minutes without polling TVMFFIEnvCheckSignals
setTimeout(() => { console.log("exiting"); process.exit(5); }, 200);`,
    );
    const r = await runNode([s], dir);
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe("exiting");
    expect(r.stderr).toMatch(/1 async kernel\(s\) still running at exit .* exiting anyway/);
    expect(r.code).toBe(5);
  }, 90_000);

  it("orcjit run: Ctrl-C aborts the running kernel through TVMFFIEnvCheckSignals", async () => {
    const proj = tempDir("orcjit-async-run-");
    const marker = path.join(proj, "started");
    writeFiles(proj, {
      "orcjit.yaml": "version: 1\nlibraries:\n  k:\n    sources: [k.cc]\n",
      "k.cc": `#include <tvm/ffi/function.h>
#include <tvm/ffi/extra/c_env_api.h>
#include <chrono>
#include <cstdio>
#include <thread>
int64_t work_marked(tvm::ffi::String marker, int64_t ms) {
  if (FILE* f = std::fopen(marker.c_str(), "w")) std::fclose(f);
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (TVMFFIEnvCheckSignals() != 0) throw ::tvm::ffi::details::MoveFromSafeCallRaised();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return ms;
}
TVM_FFI_DLL_EXPORT_TYPED_FUNC(work_marked, work_marked);
`,
    });
    const r = await runNode([cliMain, "run", "k.work_marked", JSON.stringify(marker), "600000"], proj, (child) => {
      const poll = setInterval(() => {
        if (existsSync(marker)) {
          clearInterval(poll);
          child.kill("SIGINT");
        }
      }, 20);
      child.on("close", () => clearInterval(poll));
    });
    expect(r.signal).toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/AbortError/);
    expect(r.stderr).toMatch(/interrupted \(Ctrl-C\)/);
  });
});
