// The object cache key, in one place. An object is found by two keys:
//   base key = objectBaseKey(inputs): everything known before compiling (toolkit, bundled
//              headers, compiler identity, language, command line, source path and text, the
//              environment variables that change a compile, files named by flags, cwd when the
//              flags are relative to it). Lookups start here (index/<baseKey>.json).
//   full key = fullKey(baseKey, deps): the base key plus the hash of every header the compile
//              read (only known after it). Entries are stored and checked under it.
// A build that raced with an edit gets racyKey(...), which no later build produces.
// Changing any field or its order changes every key (and so invalidates every cache).
import type { DependencyHash } from "./store.js";
import { KeyHasher } from "../util/hash.js";

/** Environment variables that change what a compiler does with the same command line. */
export const KEY_ENV = ["CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "SDKROOT", "MACOSX_DEPLOYMENT_TARGET", "INCLUDE", "CL", "_CL_", "CCC_OVERRIDE_OPTIONS", "GCC_EXEC_PREFIX", "COMPILER_PATH"] as const;

/** What a compile's base key is made of (the compiler layer gathers it: src/compiler/compile.ts). */
export interface ObjectKeyInputs {
  /** toolkitId(): package version and ABI number. */
  toolkit: string;
  /** Hash of the bundled header tree (bundledHeaderHash). */
  bundledHeaders: string;
  compiler: { kind: string; resolvedPath: string; version: string; target: string; prefixArgs: readonly string[] };
  language: string;
  /** The command line with the placeholders of KEY_PLACEHOLDERS (no temporary paths). */
  args: readonly string[];
  /** Absolute source path and its bytes. */
  source: string;
  text: Uint8Array;
  /** The compile's environment (the toolchain's own variables over the caller's); only KEY_ENV is read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Files named by flags (response, config, specs files), in the order found; no text = missing. */
  flagFiles: ReadonlyArray<{ path: string; text?: Uint8Array }>;
  /** The working directory, when relative flags make the result depend on it. */
  cwd?: string;
}

/** The base key of a compile: see the top of this file. */
export function objectBaseKey(k: ObjectKeyInputs): string {
  const h = new KeyHasher()
    .field("what", "tvm-ffi-orcjit object")
    .field("toolkit", k.toolkit)
    .field("bundled-headers", k.bundledHeaders)
    .field("compiler.kind", k.compiler.kind)
    .field("compiler.path", k.compiler.resolvedPath)
    .field("compiler.version", k.compiler.version)
    .field("compiler.target", k.compiler.target)
    .list("compiler.prefix", k.compiler.prefixArgs)
    .field("language", k.language)
    .list("args", k.args)
    .field("source.path", k.source)
    .field("source.text", k.text);
  for (const name of KEY_ENV) h.field(`env.${name}`, k.env[name]);
  for (const f of k.flagFiles) {
    if (f.text === undefined) h.field("flagfile.missing", f.path);
    else h.field("flagfile.path", f.path).field("flagfile.text", f.text);
  }
  if (k.cwd !== undefined) h.field("cwd", k.cwd);
  return h.digest();
}

/** The full key: the base key and the headers the compile read (order-independent). */
export function fullKey(baseKey: string, deps: readonly DependencyHash[]): string {
  const h = new KeyHasher().field("base", baseKey).field("deps", deps.length);
  for (const d of [...deps].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) h.field("dep", d.path).field("sha256", d.sha256);
  return h.digest();
}

/**
 * The key of an object built while its source or a header changed: it may not hold what its
 * inputs hash to now, so no later build may share it (a caller comparing keys, watch mode,
 * sees the next build as a change).
 */
export function racyKey(key: string, stampedAt: number, objectPath: string): string {
  return new KeyHasher().field("racy build of", key).field("stamped at", stampedAt).field("object", objectPath).digest();
}
