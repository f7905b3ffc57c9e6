// Access to the addon's value layer (`exports.values`).
import { loadBinding, type NativeValues } from "../native/binding.js";

/** The addon's value functions (loads the addon on first use). */
export function values(): NativeValues {
  return loadBinding().values;
}
