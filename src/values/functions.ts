// Global functions of the TVM-FFI registry, both ways: C++ functions registered with
// GlobalDef().def(...) are callable from JS, and JS functions registered here are callable
// from C++ (Function::GetGlobal / TVMFFIFunctionGetGlobal).
import { SymbolNotFoundError } from "../errors.js";
import { values } from "./native.js";

import { attachAsync } from "./async.js";
import type { AsyncFFIFunction, FFICallback } from "./types.js";

/** A TVM-FFI function as a JS function (arguments/results converted per docs/values.md), with `async`/`with` (docs/async.md). */
export type PackedFunction = AsyncFFIFunction;

/**
 * The global function `name`. Throws SymbolNotFoundError when it is not registered, unless
 * `allowMissing` (then undefined).
 */
export function getGlobalFunc(name: string): PackedFunction;
export function getGlobalFunc(name: string, options: { allowMissing: true }): PackedFunction | undefined;
export function getGlobalFunc(name: string, options: { allowMissing?: boolean } = {}): PackedFunction | undefined {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("getGlobalFunc(name): 'name' must be a non-empty string");
  const f = values().getGlobalFunc(name);
  if (f) {
    if (!("async" in f)) attachAsync(f as unknown as PackedFunction); // [i16]
    return f as unknown as PackedFunction;
  }
  if (options.allowMissing) return undefined;
  throw new SymbolNotFoundError(`global function '${name}' is not registered`);
}

/** Names of every registered global function, sorted. */
export function listGlobalFuncs(): string[] {
  return values().listGlobalFuncs();
}

/**
 * Registers `fn` as global function `name` (C++ calls it by name). Throws FFIError
 * (RuntimeError) when the name exists, unless `override`. Only the JS thread may call it:
 * a call from another thread raises a RuntimeError in the caller.
 */
export function registerGlobalFunc(name: string, fn: FFICallback, options: { override?: boolean } = {}): void {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("registerGlobalFunc(name, fn): 'name' must be a non-empty string");
  if (typeof fn !== "function") throw new TypeError("registerGlobalFunc(name, fn): 'fn' must be a function");
  values().registerGlobalFunc(name, fn, options.override === true);
}

/** Removes a global function; false if it was not registered. */
export function removeGlobalFunc(name: string): boolean {
  return values().removeGlobalFunc(name);
}
