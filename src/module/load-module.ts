// loadModule(path): a relocatable object (.o) through the JIT, or a shared library (.so,
// .dylib) through the system loader, behind one Module API: getFunction(name) and property
// calls (mod.add_one(1)).
import { extname, basename, resolve } from "node:path";
import { existsSync } from "node:fs";
import { ObjectFileError, SymbolNotFoundError } from "../errors.js";
import { type DynamicLibrary, defaultSession, type ExecutionSession } from "../jit/index.js";
import type { PackedFunction } from "../values/functions.js";
import { values } from "../values/native.js";
import { checkOptions, optionKeys } from "../util/options.js";

export interface LoadModuleOptions {
  /** Session for objects (default: defaultSession()). */
  session?: ExecutionSession;
  /** Library name (default: the file name). */
  name?: string;
}

const MEMBERS = new Set(["kind", "path", "name", "library", "getFunction", "hasFunction", "dispose", "constructor", "then", "toString", "toJSON", "valueOf", "__proto__"]);

/** A loaded module; exported functions are also properties (a Proxy). */
export class Module {
  /** "jit" for objects linked by the JIT, "shared" for dlopen'ed libraries. */
  readonly kind: "jit" | "shared";
  readonly path: string;
  readonly name: string;
  /** The JIT library (kind "jit"). */
  readonly library: DynamicLibrary | undefined;
  #handle: object | undefined;
  #cache = new Map<string, PackedFunction>();

  /** @internal Use loadModule. */
  constructor(kind: "jit" | "shared", path: string, name: string, library: DynamicLibrary | undefined, handle: object | undefined) {
    this.kind = kind;
    this.path = path;
    this.name = name;
    this.library = library;
    this.#handle = handle;
    return new Proxy(this, {
      get(target, prop) {
        if (typeof prop !== "string" || MEMBERS.has(prop) || prop in target) {
          const v = Reflect.get(target, prop, target) as unknown;
          // Methods run on the target (private fields are not reachable through the proxy).
          return typeof v === "function" && prop !== "constructor" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        }
        return target.getFunction(prop);
      },
    });
  }

  /** The function `name` (symbol `__tvm_ffi_<name>`); SymbolNotFoundError if absent. */
  getFunction(name: string): PackedFunction {
    const f = this.#lookup(name);
    if (!f) throw new SymbolNotFoundError(`module '${this.name}' has no function '${name}' (no exported symbol __tvm_ffi_${name})`);
    return f;
  }

  hasFunction(name: string): boolean {
    try {
      return this.#lookup(name) !== undefined;
    } catch (e) {
      if (e instanceof SymbolNotFoundError) return false;
      throw e;
    }
  }

  /** Disposes the JIT library (deferred while values it returned are alive). Shared libraries stay loaded. */
  dispose(): void {
    this.#cache.clear();
    this.library?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return `Module(${this.kind}, ${this.path})`;
  }

  #lookup(name: string): PackedFunction | undefined {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("Module.getFunction(name): 'name' must be a non-empty string");
    let f = this.#cache.get(name);
    if (f) return f;
    if (this.library) {
      try {
        f = this.library.getFunction(name) as PackedFunction;
      } catch (e) {
        if (e instanceof SymbolNotFoundError) return undefined;
        throw e;
      }
    } else {
      f = (values().sharedGetFunction(this.#handle!, name) as PackedFunction | null) ?? undefined;
    }
    if (f) this.#cache.set(name, f);
    return f;
  }
}

/** Exported functions are properties: `mod.add_one(1)`. */
export type LoadedModule = Module & Record<string, PackedFunction>;

const LOAD_MODULE_OPTION_KEYS = optionKeys<LoadModuleOptions>({ session: true, name: true });

/**
 * Loads a module: `.o`/`.obj` through the JIT (a new library in the session, linked at once:
 * static constructors run before loadModule returns), anything else (`.so`, `.dylib`) with the system loader. The shared
 * library resolves TVMFFI* against this addon and is never unloaded.
 */
export function loadModule(path: string, options: LoadModuleOptions = {}): LoadedModule {
  checkOptions("loadModule(path, options)", options, LOAD_MODULE_OPTION_KEYS);
  if (typeof path !== "string" || path.length === 0) throw new TypeError("loadModule(path): 'path' must be a non-empty string");
  const full = resolve(path);
  if (!existsSync(full)) throw new ObjectFileError(`loadModule: '${path}' does not exist`);
  const ext = extname(full).toLowerCase();
  const name = options.name ?? basename(full);
  if (ext === ".o" || ext === ".obj") {
    const lib = (options.session ?? defaultSession()).createLibrary(name);
    try {
      lib.add(full);
      // Link now, like a shared library load: static constructors (type and global function
      // registrations) run here, and link errors surface from loadModule.
      const linkable = lib as DynamicLibrary & { link?: () => unknown };
      if (typeof linkable.link === "function") linkable.link();
      else lib.symbolAddress("__tvm_ffi__library_ctx");
    } catch (e) {
      lib.dispose();
      throw e;
    }
    return new Module("jit", full, name, lib, undefined) as LoadedModule;
  }
  let handle: object;
  try {
    handle = values().openShared(full);
  } catch (cause) {
    throw new ObjectFileError((cause as Error).message, { cause });
  }
  return new Module("shared", full, name, undefined, handle) as LoadedModule;
}
