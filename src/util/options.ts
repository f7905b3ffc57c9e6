// Options objects reject keys they do not know, with a "did you mean" (a typo such as
// `cppSource` must not be silently ignored). One helper for every public entry point; each
// options interface keeps its key list next to it with `optionKeys`, which the compiler
// holds complete: adding a field to the interface without adding it to the list (or the
// reverse) is a type error.
import { closest } from "./suggest.js";

/** The keys of options type `T` as a runtime list; `keys` must name every key of T, no more. */
export function optionKeys<T extends object>(keys: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

/**
 * Throws a TypeError naming `what` (e.g. "loadInline(options)") when `options` is not an
 * object or has a key outside `known`. `undefined` is allowed (every options parameter is
 * optional or checked for presence separately).
 */
export function checkOptions(what: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${what}: options must be an object (got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options})`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const guess = closest(key, known);
    const hint = guess ? ` (did you mean '${guess}'?)` : `; known options: ${[...known].sort().join(", ")}`;
    throw new TypeError(`${what}: unknown option '${key}'${hint}`);
  }
}
