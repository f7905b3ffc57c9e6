// Pinning JS memory that native code keeps a pointer into (binding/js_memory.h has the rule).
// node:worker_threads (≈25 internal modules) is fetched on the first lend, not at import.
let markAsUntransferable: ((buffer: ArrayBuffer) => void) | undefined;

// Brand-checking getters, taken once: `buffer.resizable` itself could be overridden.
const resizableOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable")?.get;

/** True if `buffer` can be resized by JS (resize() may free memory under a pointer). */
export function isResizable(buffer: ArrayBuffer): boolean {
  return resizableOf ? resizableOf.call(buffer) === true : false;
}

/**
 * Pins `buffer` so that its memory stays where it is while native code may hold a pointer
 * into it: a later transfer copies (Node 20) or throws DataCloneError (Node >= 21) instead
 * of moving the memory. False (nothing done) for a resizable buffer, which cannot be pinned.
 * The addon calls this (the `lendBuffer` factory of `initialize`, src/values/native.ts).
 */
export function lendBuffer(buffer: ArrayBuffer): boolean {
  if (isResizable(buffer)) return false;
  (markAsUntransferable ??= process.getBuiltinModule("node:worker_threads").markAsUntransferable)(buffer);
  return true;
}
