// The one place that loads the native addon and knows its shape (every export it makes:
// test/package/addon-exports.test.ts compares them with the loaded addon). src/values/native.ts
// loads it, passing the value factories; src/jit reaches it through there.
//
// Where it is looked for: src/native/addon-path.ts.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import {
  DisposedError,
  NativeCrashError,
  FFIError,
  LinkError,
  NativeLoadError,
  ObjectFileError,
  SymbolNotFoundError,
} from "../errors.js";
import {
  type AddonCandidate,
  addonCandidateList,
  addonCandidatesInOrder,
  addonFix,
  platformKey,
  unsupportedPlatform,
} from "./addon-path.js";
import { addonFileProblem } from "./addon-file-check.js";

/** The addon's `abiVersion` this TypeScript expects. */
export const NATIVE_ABI_VERSION = 1;

/** A function resolved from a library: calls `__tvm_ffi_<name>` through the safe-call ABI. */
export type NativeFunction = (...args: unknown[]) => unknown;

export interface NativeLibrary {
  readonly name: string;
  readonly disposed: boolean;
  /** True while global functions its code registered are in the registry (reachable by name). */
  readonly ownsGlobals: boolean;
  /** Adds a relocatable object (copied). `displayName` names it in errors. */
  add(bytes: Uint8Array, displayName: string): void;
  /** dlopens a shared library whose symbols this library's objects may reference. */
  addSharedLibrary(path: string): void;
  setLinkOrder(libs: NativeLibrary[]): void;
  /** Resolves `__tvm_ffi_<name>`; links on first use and runs new static initializers. */
  getFunction(name: string): NativeFunction;
  /** Address of any symbol the library defines (links it), or null. */
  symbolAddress(name: string): bigint | null;
  link(): void;
  dispose(): void;
  /** The library's ffi.Module (what `__tvm_ffi__library_ctx` points at) as an FFIObject. */
  moduleObject(): unknown;
  /** Builds the module tree of `__tvm_ffi__library_bin`: the root module, or null if none. */
  expandLibraryBin(): unknown;
}

export interface NativeSession {
  readonly disposed: boolean;
  readonly libraryCount: number;
  /** Disposed libraries still mapped because native code references their code. */
  readonly deferredCount: number;
  /** `debug`: register the library's objects with debuggers (GDB JIT interface). */
  createLibrary(name: string, debug?: boolean): NativeLibrary;
  dispose(): void;
}

export interface NativeSessionOptions {
  /** Address space reserved for JIT memory, bytes (default 1 GiB, committed lazily). */
  reserveBytes?: number;
}

export interface NativeErrorClasses {
  FFIError: typeof FFIError;
  LinkError: typeof LinkError;
  ObjectFileError: typeof ObjectFileError;
  SymbolNotFoundError: typeof SymbolNotFoundError;
  DisposedError: typeof DisposedError;
  NativeCrashError: typeof NativeCrashError;
}

/** JS factories the addon calls to build wrappers of C++ values (src/values/native.ts). */
export interface NativeValueFactories {
  /** A Tensor over `buffer` (null: memory JS cannot see); the addon attaches the object. */
  tensor(buffer: ArrayBuffer | null, byteOffset: number, shape: number[], strides: number[],
    code: number, bits: number, lanes: number, deviceType: number, deviceId: number): object;
  /** A blank wrapper of the class for `typeIndex`; the addon attaches the object. */
  object(typeIndex: number, typeKey: string): object;
  dtype(code: number, bits: number, lanes: number): object;
  device(type: number, id: number): object;
  /** Pins an ArrayBuffer native code keeps a pointer into; false if resizable (src/values/memory.ts). */
  lendBuffer(buffer: ArrayBuffer): boolean;
  /** An empty FFIMap for a returned ffi.Map (filled with Map.prototype.set). */
  map(): Map<unknown, unknown>;
}

