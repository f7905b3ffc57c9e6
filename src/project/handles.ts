// Stable function handles of a project: one per (library, function), each calling that function
// in the generation serving now. A generation swap (generation.ts) points them at the new code,
// so a handle from `project.library(n).getFunction(f)` survives rebuildLibraries / reload.
// Replaced generations are disposed only once no call through a handle is running.
import type { DynamicLibrary } from "../jit/index.js";
import type { CallOptions } from "../values/async.js";
import type { AsyncFFIFunction, FFIValue } from "../values/types.js";

/** A function handle that always calls the newest generation of its library. */
export type StableFunction = AsyncFFIFunction & StableFunctionInfo;

/**
 * What a stable handle adds to the function it forwards to. Kept apart from StableFunction's
 * call signature so that `KernelFunction<N, K> & StableFunctionInfo` keeps only the typed call
 * (intersecting two function types would add the untyped overload back).
 */
export interface StableFunctionInfo {
  readonly library: string;
  readonly functionName: string;
}

/** One handle: what it calls now. */
export interface HandleState {
  readonly library: string;
  readonly name: string;
  impl: AsyncFFIFunction;
  readonly handle: StableFunction;
}

/** What `start` returns, or its error as a rejection: an async call never throws. */
export function settle<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (e) {
    return Promise.reject(e as Error);
  }
}

function nativeOf(state: HandleState): AsyncFFIFunction {
  const f = state.impl;
  if (!("async" in f)) (f as () => unknown)();
  return f;
}

/**
 * The serving generation's fn.exact (with its async forms), else the error a call throws: a
 * removed library's, or a TypeError when that generation declares no int result.
 */
function exactOf(state: HandleState): AsyncFFIFunction {
  const f = nativeOf(state).exact;
  if (!f) throw new TypeError(`'${state.library}.${state.name}' has no exact form now: its serving generation declares no int result`);
  return f as AsyncFFIFunction;
}

/** The handles of one project, the calls running through them, and the generations waiting for those calls. */
export class FunctionHandles {
  #states = new Map<string, HandleState>();
  #inFlight = 0;
  #retiring: DynamicLibrary[] = [];

  /** The handle of `library.name`; the first request resolves it with `resolve` (which may throw). */
  get(library: string, name: string, resolve: () => AsyncFFIFunction): StableFunction {
    const key = `${library}\0${name}`;
    const existing = this.#states.get(key);
    if (existing) return existing.handle;
    const state = this.#create(library, name, resolve());
    this.#states.set(key, state);
    return state.handle;
  }

  /** Every handle, in creation order. */
  all(): HandleState[] {
    return [...this.#states.values()];
  }

  /** Disposes `old` (dependencies first in the list: disposed in reverse) now, or after the outermost running call. */
  retire(old: DynamicLibrary[]): void {
    if (old.length === 0) return;
    this.#retiring.push(...old);
    if (this.#inFlight === 0) this.disposeRetired();
  }

  /** Disposes every retired generation now (project disposal). */
  disposeRetired(): void {
    // dependents first: their destructors may still use what they link against
    for (const d of this.#retiring.splice(0).reverse()) d.dispose();
  }

  #create(library: string, name: string, impl: AsyncFFIFunction): HandleState {
    const state = { library, name, impl } as { -readonly [K in keyof HandleState]: HandleState[K] };
    const call = this.#counted(name, () => state.impl);
    // [k12q] fn.exact (declared int results, docs/types.md#int-results) of the serving
    // generation, counted as a call: a generation retired during it waits for it too.
    const exact = this.#counted(name, () => exactOf(state));
    Object.defineProperties(exact, {
      signature: { get: () => state.impl.exact?.signature },
      async: { value: (...args: FFIValue[]) => settle(() => exactOf(state).async(...args)) },
      with: { value: (options: CallOptions) => Object.freeze({ async: (...args: FFIValue[]) => settle(() => exactOf(state).with(options).async(...args)) }) },
    });
    Object.defineProperties(call, {
      library: { value: library, enumerable: true },
      functionName: { value: name, enumerable: true },
      // the serving generation's metadata (it may change with a rebuild)
      signature: { get: () => state.impl.signature },
      doc: { get: () => state.impl.doc },
      signatureError: { get: () => state.impl.signatureError },
      exact: { get: () => (state.impl.exact ? exact : undefined) },
    });
    // handle.async / handle.with(options).async run the serving generation's function on the
    // pool; without one (a removed library) they reject with the error a call throws
    Object.defineProperties(call, {
      async: { value: (...args: FFIValue[]) => settle(() => nativeOf(state).async(...args)) },
      with: { value: (options: CallOptions) => Object.freeze({ async: (...args: FFIValue[]) => settle(() => nativeOf(state).with(options).async(...args)) }) },
    });
    state.handle = call as unknown as StableFunction;
    return state;
  }

  /** A call of what `pick` returns, counted: generations retired meanwhile wait until the outermost call returns. */
  #counted(name: string, pick: () => AsyncFFIFunction): (...args: Parameters<AsyncFFIFunction>) => ReturnType<AsyncFFIFunction> {
    const call = (...args: Parameters<AsyncFFIFunction>): ReturnType<AsyncFFIFunction> => {
      const f = pick();
      // A call may re-enter JS (a callback from C++): a generation retired from there is
      // still on the stack.
      this.#inFlight++;
      try {
        return f(...args);
      } finally {
        if (--this.#inFlight === 0 && this.#retiring.length > 0) this.disposeRetired();
      }
    };
    Object.defineProperty(call, "name", { value: name });
    return call;
  }
}
