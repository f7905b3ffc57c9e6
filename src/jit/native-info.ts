// Facts about the loaded native addon, for diagnostics (orcjit doctor) and bug reports.
import type { AddonSource } from "../native/addon-path.js";
import { loadedAddon, type NativeInfo as AddonBuildInfo } from "../native/binding.js";
import { addon } from "../values/native.js";

export type { AddonSource };

export interface NativeInfo extends AddonBuildInfo {
  /** Absolute path of the loaded `tvm_ffi_orcjit.node`. */
  addonPath: string;
  /** Which step of the lookup order found it (README "Install"). */
  addonSource: AddonSource;
}

/**
 * What the native addon was built from and for: LLVM version, binding ABI version, TVM-FFI
 * C ABI version, process target triple, build type, whether sanitizers are on, and where the
 * addon was loaded from. Loads the addon (throws NativeLoadError if it cannot be loaded).
 */
export function nativeInfo(): NativeInfo {
  const info = addon().nativeInfo();
  const from = loadedAddon()!;
  return { ...info, addonPath: from.path, addonSource: from.source };
}
