// ExecutionSession: one LLVM ORC JIT (LLJIT) in this process, holding dynamic libraries.
import { DisposedError } from "../errors.js";
import type { NativeSession } from "../native/binding.js";
import { addon } from "../values/native.js";
import { DynamicLibrary } from "./library.js";
import { checkOptions, optionKeys } from "../util/options.js";

export interface ExecutionSessionOptions {
  /**
   * Address space reserved up front for JIT code and data, in bytes (default 1 GiB). It is
   * committed lazily; keeping all JIT memory in one range keeps 32-bit PC-relative fixups
   * in range.
   */
  reserveBytes?: number;
}

const OPTION_KEYS = optionKeys<ExecutionSessionOptions>({ reserveBytes: true });

/** Options of `ExecutionSession.createLibrary`. */
export interface CreateLibraryOptions {
  /** Register the library's objects with debuggers (GDB JIT interface); default false. */
  debug?: boolean;
}

const CREATE_LIBRARY_OPTION_KEYS = optionKeys<CreateLibraryOptions>({ debug: true });

export class ExecutionSession {
  /** @internal */
  readonly native: NativeSession;
  #disposed = false;

  constructor(options: ExecutionSessionOptions = {}) {
    checkOptions("new ExecutionSession(options)", options, OPTION_KEYS);
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
   * in error messages. With `options.debug`, every object linked into it is registered with
   * debuggers (gdb, lldb) until the library is disposed: docs/debugging.md. Dispose it when
   * done, or drop every reference to it and its functions: it is then disposed after garbage
   * collection (docs/teardown.md).
   */
  createLibrary(name?: string, options?: CreateLibraryOptions): DynamicLibrary {
    if (name !== undefined && typeof name !== "string") {
      throw new TypeError("ExecutionSession.createLibrary(name): argument 'name' must be a string");
    }
    if (options !== undefined) checkOptions("ExecutionSession.createLibrary(name, options)", options, CREATE_LIBRARY_OPTION_KEYS);
    const debug = options?.debug;
    if (debug !== undefined && typeof debug !== "boolean") {
      throw new TypeError("ExecutionSession.createLibrary(name, options): 'options.debug' must be a boolean");
    }
    this.#check();
    // Not remembered here: a library nothing reaches is disposed after GC (docs/teardown.md).
    return new DynamicLibrary(this, this.native.createLibrary(name ?? "", debug === true));
  }

  // loadModule(input, options) in this session: implemented by the module layer
  // (src/module/load-module.ts), which the JIT layer does not import.

  /**
   * Disposes every library of this session (running static destructors) and releases the
   * JIT. Idempotent.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.native.dispose();
    if (defaultInstance === this) defaultInstance = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Libraries of this session whose JIT memory is still held: not yet disposed, or disposed
   * while values they returned are alive. For diagnostics and tests of teardown.
   */
  get libraryCount(): number {
    return this.#disposed ? 0 : this.native.libraryCount;
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
