// The typed result of reading an orcjit.yaml: everything resolved (absolute paths, merged
// flags, the selected profile applied), ready for the project layer to hand to the compiler
// and the JIT. Plain data: serialisable with JSON.stringify.
import type { Diagnostic, Location } from "../types.js";

import type { Language, OptLevel } from "../util/language.js";

export type SourceLanguage = Language;
export type { OptLevel };

/** One source file of a library, with its fully merged compile settings. */
export interface ResolvedSource {
  /** Absolute path. */
  path: string;
  /** Path relative to the project root, as written in the manifest when possible (for display). */
  relativePath: string;
  language: SourceLanguage;
  /** Flags in order: cflags of every layer, then the language's flags of every layer, then the source's own. */
  flags: string[];
  /** Preprocessor macros after merging (`true` = `-DNAME`). */
  defines: Record<string, string | true>;
  /** Absolute include directories, in order. */
  includeDirs: string[];
  /** C++ functions to export with generated `TVM_FFI_DLL_EXPORT_TYPED_FUNC` lines. */
  functions: string[];
  /** Where the manifest lists this source. */
  location: Location;
}

/** One library: a JIT dynamic library with its own symbol namespace. */
export interface ResolvedLibrary {
  name: string;
  sources: ResolvedSource[];
  /** Absolute paths of prebuilt object files added as they are. */
  objects: string[];
  /** Names of the libraries that resolve this one's undefined symbols, in search order. */
  linkOrder: string[];
  /** Shared libraries the JIT should resolve from: absolute paths, or bare sonames. */
  sharedLibraries: string[];
  /** Every function named in `functions` (library or source level). */
  functions: string[];
  compiler?: string;
  /** Compiler launcher (ccache, distcc, ...), from `launcher:`. */
  launcher?: string;
  /** Absolute path of the header precompiled for the library's C++ sources (`pch:`). */
  pch?: string;
  optLevel?: OptLevel;
  debug?: boolean;
  /** Where the manifest declares this library (its key). */
  location: Location;
}

export interface ResolvedManifest {
  /** Absolute path of the manifest file. */
  file: string;
  /** Absolute path of the project root (the manifest's directory). */
  root: string;
  version: 1;
  /** The profile applied, if any. */
  profile?: string;
  /** Every profile the manifest defines. */
  profiles: string[];
  /** Libraries in declaration order. */
  libraries: ResolvedLibrary[];
  /** Library names with every library after the libraries in its linkOrder. */
  loadOrder: string[];
  /** Non-fatal findings (e.g. a library with nothing to build). */
  warnings: Diagnostic[];
}

export interface ManifestOptions {
  /** Profile to apply; defaults to the ORCJIT_PROFILE environment variable. */
  profile?: string;
  /** Accept paths (sources, objects, include dirs) outside the manifest's directory. */
  allowOutsideRoot?: boolean;
  /** File name used in diagnostics; defaults to the path relative to the working directory. */
  displayPath?: string;
  /** Environment used for ORCJIT_PROFILE; defaults to process.env. */
  env?: Record<string, string | undefined>;
}
