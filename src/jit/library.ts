// DynamicLibrary: one JITDylib; objects added to it share a symbol namespace.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DisposedError, ObjectFileError } from "../errors.js";
import type { NativeLibrary } from "../native/binding.js";
import type { ExecutionSession } from "./session.js";
import { holdLease, Lease } from "./teardown.js";

import { attachSignature } from "../values/signature.js";
import type { AsyncFFIFunction, FFIValue } from "../values/types.js";
import { attachAsync } from "../values/async.js";
import { checkOptions, optionKeys } from "../util/options.js";

export type { FFIFunction, FFIResult } from "../values/types.js";
/** @deprecated Use FFIValue (every value a function accepts). */
export type FFIArg = FFIValue;

/** Options of `DynamicLibrary.add`. */
export interface AddOptions {
  /** Display name of a byte buffer in errors (ObjectFileError, LinkError). */
  name?: string;
}
const ADD_OPTION_KEYS = optionKeys<AddOptions>({ name: true });

export class DynamicLibrary {
  readonly session: ExecutionSession;
  /** @internal */
  readonly native: NativeLibrary;
  #disposed = false;
  #bytesCount = 0;
  #lease: Lease;

  /** @internal Use ExecutionSession.createLibrary. */
  constructor(session: ExecutionSession, native: NativeLibrary) {
    this.session = session;
    this.native = native;
    // Teardown when unreachable (./teardown.ts): this object and every function taken from
    // it keep the library; when all of them are collected, it is disposed.
    this.#lease = new Lease(native);
    holdLease(this.#lease, this);
  }

  /** @internal `handle` (e.g. a function of this library's code reached another way) keeps the library while it is reachable. */
  retainWhile(handle: object): void {
    holdLease(this.#lease, handle);
  }

  /** @internal Native code may hold this library from now on (JS cannot see it): no teardown by GC. */
  keepResident(): void {
    this.#lease.resident = true;
  }

  get name(): string {
    return this.native.name;
  }

  /** True after `dispose()` on this library or its session. */
  get disposed(): boolean {
    return this.#disposed || this.native.disposed;
  }

  /**
   * Adds a relocatable object file: a path or the object's bytes. Can be called again later
   * (incremental loading); functions obtained earlier stay valid. Code is linked when a
   * function is first looked up. `options.name` names a byte buffer in errors (e.g. the path
   * it was read from) instead of `<bytes #n, N B>`; paths are always named by themselves.
   */
  add(object: string | Uint8Array, options?: AddOptions): this {
    checkOptions("DynamicLibrary.add(object, options)", options, ADD_OPTION_KEYS);
    const name = options?.name;
    if (name !== undefined && (typeof name !== "string" || name.length === 0)) {
      throw new TypeError("DynamicLibrary.add(object, options): 'options.name' must be a non-empty string");
    }
    this.#check("add");
    let bytes: Uint8Array;
    let display: string;
    if (typeof object === "string") {
      try {
        bytes = readFileSync(object);
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code ?? "";
        throw new ObjectFileError(
          `cannot read object file '${object}'${code ? ` (${code})` : ""}`,
          { cause },
        );
      }
      display = object;
    } else if (object instanceof Uint8Array) {
      bytes = object;
      ++this.#bytesCount;
      display = name ?? `<bytes #${this.#bytesCount}, ${object.byteLength} B>`;
    } else {
      throw new TypeError(
        "DynamicLibrary.add(object): argument 'object' must be a path (string) or a Uint8Array",
      );
    }
    this.native.add(bytes, display);
    return this;
  }

  /**
   * Loads a shared library (`dlopen`, `RTLD_NOW | RTLD_LOCAL`) and resolves this library's
   * undefined symbols from it and its dependencies: after its own objects, its link-order
   * libraries and the runtime, before the host process. A path with a `/` is resolved against
   * the working directory; a bare name (`libm.so.6`) is searched like `dlopen` does. Its
   * functions and data are reached through GOT/PLT entries (objects must be `-fPIC`). The
   * handle is closed after this library's memory is freed. Throws ObjectFileError (LinkError
   * when the .so itself has unresolved symbols) naming the path and the `dlerror()` text.
   */
  addSharedLibrary(path: string): this {
    if (typeof path !== "string" || path.length === 0) {
      throw new TypeError(
        "DynamicLibrary.addSharedLibrary(path): argument 'path' must be a non-empty string",
      );
    }
    this.#check("addSharedLibrary");
    this.native.addSharedLibrary(path.includes("/") ? resolve(path) : path);
    return this;
  }

  /**
   * Sets the libraries (of the same session) searched, in order, for symbols this library
   * does not define. Call before adding objects that need them.
   */
  setLinkOrder(libs: readonly DynamicLibrary[] | DynamicLibrary): void {
    const list = libs instanceof DynamicLibrary ? [libs] : libs;
    if (!Array.isArray(list)) {
      throw new TypeError(
        "DynamicLibrary.setLinkOrder(libs): argument 'libs' must be an array of DynamicLibrary",
      );
    }
    this.#check("setLinkOrder");
    const natives: NativeLibrary[] = [];
    const leases: Lease[] = [];
    list.forEach((lib: unknown, i: number) => {
      if (!(lib instanceof DynamicLibrary)) {
        throw new TypeError(
          `DynamicLibrary.setLinkOrder(libs): element ${i} of argument 'libs' is not a DynamicLibrary`,
        );
      }
      if (lib.session !== this.session) {
        throw new TypeError(
          `DynamicLibrary.setLinkOrder(libs): library '${lib.name}' belongs to another ExecutionSession`,
        );
      }
      if (lib === this) {
        throw new TypeError(
          `DynamicLibrary.setLinkOrder(libs): library '${lib.name}' cannot be in its own link order`,
        );
      }
      if (lib.disposed) throw new DisposedError(`library '${lib.name}' has been disposed`);
      natives.push(lib.native);
      leases.push(lib.#lease);
    });
    this.native.setLinkOrder(natives);
    this.#lease.linkTo(leases); // they stay loaded while this library is (./teardown.ts)
  }

  /**
   * Returns a callable for the TVM-FFI function `name` (symbol `__tvm_ffi_<name>`). The first
   * lookup links the code it needs and runs new static constructors. Throws
   * SymbolNotFoundError if the library does not export it, LinkError if linking fails.
   * When the export has metadata (`__tvm_ffi__metadata_<name>`, docs/types.md) the function
   * has `signature` and `doc`, and its calls are checked and converted by the declared types;
   * malformed metadata leaves it untyped with `signatureError` set.
   */
  getFunction(name: string): AsyncFFIFunction {
    if (typeof name !== "string" || name.length === 0) {
      throw new TypeError(
        "DynamicLibrary.getFunction(name): argument 'name' must be a non-empty string",
      );
    }
    this.#check("getFunction");
    const fn = this.native.getFunction(name) as AsyncFFIFunction;
    holdLease(this.#lease, fn);
    attachAsync(fn); // [i16] fn.async / fn.with (docs/async.md)
    attachSignature(fn, name, (symbol) =>
      this.native.symbolAddress(symbol) === null ? undefined : this.native.getFunction(symbol.slice("__tvm_ffi_".length))(),
    "export", () => {
      // fn.exact (docs/types.md#int-results): another handle of the export, as getFunction's.
      this.#check("getFunction");
      const exact = this.native.getFunction(name) as AsyncFFIFunction;
      holdLease(this.#lease, exact);
      attachAsync(exact);
      return exact;
    });
    return fn;
  }

  /**
   * Address of a symbol (any visibility) the library defines, linking it, or null when the
   * library does not define it. For diagnostics and tests.
   */
  symbolAddress(symbol: string): bigint | null {
    if (typeof symbol !== "string" || symbol.length === 0) {
      throw new TypeError(
        "DynamicLibrary.symbolAddress(symbol): argument 'symbol' must be a non-empty string",
      );
    }
    this.#check("symbolAddress");
    return this.native.symbolAddress(symbol);
  }

  /**
   * Links every object added so far and runs their static constructors now (otherwise that
   * happens on the first `getFunction`/`symbolAddress`). Needed for registration-only objects
   * that export nothing (e.g. `TVM_FFI_STATIC_INIT_BLOCK` + `GlobalDef`). Idempotent; call it
   * again after further `add`s. Throws LinkError (naming the library) when a symbol is
   * unresolved or a static constructor fails; such an error has `ffiKind`/`ffiMessage` when
   * the constructor raised a TVM-FFI error. A library whose constructor failed stays unusable.
   */
  link(): this {
    this.#check("link");
    this.native.link();
    return this;
  }

  /**
   * Runs the library's static destructors and `__cxa_atexit` registrations, then frees its
   * code. Libraries whose link order names this one are disposed first. Functions obtained
   * from it throw DisposedError afterwards. Idempotent. Without it, the library is disposed
   * after garbage collection once neither it nor any function taken from it is reachable
   * (docs/teardown.md); dispose() is the deterministic way.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (!this.session.disposed) this.native.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #check(method: string): void {
    if (this.disposed) {
      throw new DisposedError(
        `DynamicLibrary.${method}: library '${this.name}' has been disposed`,
      );
    }
  }
}
