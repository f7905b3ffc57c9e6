/// <reference lib="es2024.arraybuffer" />
// (resizable ArrayBuffer below: Node 20 has it; the project's lib is ES2022)
// fn.async: kernels off the event loop (docs/async.md). Real JIT kernels (loadInline, clang),
// the toolkit's pool, AbortSignal cancellation through TVMFFIEnvCheckSignals, callbacks run on
// the JS thread, pinned arguments, errors, dispose while running.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisposedError, FFIError } from "../../src/errors.js";
import { ExecutionSession } from "../../src/jit/index.js";
import { loadInline } from "../../src/project/load-inline.js";
import { asyncThreads, setAsyncThreads } from "../../src/values/async.js";
import { getGlobalFunc, registerGlobalFunc, removeGlobalFunc } from "../../src/values/functions.js";
import { Tensor } from "../../src/values/tensor.js";
import type { AsyncFFIFunction } from "../../src/values/types.js";
import { cleanupTempDirs, tempDir } from "../compiler/helpers.js";
import { ASYNC_FUNCTIONS, ASYNC_KERNELS } from "./kernels.js";

type Fns = Record<string, AsyncFFIFunction>;
let session: ExecutionSession;
let cacheDir: string;
let k: Fns;

async function load(name: string, s = session): Promise<Fns & { library: { dispose(): void; disposed: boolean } }> {
  const mod = await loadInline({ name, cppSources: ASYNC_KERNELS, functions: ASYNC_FUNCTIONS, cacheDir, session: s });
  return mod as unknown as Fns & { library: { dispose(): void; disposed: boolean } };
}

beforeAll(async () => {
  cacheDir = await tempDir();
  session = new ExecutionSession();
  k = await load("async_kernels");
}, 240_000);

afterAll(async () => {
  session.dispose();
  await cleanupTempDirs();
});

/** Settles `p` and says how: ["ok", value] or ["err", error]. */
async function outcome<T>(p: Promise<T>): Promise<["ok", T] | ["err", unknown]> {
  try {
    return ["ok", await p];
  } catch (e) {
    return ["err", e];
  }
}

describe("fn.async", () => {
  it("resolves to what the sync call returns; the event loop keeps ticking during a 500 ms kernel", async () => {
    expect(await k.add!.async(2, 3)).toBe(k.add!(2, 3));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      expect(await k.work_ms!.async(500)).toBe(500);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(40);
  });

  it("runs on the toolkit's pool, not the JS thread", async () => {
    expect(asyncThreads()).toBeGreaterThanOrEqual(1);
    expect(await k.thread_tag!.async()).not.toBe(k.thread_tag!());
    expect(() => setAsyncThreads(asyncThreads() + 1)).toThrow(/already runs/);
    expect(() => setAsyncThreads(0)).toThrow(RangeError);
  });

  it("10,000 concurrent small calls all resolve correctly", async () => {
    const n = 10_000;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => k.add!.async(i, 2 * i)));
    expect(results.every((r, i) => r === 3 * i)).toBe(true);
  });

  it("bad arguments reject (never throw) with the sync call's error", async () => {
    let syncErr: unknown;
    try {
      k.add!("x", 1);
    } catch (e) {
      syncErr = e;
    }
    const p = k.add!.async("x", 1);
    expect(p).toBeInstanceOf(Promise);
    const [how, err] = await outcome(p);
    expect(how).toBe("err");
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe((syncErr as Error).message);
  });

  it("kernel errors reject with the same FFIError (kind, message)", async () => {
    let syncErr: FFIError | undefined;
    try {
      k.fail!(3);
    } catch (e) {
      syncErr = e as FFIError;
    }
    const [how, err] = await outcome(k.fail!.async(3));
    expect(how).toBe("err");
    expect(err).toBeInstanceOf(FFIError);
    expect((err as FFIError).kind).toBe("ValueError");
    expect((err as FFIError).message).toBe(syncErr!.message);
    expect((err as FFIError).message).toMatch(/bad value 3/);
  });
});

describe("memory", () => {
  it("typed arrays stay alive and in place under GC pressure until the Promise settles", async () => {
    const len = 1 << 20; // 8 MB each
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) pending.push(k.sum_after!.async(new Float64Array(len).fill(i), 20)); // no reference kept
    const garbage: Float64Array[] = [];
    for (let i = 0; i < 40; i++) garbage.push(new Float64Array(len / 4).fill(1)); // pressure while they run
    garbage.length = 0;
    const sums = await Promise.all(pending);
    expect(sums).toEqual(Array.from({ length: 12 }, (_, i) => i * len));
  });

  it("an ArrayBuffer lent to a running call cannot be moved away: a transfer copies or throws", async () => {
    const x = new Float64Array(1024);
    const p = k.fill_after!.async(x, 7, 150);
    let threw: unknown;
    try {
      structuredClone(x.buffer, { transfer: [x.buffer] });
    } catch (e) {
      threw = e;
    }
    // Node 20: the transfer copied (x keeps its memory); Node >= 21: DataCloneError.
    if (threw) expect((threw as Error).name).toBe("DataCloneError");
    expect(x.length).toBe(1024);
    await p;
    expect(x.every((v) => v === 7)).toBe(true);
  });

  it("refuses a typed array over a resizable ArrayBuffer (resize() could free what the kernel reads)", async () => {
    const x = new Float64Array(new ArrayBuffer(64, { maxByteLength: 128 }));
    const [how, err] = await outcome(k.sum_after!.async(x, 0));
    expect(how).toBe("err");
    expect((err as Error).message).toMatch(/argument #0 of 'sum_after'.*resizable/);
  });

  it("a Tensor disposed while its call runs stays valid for the kernel", async () => {
    const t = Tensor.from(new Float64Array([1, 2, 3]));
    const p = k.sum_after!.async(t, 100);
    t.dispose();
    expect(await p).toBe(6);
  });
});

