// loadModule(input): relocatable objects (paths or bytes, several linked into one library)
// through the JIT, or a shared library (.so, .dylib) through the system loader, behind one
// Module API: getFunction(name) and property calls (mod.add_one(1)). A JIT library that
// embeds __tvm_ffi__library_bin gets its module tree (module.imports).
import { extname, basename, resolve } from "node:path";
import { existsSync } from "node:fs";
import { DisposedError, ObjectFileError, SymbolNotFoundError } from "../errors.js";
import { type DynamicLibrary, defaultSession, ExecutionSession } from "../jit/index.js";
import { getGlobalFunc, type PackedFunction } from "../values/functions.js";
import type { AsyncFFIFunction, KernelFunction, KernelInfo, KernelModules, KernelsOf } from "../values/types.js";
import { attachAsync } from "../values/async.js";
import { attachSignature } from "../values/signature.js";
import { addon, values } from "../values/native.js";
import type { FFIObject } from "../values/object.js";
import { checkOptions, optionKeys } from "../util/options.js";

export interface LoadModuleOptions<N extends string = string, F extends string = never> {
  /** Session for objects (default: defaultSession()). */
  session?: ExecutionSession;
  /** Library name (default: the file name, or "module" for bytes); keys its declarations (KernelModules). */
  name?: N;
  /**
   * Functions the module must export: each is looked up now (SymbolNotFoundError names the
   * first one missing) and typed as a property (`mod.add(1, 2)` compiles under
   * `noUncheckedIndexedAccess`, where an undeclared `mod.add` is possibly undefined).
   */
  functions?: readonly F[];
}

/** What loadModule accepts: a path, an object file's bytes, or a list of them (one library). */
export type ModuleInput = string | Uint8Array | readonly (string | Uint8Array)[];

/** Options of Module.getFunction / hasFunction. */
export interface GetFunctionOptions {
  /** Also search the modules this one imports, depth-first (default false, as in tvm-ffi). */
  queryImports?: boolean;
}

// Teardown when unreachable (docs/teardown.md): the Module holds its DynamicLibrary, whose
// lease (src/jit/teardown.ts) also counts every function the Module hands out; when all of
// them are collected the library is disposed. A module whose ffiModule was read is never torn
// down this way: native code (another module's imports, a C++ holder) may keep it, which JS
// cannot see.

const MEMBERS = new Set(["kind", "path", "name", "library", "imports", "ffiModule", "getFunction", "hasFunction", "dispose", "constructor", "then", "toString", "toJSON", "valueOf", "__proto__"]);

/** A loaded module; exported functions are also properties (a Proxy). */
export class Module<N extends string = string> {
  /**
   * "jit" for objects linked by the JIT, "shared" for dlopen'ed libraries, "imported" for a
   * module of an embedded module tree (`imports`) that is not a JIT library loaded here.
   */
  readonly kind: "jit" | "shared" | "imported";
  /** The file (first path of a list), `<bytes>` for bytes, or the module kind (imported). */
  readonly path: string;
  readonly name: string;
  /** The JIT library (kind "jit"). */
  readonly library: DynamicLibrary | undefined;
  #handle: object | undefined;
  #ffi: FFIObject | undefined;
  #imports: LoadedModule[] | undefined;
  #rootIsLibrary: boolean;
  #cache = new Map<string, PackedFunction>();

  /** @internal Use loadModule. */
  constructor(kind: "jit" | "shared" | "imported", path: string, name: string, library: DynamicLibrary | undefined, handle: object | undefined, ffi?: FFIObject, rootIsLibrary = true) {
    this.kind = kind;
    this.path = path;
    this.name = name;
    this.library = library;
    this.#handle = handle;
    this.#ffi = ffi;
    this.#rootIsLibrary = rootIsLibrary;
    const proxy = new Proxy(this, {
      get(target, prop) {
        if (typeof prop !== "string" || MEMBERS.has(prop) || prop in target) {
          const v = Reflect.get(target, prop, target) as unknown;
          // Methods run on the target (private fields are not reachable through the proxy).
          return typeof v === "function" && prop !== "constructor" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        }
        return target.getFunction(prop);
      },
    });
    return proxy;
  }