/** The engine's facts about a view or buffer (`values.viewInfo`), never its JS properties. */
export interface NativeViewInfo {
  buffer: ArrayBuffer | SharedArrayBuffer;
  byteOffset: number;
  byteLength: number;
  /** "Float32Array", ..., "DataView" or "ArrayBuffer". */
  type: string;
  detached: boolean;
  shared: boolean;
}

/** Reflection summary of a registered type (inherited members included, most derived first). */
export interface NativeTypeInfo {
  index: number;
  key: string;
  parentIndex: number;
  fields: { name: string; writable: boolean }[];
  methods: { name: string; isStatic: boolean; doc: string }[];
  /** Set when the library that registered the type's members was disposed (and unmapped). */
  disposedBy?: string;
}

/** `exports.values` (native/src/binding/values_api.cc). */
export interface NativeValues {
  boxDataType(target: object, code: number, bits: number, lanes: number): void;
  boxDevice(target: object, type: number, id: number): void;
  boxFloat(target: object, value: number): void;
  /** Calls of `fn` (from getFunction) are checked and converted by these parameter kinds. */
  setFunctionSignature(fn: object, kinds: number[], types: string[], deep?: (value: unknown, index: number) => unknown, result?: (value: unknown) => unknown): void;
  /** [k12q] The same for a function value (.so exports, module-tree functions, typed function results); `name` is the function in errors. */
  setValueSignature(fn: object, name: string, kinds: number[], types: string[], deep?: (value: unknown, index: number) => unknown, result?: (value: unknown) => unknown): void;
  boxTensor(target: object, buffer: ArrayBuffer, byteOffset: number, shape: number[],
    strides: number[] | null, code: number, bits: number, lanes: number, deviceType: number,
    deviceId: number): void;
  dtypeParse(s: string): [number, number, number];
  dtypeToString(code: number, bits: number, lanes: number): string;
  getGlobalFunc(name: string): NativeFunction | null;
  listGlobalFuncs(): string[];
  registerGlobalFunc(name: string, fn: (...args: never[]) => unknown, override: boolean): void;
  removeGlobalFunc(name: string): boolean;
  typeKeyToIndex(key: string): number;
  typeInfo(index: number): NativeTypeInfo | null;
  getField(target: object, name: string): unknown;
  setField(target: object, name: string, value: unknown): void;
  callMethod(target: object, name: string, ...args: unknown[]): unknown;
  callStatic(typeIndex: number, name: string, ...args: unknown[]): unknown;
  disposeValue(target: object): void;
  /** -2: not an FFI value, -1: disposed, else its type index. */
  valueTypeIndex(target: unknown): number;
  sameObject(a: object, b: object): boolean;
  openShared(path: string): object;
  sharedGetFunction(handle: object, name: string): NativeFunction | null;
  /** null for anything but a typed array, DataView or ArrayBuffer. */
  viewInfo(x: unknown): NativeViewInfo | null;
  /** [i16] Async call (binding/async_call.cc): a Promise, or [Promise, cancel] when cancellable. */
  callAsync(fn: object, args: unknown[], cancellable: boolean): Promise<unknown> | [Promise<unknown>, () => boolean];
  setAsyncThreads(n: number): boolean;
  asyncThreads(): number;
  /** While on, Ctrl-C makes TVMFFIEnvCheckSignals() fail in the running synchronous kernel. */
  setInterruptHandler(on: boolean): void;
}

/** What the loaded addon was built from and for (`nativeInfo()`, native/src/addon.cc). */
export interface NativeInfo {
  /** LLVM the JIT is linked against (LLVM_VERSION_STRING), e.g. "22.1.8". */
  llvmVersion: string;
  /** The addon's binding ABI version (NATIVE_ABI_VERSION). */
  abiVersion: number;
  /** TVM-FFI C ABI version the runtime implements, e.g. "0.1.14". */
  tvmFfiVersion: string;
  /** Target triple of this process (llvm::sys::getProcessTriple()). */
  targetTriple: string;
  /** CMake build type of the addon ("Release", "Debug", ...). */
  buildType: string;
  /** Built with AddressSanitizer/UBSan (ORCJIT_SANITIZE). */
  sanitize: boolean;
  /**
   * Empty when the call path reads numbers and typed arrays through V8's own functions (the
   * "V8 lanes", docs/values.md "Cost"); otherwise why they are off (they are an optimization:
   * results are the same either way).
   */
  v8LanesOff: string;
}

