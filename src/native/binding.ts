// The one place that loads the native addon and knows its shape. src/jit and src/values import it.
//
// Lookup order: ORCJIT_ADDON_PATH (a .node file) → <package>/build/Release/tvm_ffi_orcjit.node.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import {
  DisposedError,
  FFIError,
  LinkError,
  NativeLoadError,
  ObjectFileError,
  SymbolNotFoundError,
} from "../errors.js";

/** The addon's `abiVersion` this TypeScript expects. */
export const NATIVE_ABI_VERSION = 1;

/** A function resolved from a library: calls `__tvm_ffi_<name>` through the safe-call ABI. */
export type NativeFunction = (...args: unknown[]) => unknown;

export interface NativeLibrary {
  readonly name: string;
  readonly disposed: boolean;
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
  createLibrary(name: string): NativeLibrary;
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
  initValues(factories: NativeValueFactories): void;
  boxDataType(target: object, code: number, bits: number, lanes: number): void;
  boxDevice(target: object, type: number, id: number): void;
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
}

export interface NativeBinding {
  readonly abiVersion: number;
  nativeInfo(): NativeInfo;
  initialize(classes: NativeErrorClasses): void;
  Session: new (options?: NativeSessionOptions) => NativeSession;
  values: NativeValues;
}

let valueFactories: NativeValueFactories | undefined;

/** Installs the value factories (src/values/native.ts does, when it is imported). */
export function setValueFactories(f: NativeValueFactories): void {
  valueFactories = f;
  if (cached) cached.values.initValues(f);
}

let cached: NativeBinding | undefined;

/** Path of the package root (works from src/ under vitest and from dist/ when built). */
function packageRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url));
}

/** Candidate addon paths in lookup order. */
export function addonCandidates(): string[] {
  const out: string[] = [];
  const env = process.env.ORCJIT_ADDON_PATH;
  if (env) out.push(env);
  out.push(`${packageRoot()}build/Release/tvm_ffi_orcjit.node`);
  return out;
}

/** Loads the addon once, checks its ABI version and injects the error classes. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const env = process.env.ORCJIT_ADDON_PATH;
  const candidates = addonCandidates();
  const path = env ? env : candidates.find((p) => existsSync(p));
  if (!path) {
    throw new NativeLoadError(
      `tvm-ffi-orcjit native addon not found (looked in: ${candidates.join(", ")}). ` +
        "Build it with 'npm run build:native' (or 'bash scripts/setup.sh'), " +
        "or point ORCJIT_ADDON_PATH at a built tvm_ffi_orcjit.node.",
    );
  }
  let addon: NativeBinding;
  try {
    addon = require(path) as NativeBinding;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new NativeLoadError(
      `cannot load the tvm-ffi-orcjit native addon '${path}': ${why}. ` +
        "Rebuild it with 'npm run build:native' (it must match this Node.js and LLVM 22).",
      { cause },
    );
  }
  if (addon.abiVersion !== NATIVE_ABI_VERSION) {
    throw new NativeLoadError(
      `native addon '${path}' has ABI version ${String(addon.abiVersion)}, ` +
        `this package needs ${NATIVE_ABI_VERSION}: rebuild it with 'npm run build:native'.`,
    );
  }
  addon.initialize({ FFIError, LinkError, ObjectFileError, SymbolNotFoundError, DisposedError });
  if (valueFactories) addon.values.initValues(valueFactories);
  cached = addon;
  return addon;
}
