// Facts about the loaded native addon, for diagnostics (orcjit doctor) and bug reports.
import { loadBinding, type NativeInfo } from "../native/binding.js";

export type { NativeInfo };

/**
 * What the native addon was built from and for: LLVM version, binding ABI version, TVM-FFI
 * C ABI version, process target triple, build type and whether sanitizers are on.
 * Loads the addon (throws NativeLoadError if it cannot be loaded).
 */
export function nativeInfo(): NativeInfo {
  return { ...loadBinding().nativeInfo() };
}
