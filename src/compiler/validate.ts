// Validation of compileUnits' inputs: a wrong type is a TypeError naming the option, before
// anything runs (not "cannot run clang++" from deep inside process spawning).
import type { CompileOptions, CompileUnit } from "./types.js";

const OPT_LEVELS: readonly unknown[] = [0, 1, 2, 3, "s"];
const LANGUAGES: readonly unknown[] = ["c", "c++", "cuda"];

function stringList(value: unknown, what: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array of strings, got ${describe(value)}`);
  value.forEach((v, i) => {
    if (typeof v !== "string") throw new TypeError(`${what}[${i}] must be a string, got ${describe(v)}`);
    if (v.includes("\0")) throw new TypeError(`${what}[${i}] contains a NUL character`);
  });
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

/** Throws a TypeError naming the first malformed unit field or option. */
export function validateCompileInputs(units: readonly CompileUnit[], o: CompileOptions): void {
  if (!Array.isArray(units)) throw new TypeError(`compileUnits: units must be an array, got ${describe(units)}`);
  if (o === null || typeof o !== "object") throw new TypeError(`compileUnits: options must be an object, got ${describe(o)}`);
  if (o.optLevel !== undefined && !OPT_LEVELS.includes(o.optLevel)) throw new TypeError(`optLevel must be one of 0, 1, 2, 3, "s", got ${describe(o.optLevel)}`);
  if (o.debug !== undefined && typeof o.debug !== "boolean") throw new TypeError(`debug must be a boolean, got ${describe(o.debug)}`);
  if (o.jobs !== undefined && !(Number.isInteger(o.jobs) && o.jobs >= 1)) throw new TypeError(`jobs must be a positive integer, got ${describe(o.jobs)}`);
  for (const k of ["compiler", "nvcc", "cudaArch", "cacheDir", "buildDirectory", "cwd"] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== "string" || v === "" || v.includes("\0"))) throw new TypeError(`${k} must be a non-empty string, got ${describe(v)}`);
  }
  stringList(o.extraCflags, "extraCflags");
  stringList(o.extraCudaCflags, "extraCudaCflags");
  stringList(o.extraIncludePaths, "extraIncludePaths");
  units.forEach((u, i) => {
    const at = `units[${i}]`;
    if (u === null || typeof u !== "object") throw new TypeError(`${at} must be { source, ... }, got ${describe(u)}`);
    if (typeof u.source !== "string" || u.source === "" || u.source.includes("\0")) throw new TypeError(`${at}.source must be a non-empty path string, got ${describe(u.source)}`);
    if (u.language !== undefined && !LANGUAGES.includes(u.language)) throw new TypeError(`${at}.language must be "c", "c++" or "cuda", got ${describe(u.language)}`);
    stringList(u.flags, `${at}.flags`);
    stringList(u.includeDirs, `${at}.includeDirs`);
    if (u.defines !== undefined) {
      if (u.defines === null || typeof u.defines !== "object" || Array.isArray(u.defines)) throw new TypeError(`${at}.defines must be an object, got ${describe(u.defines)}`);
      for (const [k, v] of Object.entries(u.defines)) if (v !== true && typeof v !== "string") throw new TypeError(`${at}.defines.${k} must be a string or true, got ${describe(v)}`);
    }
  });
}