describe("cancellation", () => {
  it("an aborted signal rejects at once with an AbortError", async () => {
    const c = new AbortController();
    c.abort();
    const [how, err] = await outcome(k.work_ms!.with({ signal: c.signal }).async(10_000));
    expect(how).toBe("err");
    expect((err as Error).name).toBe("AbortError");
  });

  it("aborting a call that has not started rejects it before the calls ahead of it finish", async () => {
    const order: string[] = [];
    const blockers = Array.from({ length: asyncThreads() }, () => k.sleep_blind!.async(400).then(() => order.push("blocker")));
    const c = new AbortController();
    const queued = k.add!.with({ signal: c.signal }).async(1, 2).then(
      () => order.push("queued resolved"),
      (e: Error) => order.push(`queued ${e.name}`),
    );
    c.abort();
    await Promise.all([...blockers, queued]);
    expect(order[0]).toBe("queued AbortError");
    expect(order.filter((o) => o === "blocker")).toHaveLength(asyncThreads());
  });

  it("a running kernel sees the abort through TVMFFIEnvCheckSignals; the Promise rejects with an AbortError", async () => {
    const c = new AbortController();
    const p = k.work_ms!.with({ signal: c.signal }).async(60_000);
    setTimeout(() => c.abort(), 50);
    const [how, err] = await outcome(p);
    expect(how).toBe("err");
    expect((err as Error).name).toBe("AbortError");
    expect((err as Error & { cause: FFIError }).cause).toBeInstanceOf(FFIError);
    expect((err as Error & { cause: FFIError }).cause.kind).toBe("AbortError");
    // a finished call ignores a later abort
    const c2 = new AbortController();
    expect(await k.add!.with({ signal: c2.signal }).async(1, 1)).toBe(2);
    c2.abort();
  });

  it("with() checks its options", () => {
    expect(() => k.add!.with({ signal: 1 as unknown as AbortSignal })).toThrow(/AbortSignal/);
    expect(() => k.add!.with(null as unknown as object)).toThrow(/options/);
  });
});

describe("callbacks", () => {
  it("a JS function called from the pool thread runs on its JS thread while the kernel waits", async () => {
    const seen: number[] = [];
    const total = await k.call_each!.async((i: number) => {
      seen.push(i); // plain JS state: this runs on the test's thread
      return i * 2;
    }, 100);
    expect(total).toBe(9900);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("a global function has .async too; a JS-registered one runs on the JS thread", async () => {
    let onJsThread = false;
    registerGlobalFunc("async_test.add", (a: number, b: number) => {
      onJsThread = true;
      return a + b;
    });
    try {
      expect(await getGlobalFunc("async_test.add").async(20, 22)).toBe(42);
      expect(onJsThread).toBe(true);
    } finally {
      removeGlobalFunc("async_test.add");
    }
  });

  it("a callback's error travels back: the Promise rejects with the thrown JS error", async () => {
    const boom = new RangeError("boom from JS");
    const [how, err] = await outcome(k.call_each!.async(() => {
      throw boom;
    }, 3));
    expect(how).toBe("err");
    expect(err).toBe(boom);
  });

  it("a callback kept past its async call and called from another thread gets a clear error", async () => {
    await k.keep!.async((x: number) => x);
    const msg = k.call_kept_on_thread!() as string;
    expect(msg).toMatch(/RuntimeError: JS function .* not its JavaScript thread/);
    k.forget!();
  });
});

describe("teardown", () => {
  it("disposing a library waits for its running calls; new calls are refused", async () => {
    const own = new ExecutionSession();
    try {
      const m = await load("async_dispose", own);
      const p = m.work_ms!.async(300);
      m.library.dispose();
      expect(m.library.disposed).toBe(true);
      expect(() => m.add!(1, 2)).toThrow(DisposedError);
      const [how, err] = await outcome(m.add!.async(1, 2));
      expect(how).toBe("err");
      expect(err).toBeInstanceOf(DisposedError);
      expect(await p).toBe(300); // the running call completes on mapped code
    } finally {
      own.dispose();
    }
  });

  it("disposing the session waits as well", async () => {
    const own = new ExecutionSession();
    const m = await load("async_dispose_session", own);
    const p = m.work_ms!.async(200);
    own.dispose();
    expect(await p).toBe(200);
  });
});