/** What `initialize` injects, once per environment (native/src/binding/addon_state.h). */
export interface NativeInit {
  errors: NativeErrorClasses;
  factories: NativeValueFactories;
}

/** The addon's exports (native/src/addon.cc). */
export interface NativeBinding {
  readonly abiVersion: number;
  nativeInfo(): NativeInfo;
  initialize(init: NativeInit): void;
  /** [i15] crash containment / perf map switches; return the previous setting. */
  setCrashGuard(on: boolean): boolean;
  setPerfMap(on: boolean): boolean;
  setDebugger(on: boolean): boolean;
  /** The call path's V8 lanes on/off (tests, bench); on only if their self-test passed. */
  setV8Lanes(on: boolean): boolean;
  /** Entries on the GDB JIT interface's list (tests). */
  debuggerEntryCount(): number;
  Session: new (options?: NativeSessionOptions) => NativeSession;
  /**
   * The class of NativeLibrary; only `Session.createLibrary` makes instances (new throws).
   * `sharedModule`: the ffi.Module of a library opened by values.openShared (made once per
   * library; its `__tvm_ffi__library_ctx` points at it) and the root of the module tree its
   * `__tvm_ffi__library_bin` declares (null: none, or the library itself).
   */
  Library: (abstract new () => NativeLibrary) & {
    sharedModule(handle: object, path: string): { module: unknown; root: unknown };
  };
  values: NativeValues;
}

type ExportKind = "number" | "function" | "object";

/**
 * `typeof` of every export declared above, checked against the loaded addon by
 * test/package/addon-exports.test.ts. The `satisfies` clauses keep these lists and the
 * interfaces equal: a member added to one and not the other does not compile.
 */
export const declaredExports = {
  binding: {
    abiVersion: "number",
    nativeInfo: "function",
    initialize: "function",
    setCrashGuard: "function",
    setPerfMap: "function",
    setDebugger: "function",
    setV8Lanes: "function",
    debuggerEntryCount: "function",
    Session: "function",
    Library: "function",
    values: "object",
  } as const satisfies Record<keyof NativeBinding, ExportKind>,
  values: {
    boxDataType: "function",
    boxDevice: "function",
    boxFloat: "function",
    setFunctionSignature: "function",
    setValueSignature: "function",
    boxTensor: "function",
    dtypeParse: "function",
    dtypeToString: "function",
    getGlobalFunc: "function",
    listGlobalFuncs: "function",
    registerGlobalFunc: "function",
    removeGlobalFunc: "function",
    typeKeyToIndex: "function",
    typeInfo: "function",
    getField: "function",
    setField: "function",
    callMethod: "function",
    callStatic: "function",
    disposeValue: "function",
    valueTypeIndex: "function",
    sameObject: "function",
    openShared: "function",
    sharedGetFunction: "function",
    viewInfo: "function",
    callAsync: "function",
    setAsyncThreads: "function",
    asyncThreads: "function",
    setInterruptHandler: "function",
  } as const satisfies Record<keyof NativeValues, ExportKind>,
  /** Members of Session.prototype and Library.prototype (methods and accessors). */
  session: {
    disposed: "accessor",
    libraryCount: "accessor",
    deferredCount: "accessor",
    createLibrary: "method",
    dispose: "method",
  } as const satisfies Record<keyof NativeSession, "method" | "accessor">,
  library: {
    name: "accessor",
    disposed: "accessor",
    add: "method",
    addSharedLibrary: "method",
    setLinkOrder: "method",
    getFunction: "method",
    symbolAddress: "method",
    link: "method",
    dispose: "method",
    moduleObject: "method",
    expandLibraryBin: "method",
    ownsGlobals: "accessor",
  } as const satisfies Record<keyof NativeLibrary, "method" | "accessor">,
};