  /**
   * The ffi.Module object (JIT and imported modules): the root of the library's module tree.
   * Pass it to C++ (a `Module` parameter) or return it from a `load_from_bytes` loader.
   */
  get ffiModule(): FFIObject | undefined {
    if (this.kind === "jit") this.library?.keepResident(); // native code may hold it from now on
    return this.#ffi;
  }

  /**
   * The modules this one imports: those its `__tvm_ffi__library_bin` declares (created by
   * `ffi.Module.load_from_bytes.<kind>` loaders) or added with ffi.ModuleImportModule.
   */
  get imports(): LoadedModule[] {
    if (this.#imports) return this.#imports;
    if (!this.#ffi) return [];
    const count = getGlobalFunc("ffi.ModuleNumImports")(this.#ffi) as number;
    const getImport = getGlobalFunc("ffi.ModuleGetImport");
    const kindOf = getGlobalFunc("ffi.ModuleGetKind");
    const out: LoadedModule[] = [];
    for (let i = 0; i < count; ++i) {
      const m = getImport(this.#ffi, i) as FFIObject;
      let kind: string;
      try {
        kind = kindOf(m) as string;
      } catch {
        kind = "ffi.Module";
      }
      out.push(new Module("imported", kind, `${this.name}.imports[${i}]`, undefined, undefined, m) as unknown as LoadedModule);
    }
    this.#imports = out;
    return out;
  }

  /** The function `name` (symbol `__tvm_ffi_<name>`); SymbolNotFoundError if absent. */
  getFunction<K extends string>(name: K, options: GetFunctionOptions = {}): KernelFunction<N, K> {
    const f = this.#lookup(name, options.queryImports === true);
    if (!f) throw new SymbolNotFoundError(`module '${this.name}' has no function '${name}' (no exported symbol __tvm_ffi_${name}${options.queryImports ? " in it or its imports" : ""})`);
    return f as KernelFunction<N, K>;
  }

  hasFunction(name: string, options: GetFunctionOptions = {}): boolean {
    try {
      return this.#lookup(name, options.queryImports === true) !== undefined;
    } catch (e) {
      if (e instanceof SymbolNotFoundError) return false;
      throw e;
    }
  }

  /** Disposes the JIT library (deferred while values it returned are alive). Shared libraries stay loaded. */
  dispose(): void {
    this.#cache.clear();
    // Drop our references to the module tree first: a live ffi.Module keeps the library's
    // code mapped after dispose (until the reference goes).
    for (const m of this.#imports ?? []) m.ffiModule?.dispose(); // imports hold no lease
    this.#imports = undefined;
    this.#ffi?.dispose();
    this.library?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return `Module(${this.kind}, ${this.path})`;
  }

  #lookup(name: string, queryImports: boolean): PackedFunction | undefined {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("Module.getFunction(name): 'name' must be a non-empty string");
    const key = queryImports ? `imports:${name}` : name;
    let f = this.#cache.get(key);
    if (f) return f;
    if (this.library && this.#rootIsLibrary && !queryImports) {
      try {
        f = this.library.getFunction(name) as PackedFunction;
      } catch (e) {
        if (e instanceof SymbolNotFoundError) return undefined;
        throw e;
      }
    } else if (this.#handle && (!this.#ffi || (this.#rootIsLibrary && !queryImports))) {
      // The shared library's own export, through dlsym.
      const handle = this.#handle;
      f = (values().sharedGetFunction(handle, name) as PackedFunction | null) ?? undefined;
      if (f) {
        attachAsync(f); // [i16] docs/async.md
        // [k12t] The export's metadata, as for JIT libraries (docs/types.md).
        const get = (n: string): PackedFunction | null => values().sharedGetFunction(handle, n) as PackedFunction | null;
        attachSignature(f, name, (symbol) => {
          const m = get(symbol.slice("__tvm_ffi_".length));
          return m ? m() : undefined;
        }, "value", () => {
          const exact = get(name)!;
          attachAsync(exact);
          return exact;
        });
      }
    } else if (this.#ffi) {
      if (this.library?.disposed) this.library.getFunction(name); // throws DisposedError
      const moduleGetFunction = getGlobalFunc("ffi.ModuleGetFunction");
      const ffi = this.#ffi;
      f = (moduleGetFunction(ffi, name, queryImports) as PackedFunction | null) ?? undefined;
      if (f && this.kind === "jit") this.library?.retainWhile(f); // library.getFunction's own are counted already
      if (f) {
        attachAsync(f); // [k12q] as the other lookups' functions (docs/async.md)
        // [k12t] Metadata through the same lookup (`__tvm_ffi_` + `_metadata_<name>`).
        const get = (n: string): PackedFunction | null => moduleGetFunction(ffi, n, queryImports) as PackedFunction | null;
        const lib = this.kind === "jit" ? this.library : undefined;
        attachSignature(f, name, (symbol) => {
          const m = get(symbol.slice("__tvm_ffi_".length));
          return m ? m() : undefined;
        }, "value", () => {
          const exact = get(name)!;
          lib?.retainWhile(exact);
          attachAsync(exact);
          return exact;
        });
      }
    }
    if (f) {
      this.#cache.set(key, f);
    }
    return f;
  }
}

/**
 * Exported functions are properties: `mod.add_one(1)`; typed from their C++ signatures when
 * declarations for module `N` were generated (KernelModules), like loadInline modules; else
 * the names listed in `functions` (F) are FFIFunctions and any other name is possibly one.
 */
export type LoadedModule<N extends string = string, F extends string = never> = Module<N> &
  (N extends keyof KernelModules
    ? { readonly [K in keyof KernelsOf<N>]: KernelsOf<N>[K] & KernelInfo<KernelsOf<N>[K]> }
    : { readonly [K in F]: AsyncFFIFunction } & Record<string, PackedFunction>);

const OBJECT_EXTS = new Set([".o", ".obj"]);

const LOAD_MODULE_OPTION_KEYS = optionKeys<LoadModuleOptions>({ session: true, name: true, functions: true });

/**
 * Loads a module.
 * - A path to a `.o`/`.obj`, a `Uint8Array` of an object file's bytes, or an array mixing
 *   both: linked by the JIT into one new library of the session (`options.session`, default
 *   `defaultSession()`), at once: static constructors run before loadModule returns. If the
 *   library embeds `__tvm_ffi__library_bin`, its module tree is built (`module.imports`);
 *   a malformed blob or a kind with no loader throws ObjectFileError naming the problem and
 *   its offset.
 * - Any other path (`.so`, `.dylib`): the system loader. The shared library resolves TVMFFI*
 *   against this addon and is never unloaded. It cannot be mixed with objects in a list. It
 *   gets its module tree from `__tvm_ffi__library_bin` too (built once per library), and its
 *   `__tvm_ffi__library_ctx` points at its module.
 */
export function loadModule<N extends string = string, F extends string = never>(input: ModuleInput, options: LoadModuleOptions<N, F> = {}): LoadedModule<N, F> {
  checkOptions("loadModule(input, options)", options, LOAD_MODULE_OPTION_KEYS);
  if (options.functions !== undefined && !Array.isArray(options.functions)) {
    throw new TypeError("loadModule(input, options): 'functions' must be an array of function names");
  }
  const mod = load<N>(input, options);
  try {
    for (const name of options.functions ?? []) mod.getFunction(name);
  } catch (e) {
    mod.dispose();
    throw e;
  }
  return mod as unknown as LoadedModule<N, F>;
}

function load<N extends string>(input: ModuleInput, options: LoadModuleOptions<N, string>): LoadedModule<N> {
  const items: (string | Uint8Array)[] = Array.isArray(input) ? [...(input as (string | Uint8Array)[])] : [input as string | Uint8Array];
  if (items.length === 0) throw new TypeError("loadModule(input): the list of objects is empty");
  const paths: string[] = [];
  items.forEach((item, i) => {
    const where = Array.isArray(input) ? `element ${i} of 'input'` : "'input'";
    if (item instanceof Uint8Array) return;
    if (typeof item !== "string" || item.length === 0) {
      throw new TypeError(`loadModule(input): ${where} must be a path (non-empty string) or a Uint8Array of object-file bytes`);
    }
    const full = resolve(item);
    if (!existsSync(full)) throw new ObjectFileError(`loadModule: '${item}' does not exist`);
    paths.push(full);
  });
  const shared = paths.filter((p) => !OBJECT_EXTS.has(extname(p).toLowerCase()));
  if (shared.length > 0) {
    if (items.length !== 1) {
      throw new TypeError(`loadModule(input): '${shared[0]}' is a shared library; a list may only hold objects (.o/.obj paths or bytes)`);
    }
    return loadShared<N>(shared[0]!, options);
  }
  const first = items[0]!;
  const path = typeof first === "string" ? resolve(first) : "<bytes>";
  const name = options.name ?? (typeof first === "string" ? basename(path) : "module");
  const lib = (options.session ?? defaultSession()).createLibrary(name);
  let root: unknown;
  let rootIsLibrary = true;
  try {
    for (const item of items) lib.add(typeof item === "string" ? resolve(item) : item);
    // Link now, like a shared library load: static constructors (type and global function
    // registrations) run here, and link errors surface from loadModule.
    lib.link();
    // The root of an embedded module tree, unless that is the library itself ("_lib").
    root = lib.native.expandLibraryBin();
    if (root === null) root = lib.native.moduleObject();
    else rootIsLibrary = false;
  } catch (e) {
    lib.dispose();
    throw e;
  }
  return new Module("jit", path, name, lib, undefined, root as FFIObject, rootIsLibrary) as unknown as LoadedModule<N>;
}

function loadShared<N extends string>(full: string, options: LoadModuleOptions<N, string>): LoadedModule<N> {
  let handle: object;
  try {
    handle = values().openShared(full);
  } catch (cause) {
    throw new ObjectFileError((cause as Error).message, { cause });
  }
  // Its module and, when it embeds __tvm_ffi__library_bin, the module tree (made once per
  // library: loading the same .so again returns the same tree).
  let shared: { module: unknown; root: unknown };
  try {
    shared = addon().Library.sharedModule(handle, full);
  } catch (cause) {
    throw cause instanceof ObjectFileError ? cause : new ObjectFileError((cause as Error).message, { cause });
  }
  const root = (shared.root ?? shared.module) as FFIObject;
  return new Module("shared", full, options.name ?? basename(full), undefined, handle, root, shared.root === null) as unknown as LoadedModule<N>;
}

// ExecutionSession.loadModule lives here, in the module layer: the JIT layer never imports
// modules (docs/architecture.md#layers). The declaration merges into the class; this file is
// loaded wherever the package exports ExecutionSession (src/index.ts exports loadModule too).
declare module "../jit/session.js" {
  interface ExecutionSession {
    /**
     * loadModule in this session: a path, object-file bytes, or a list of both (linked into
     * one library); see loadModule.
     */
    loadModule<N extends string = string, F extends string = never>(input: ModuleInput, options?: Omit<LoadModuleOptions<N, F>, "session">): LoadedModule<N, F>;
  }
}

ExecutionSession.prototype.loadModule = function loadModuleInSession<N extends string = string, F extends string = never>(this: ExecutionSession, input: ModuleInput, options: Omit<LoadModuleOptions<N, F>, "session"> = {}): LoadedModule<N, F> {
  if (this.disposed) throw new DisposedError("ExecutionSession has been disposed");
  return loadModule<N, F>(input, { ...options, session: this });
};
