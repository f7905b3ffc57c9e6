// The public types of values across the boundary: one type for what a TVM-FFI function
// accepts, one for what it returns, and the function type built from them. Declarations
// generated from C++ signatures (`orcjit types`, loadInline's `types` option) merge into
// KernelModules and narrow these per function.
import type { AsyncCalls } from "./async.js";
import type { FFIFloat, FFIMap } from "./containers.js";
import type { DataType } from "./dtype.js";
import type { Device } from "./device.js";
import type { FFIObject } from "./object.js";
import type { FunctionSignature } from "./signature.js";
import type { Tensor, TypedArray } from "./tensor.js";

/**
 * Every value a TVM-FFI function accepts (docs/values.md): numbers (integral → Int, else
 * Float; `float(x)` forces Float), bigint (int64), booleans, strings, null/undefined (None),
 * Uint8Array (Bytes), other typed arrays (1-D tensor views), Tensor, DataType, Device,
 * FFIObject, JS functions (callable from C++), arrays (ffi.Array), Map and plain objects
 * (ffi.Map), and values C++ returned (passed back as they are).
 */
export type FFIValue =
  | number
  | bigint
  | boolean
  | string
  | null
  | undefined
  | TypedArray
  | Tensor
  | DataType
  | Device
  | FFIObject
  | FFIFloat
  | FFICallback
  | readonly FFIValue[]
  | ReadonlyMap<FFIValue, FFIValue>
  | { readonly [key: string]: FFIValue };

/** A JS function passed to C++ (its arguments arrive as FFIResult values). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FFICallback = (...args: any[]) => unknown;

/**
 * Every value a TVM-FFI function returns: None → null, Int → number (bigint beyond 2^53),
 * Float, Bool, strings, Bytes → Uint8Array, Tensor, DataType, Device, objects, functions,
 * ffi.Array / ffi.Shape → frozen arrays, ffi.Map → FFIMap.
 */
export type FFIResult =
  | number
  | bigint
  | boolean
  | string
  | null
  | Uint8Array
  | Tensor
  | DataType
  | Device
  | FFIObject
  | FFIFunction
  | readonly FFIResult[]
  | FFIMap<FFIResult, FFIResult>;

/** What every TVM-FFI function handle carries besides being callable. */
export interface FFIFunctionInfo {
  /** Parsed from the export's metadata (`__tvm_ffi__metadata_<name>`); absent without it. */
  readonly signature?: FunctionSignature;
  /** The export's docstring (`__tvm_ffi__doc_<name>`), if any. */
  readonly doc?: string;
  /** Why the metadata could not be used (the function then works untyped). */
  readonly signatureError?: string;
  /**
   * Present when the declared result is `int`: the same checked call, returning the int result
   * as a bigint, also beyond ±(2^53 - 1) where the function itself throws a RangeError
   * (docs/types.md#int-results). Typed from the kernel's parameters in generated declarations
   * (KernelInfo).
   */
  readonly exact?: FFIFunction;
}

/**
 * FFIFunctionInfo for a kernel of generated type `F`: a kernel whose declared result is `int`
 * declares its own `exact` (its parameters, a bigint result), which replaces the untyped one
 * (an intersection of both would add the untyped call back as an overload).
 */
export type KernelInfo<F> = F extends { readonly exact: unknown } ? Omit<FFIFunctionInfo, "exact"> : FFIFunctionInfo;

/** A TVM-FFI function as a JS function: `getFunction`, module properties, global functions. */
export interface FFIFunction extends FFIFunctionInfo {
  (...args: FFIValue[]): FFIResult;
}

/**
 * A function handle that also runs off the event loop (docs/async.md): `fn.async(...args)` and
 * `fn.with({ signal }).async(...args)`. What getFunction, module properties, projects, watch
 * handles and getGlobalFunc return.
 */
export type AsyncFFIFunction = FFIFunction & AsyncCalls<(...args: FFIValue[]) => FFIResult>;

/**
 * Kernel declarations by module / library name. Generated declaration files (`orcjit types`,
 * `loadInline({ types })`) merge entries into it:
 *
 *     declare module "tvm-ffi-orcjit" {
 *       interface KernelModules { math: { add(a: number | bigint, b: number | bigint): number } }
 *     }
 *
 * after which `project.library("math").getFunction("add")` and `loadInline({ name: "math" })`
 * return typed functions.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KernelModules {}

/** The declared functions of module `N` ({} when nothing was generated for it). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` is meant: "no known functions", still assignable from any module object
export type KernelsOf<N extends string> = N extends keyof KernelModules ? KernelModules[N] : {};

/** Function `K` of module `N`: its declared type, else FFIFunction. */
export type KernelFunction<N extends string, K extends string> =
  K extends keyof KernelsOf<N>
    ? KernelsOf<N>[K] & KernelInfo<KernelsOf<N>[K]> & (KernelsOf<N>[K] extends (...args: infer A) => infer R ? AsyncCalls<(...args: A) => R> : unknown)
    : AsyncFFIFunction;
