// Non-blocking calls (docs/async.md): `fn.async(...args)` runs the kernel on the toolkit's
// thread pool and returns a Promise of what `fn(...args)` returns; `fn.with({ signal })`
// gives the same call with options (an AbortSignal), so options never mix with arguments.
import { FFIError } from "../errors.js";
import { values } from "./native.js";
import { asyncChecks } from "./signature.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/** Options of one call (`fn.with(options)`). */
export interface CallOptions {
  /**
   * Aborting it rejects the call's Promise with an AbortError: at once when the kernel has not
   * started, else when the kernel next polls `TVMFFIEnvCheckSignals()` (which then returns
   * non-zero); a kernel that never polls runs to completion and its result is delivered.
   */
  readonly signal?: AbortSignal;
}

/** The async forms of a function `F` (same arguments, a Promise of the same result). */
export interface AsyncCalls<F extends AnyFunction> {
  /** Runs the call on the toolkit's thread pool; the event loop keeps running meanwhile. */
  async(...args: Parameters<F>): Promise<ReturnType<F>>;
  /** The call with options: `fn.with({ signal }).async(...args)`. */
  with(options: CallOptions): { async(...args: Parameters<F>): Promise<ReturnType<F>> };
}

function abortError(name: string, reason: unknown, cause: unknown): Error {
  const e = new DOMException(`async call of '${name}' was aborted`, "AbortError");
  Object.defineProperty(e, "cause", { value: cause ?? reason, configurable: true, writable: true });
  Object.defineProperty(e, "reason", { value: reason, configurable: true, writable: true });
  return e;
}

function start(fn: AnyFunction, args: unknown[], signal: AbortSignal | undefined): Promise<unknown> {
  // [k12t] Declared result types (signature.ts): what sync calls check natively.
  const result = asyncChecks.get(fn)?.result;
  if (result) return startUnchecked(fn, args, signal).then(result);
  return startUnchecked(fn, args, signal);
}

function startUnchecked(fn: AnyFunction, args: unknown[], signal: AbortSignal | undefined): Promise<unknown> {
  try {
    if (signal === undefined) return values().callAsync(fn, args, false) as Promise<unknown>;
    if (signal.aborted) return Promise.reject(abortError(fn.name, signal.reason, undefined));
    const [promise, cancel] = values().callAsync(fn, args, true) as [Promise<unknown>, () => boolean];
    const onAbort = (): void => void cancel();
    signal.addEventListener("abort", onAbort, { once: true });
    return promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        return v;
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted && e instanceof FFIError && e.kind === "AbortError") throw abortError(fn.name, signal.reason, e);
        throw e;
      },
    );
  } catch (e) {
    return Promise.reject(e); // bad arguments, a disposed library: rejected, never thrown
  }
}

function checkOptions(options: unknown): CallOptions {
  if (typeof options !== "object" || options === null) throw new TypeError("fn.with(options): 'options' must be an object such as { signal }");
  const { signal } = options as CallOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError("fn.with(options): 'signal' must be an AbortSignal");
  return { signal };
}

/**
 * Gives `fn` its `async` and `with` members. `target` returns the function to call (a watch
 * handle forwards to the newest generation); by default `fn` itself.
 */
export function attachAsync(fn: AnyFunction, target: () => AnyFunction = () => fn): void {
  const asyncCall = (...args: unknown[]): Promise<unknown> => start(target(), args, undefined);
  Object.defineProperty(fn, "async", { value: asyncCall, enumerable: false, configurable: false, writable: false });
  const withOptions = (options: CallOptions): { async(...args: unknown[]): Promise<unknown> } => {
    const { signal } = checkOptions(options);
    return Object.freeze({ async: (...args: unknown[]): Promise<unknown> => start(target(), args, signal) });
  };
  Object.defineProperty(fn, "with", { value: withOptions, enumerable: false, configurable: false, writable: false });
}

/** Threads of the async call pool (ORCJIT_THREADS or the number of cores unless set). */
export function asyncThreads(): number {
  return values().asyncThreads();
}

/**
 * Sets the size of the async call pool. Only before the first async call (the pool starts
 * then); throws afterwards. ORCJIT_THREADS sets it from the environment.
 */
export function setAsyncThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new RangeError("setAsyncThreads(n): 'n' must be an integer from 1 to 1024");
  if (!values().setAsyncThreads(n) && values().asyncThreads() !== n)
    throw new Error(`setAsyncThreads(${n}): the pool already runs with ${values().asyncThreads()} threads (set it before the first async call, or with ORCJIT_THREADS)`);
}

/**
 * Runs the synchronous `body` with Ctrl-C wired to kernel cancellation: while it runs, SIGINT
 * makes `TVMFFIEnvCheckSignals()` return non-zero in the kernel (which then fails with an
 * FFIError of kind "AbortError"); a second Ctrl-C ends the process. `orcjit run` uses it.
 */
export function withInterrupt<T>(body: () => T): T {
  values().setInterruptHandler(true);
  try {
    return body();
  } finally {
    values().setInterruptHandler(false);
  }
}