let cached: NativeBinding | undefined;

/** Candidate addon paths in lookup order (src/native/addon-path.ts); an absent platform package appears as "<name> (not installed)". */
export function addonCandidates(): string[] {
  return addonCandidateList().map((c) => c.path);
}

let loadedFrom: AddonCandidate | undefined;

/** Where the loaded addon came from (undefined before the first successful load). */
export function loadedAddon(): AddonCandidate | undefined {
  return loadedFrom;
}

/**
 * The existing candidates in lookup order, one at a time (a later one is looked up only when
 * the earlier ones did not load), then a NativeLoadError naming the platform, what was tried
 * and the fix. ORCJIT_ADDON_PATH, when set, is the only candidate.
 */
function* existingAddons(): Generator<AddonCandidate> {
  const env = process.env.ORCJIT_ADDON_PATH;
  if (!env) {
    const unsupported = unsupportedPlatform();
    if (unsupported) throw new NativeLoadError(`${unsupported}.`);
  }
  let found = false;
  for (const c of addonCandidatesInOrder()) {
    if (!existsSync(c.path)) {
      if (env) throw new NativeLoadError(`ORCJIT_ADDON_PATH='${env}' names no file (${c.path}). Fix: ${addonFix(c.source)}.`);
      continue;
    }
    found = true;
    yield c;
  }
  if (found) return;
  const candidates = addonCandidateList();
  throw new NativeLoadError(
    `tvm-ffi-orcjit native addon not found for ${platformKey()} (tried: ` +
      `${candidates.map((c) => `${c.source} ${c.path}`).join("; ")}). Fix: ${addonFix("none")}.`,
  );
}

/** Loads one candidate: the addon, or the NativeLoadError naming its file and fix. */
function loadCandidate(c: AddonCandidate): NativeBinding | NativeLoadError {
  const fail = (why: string, cause?: unknown) =>
    new NativeLoadError(`cannot load the tvm-ffi-orcjit native addon '${c.path}' (${c.source}): ${why}. Fix: ${addonFix(c.source)}.`,
      cause === undefined ? undefined : { cause });
  // a truncated file would kill the process inside dlopen (SIGBUS): check it first
  const problem = addonFileProblem(c.path);
  if (problem) return fail(problem);
  let addon: NativeBinding;
  try {
    addon = createRequire(import.meta.url)(c.path) as NativeBinding;
  } catch (cause) {
    return fail(cause instanceof Error ? (cause.message.split("\n")[0] ?? "") : String(cause), cause);
  }
  if (addon === null || typeof addon !== "object" || addon.abiVersion !== NATIVE_ABI_VERSION) {
    const got = addon !== null && typeof addon === "object" ? String(addon.abiVersion) : "none";
    return fail(`it has binding ABI version ${got}, this package needs ${NATIVE_ABI_VERSION} (built for another version of tvm-ffi-orcjit)`);
  }
  return addon;
}

/**
 * Loads the addon once, checks its ABI version and initializes it: the error classes of
 * src/errors.ts and the value `factories` (src/values/native.ts passes them; later calls return
 * the loaded addon). A candidate that exists but cannot load (e.g. a platform package needing a
 * newer glibc) falls through to the next one (e.g. a source build); if none loads, the first
 * failure is thrown.
 */
export function loadBinding(factories: NativeValueFactories): NativeBinding {
  if (cached) return cached;
  let firstError: NativeLoadError | undefined;
  let addon: NativeBinding | undefined;
  let found: AddonCandidate | undefined;
  for (const c of existingAddons()) {
    const r = loadCandidate(c);
    if (r instanceof NativeLoadError) {
      firstError ??= r;
      continue;
    }
    addon = r;
    found = c;
    break;
  }
  if (!addon || !found) throw firstError!;
  addon.initialize({
    errors: { FFIError, LinkError, ObjectFileError, SymbolNotFoundError, DisposedError, NativeCrashError },
    factories,
  });
  cached = addon;
  loadedFrom = found;
  return addon;
}
