// ExecutionSession: one LLVM ORC JIT (LLJIT) in this process, holding dynamic libraries.
import { DisposedError } from "../errors.js";
import type { NativeSession } from "../native/binding.js";
import { addon } from "../values/native.js";
import { DynamicLibrary } from "./library.js";
// Cycle (module -> jit): only used inside loadModule below, after both modules are loaded.
import { loadModule, type LoadModuleOptions, type LoadedModule, type ModuleInput } from "../module/load-module.js";

export interface ExecutionSessionOptions {
  /**
   * Address space reserved up front for JIT code and data, in bytes (default 1 GiB). It is
   * committed lazily; keeping all JIT memory in one range keeps 32-bit PC-relative fixups
   * in range.
   */
  reserveBytes?: number;
}

const OPTION_KEYS = new Set(["reserveBytes"]);

export class ExecutionSession {
  /** @internal */
  readonly native: NativeSession;
  #disposed = false;
  #libraries = new Set<DynamicLibrary>();

  constructor(options: ExecutionSessionOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("new ExecutionSession(options): options must be an object");
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) {
        throw new TypeError(`new ExecutionSession(options): unknown option '${key}'`);
      }
    }
    const { reserveBytes } = options;
    if (
      reserveBytes !== undefined &&
      (typeof reserveBytes !== "number" || !Number.isSafeInteger(reserveBytes) || reserveBytes <= 0)
    ) {
      throw new TypeError(
        "new ExecutionSession(options): 'reserveBytes' must be a positive integer",
      );
    }
    this.native = new (addon().Session)(reserveBytes === undefined ? {} : { reserveBytes });
  }

  /** True after `dispose()`. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Creates an empty library (its own symbol namespace). `name` (default "lib<N>") is used
   * in error messages.
   */
  createLibrary(name?: string): DynamicLibrary {
    if (name !== undefined && typeof name !== "string") {
      throw new TypeError("ExecutionSession.createLibrary(name): argument 'name' must be a string");
    }
    this.#check();
    const lib = new DynamicLibrary(this, this.native.createLibrary(name ?? ""));
    this.#libraries.add(lib);
    return lib;
  }

  /**
   * loadModule in this session: a path, object-file bytes, or a list of both (linked into
   * one library); see loadModule.
   */
  loadModule(input: ModuleInput, options: Omit<LoadModuleOptions, "session"> = {}): LoadedModule {
    this.#check();
    return loadModule(input, { ...options, session: this });
  }

  /**
   * Disposes every library of this session (running static destructors) and releases the
   * JIT. Idempotent.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.native.dispose();
    this.#libraries.clear();
    if (defaultInstance === this) defaultInstance = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal */
  forget(lib: DynamicLibrary): void {
    this.#libraries.delete(lib);
  }

  #check(): void {
    if (this.#disposed) throw new DisposedError("ExecutionSession has been disposed");
  }
}

let defaultInstance: ExecutionSession | undefined;

/** A process-wide session, created on first use (a new one after it is disposed). */
export function defaultSession(): ExecutionSession {
  defaultInstance ??= new ExecutionSession();
  return defaultInstance;
}
