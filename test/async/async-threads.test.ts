// Callbacks from a kernel's own threads (issue 16, docs/async.md "Callbacks"): during an async
// call they run on the owning JS thread while the kernel thread waits; while the JS thread is
// blocked in a synchronous kernel call they fail with a clear error instead of deadlocking.
// Real kernels that start std::threads (loadInline, clang).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession } from "../../src/jit/index.js";
import { loadInline } from "../../src/project/load-inline.js";
import type { AsyncFFIFunction } from "../../src/values/types.js";
import { cleanupTempDirs, tempDir } from "../compiler/helpers.js";

const KERNELS = String.raw`
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace {
std::atomic<int> g_stage{0};  // 0 idle, 1 the JS thread is in wait_stage, 2 the kernel thread is done
std::string Describe(const tvm::ffi::Error& e) { return std::string(e.kind()) + ": " + std::string(e.message()); }
bool WaitFor(int stage) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (g_stage.load() != stage && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return g_stage.load() == stage;
}
}  // namespace

// Calls f(k) for k in [0, threads * n) from 'threads' threads of its own; returns the sum.
int64_t threads_call(tvm::ffi::Function f, int64_t threads, int64_t n) {
  std::atomic<int64_t> sum{0};
  std::mutex mu;
  std::optional<tvm::ffi::Error> error;
  std::vector<std::thread> ts;
  for (int64_t t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      try {
        for (int64_t i = 0; i < n; ++i) sum += f(t * n + i).cast<int64_t>();
      } catch (const tvm::ffi::Error& e) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = e;
      }
    });
  for (auto& th : ts) th.join();
  if (error) throw *error;  // the callback's error, raised on the kernel's calling thread
  return sum;
}

// Its thread calls f once the JS thread is inside wait_stage (a synchronous call).
tvm::ffi::String call_when_js_blocked(tvm::ffi::Function f) {
  std::string out;
  std::thread th([&] {
    if (!WaitFor(1)) { out = "timeout"; return; }
    try { f(1); out = "ok"; } catch (const tvm::ffi::Error& e) { out = Describe(e); }
    g_stage.store(2);
  });
  th.join();
  return out;
}

// Its thread calls f at once (and waits for the JS thread), then marks stage 2.
tvm::ffi::String call_now(tvm::ffi::Function f) {
  std::string out;
  std::thread th([&] {
    try { f(1); out = "ok"; } catch (const tvm::ffi::Error& e) { out = Describe(e); }
    g_stage.store(2);
  });
  th.join();
  return out;
}

// Synchronous: waits until a kernel thread marks stage 2 (it depends on that thread).
bool wait_stage() {
  int idle = 0;
  g_stage.compare_exchange_strong(idle, 1);
  bool ok = WaitFor(2);
  g_stage.store(0);
  return ok;
}

// Synchronous: calls starter (JS, which may start async calls), then waits until a kernel
// thread marks stage 2.
bool wait_after(tvm::ffi::Function starter) {
  g_stage.store(0);
  starter();
  bool ok = WaitFor(2);
  g_stage.store(0);
  return ok;
}

int64_t sleep_ms(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); return ms; }
`;
const FUNCTIONS = ["threads_call", "call_when_js_blocked", "call_now", "wait_stage", "wait_after", "sleep_ms"];

type Fns = Record<string, AsyncFFIFunction>;
let session: ExecutionSession;
let k: Fns;

beforeAll(async () => {
  const cacheDir = await tempDir();
  session = new ExecutionSession();
  k = (await loadInline({ name: "async_threads", cppSources: KERNELS, functions: FUNCTIONS, cacheDir, session })) as unknown as Fns;
}, 240_000);

afterAll(async () => {
  session.dispose();
  await cleanupTempDirs();
});

describe("callbacks from a kernel's own threads", () => {
  it("during an async call: run on the JS thread while the kernel thread waits", async () => {
    const seen: number[] = [];
    const cb = (x: number): number => {
      seen.push(x); // JS state: this runs on the JS thread, one call at a time
      return x * 2;
    };
    // 4 threads x 50 calls: sum of 2k for k < 200
    expect(await k.threads_call!.async(cb, 4, 50)).toBe(2 * ((199 * 200) / 2));
    expect(seen.length).toBe(200);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("the callback's error travels back through the kernel to the Promise", async () => {
    const cb = (x: number): number => {
      if (x === 7) throw new RangeError("no seven");
      return x;
    };
    await expect(k.threads_call!.async(cb, 2, 10)).rejects.toThrow(/no seven/);
  });

  it("the event loop keeps running while kernel threads call back", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      let calls = 0;
      const cb = (x: number): number => {
        calls++;
        return x;
      };
      const p = k.threads_call!.async(cb, 2, 20);
      await new Promise((r) => setTimeout(r, 50));
      expect(await p).toBe((39 * 40) / 2);
      expect(calls).toBe(40);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it("outside async calls (a synchronous call): the clear 'not its JavaScript thread' error", () => {
    expect(() => k.threads_call!((x: number) => x, 1, 1)).toThrow(/not its JavaScript thread/);
  });

  it("while the JS thread is blocked in a synchronous call: a clear error, not a deadlock", async () => {
    const p = k.call_when_js_blocked!.async((x: number) => x);
    // The JS thread now blocks in wait_stage until the kernel thread is done: waiting for the
    // JS thread there would deadlock.
    expect(k.wait_stage!()).toBe(true);
    expect(await p).toMatch(/^RuntimeError: JS function .* blocked in a synchronous call/);
  });

  it("a kernel thread already waiting gives up when the JS thread enters a synchronous call", async () => {
    const p = k.call_now!.async((x: number) => x);
    // Busy (no event loop turn) long enough for the kernel thread to queue its callback.
    const until = Date.now() + 200;
    while (Date.now() < until);
    expect(k.wait_stage!()).toBe(true);
    expect(await p).toMatch(/^RuntimeError: JS function .* synchronous call/);
  });

  it("an async call started from a callback inside a synchronous call: its kernel thread is refused too", async () => {
    let p: Promise<unknown> | undefined;
    // wait_after (sync) calls the starter, which starts call_now's thread, then waits for that
    // thread: the thread's callback must not wait for the JS thread.
    expect(k.wait_after!(() => void (p = k.call_now!.async((x: number) => x)))).toBe(true);
    expect(await p).toMatch(/^RuntimeError: JS function .* synchronous call/);
  });

  it("a synchronous call of a thread-spawning kernel while async calls run: refused clearly", async () => {
    const running = k.sleep_ms!.async(300);
    expect(() => k.threads_call!((x: number) => x, 1, 1)).toThrow(/blocked in a synchronous call/);
    expect(await running).toBe(300);
  });
});
