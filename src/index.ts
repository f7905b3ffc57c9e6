// Public API: re-exports only.
export * from "./errors.js";
export * from "./types.js";

// Manifests (orcjit.yaml → ResolvedManifest)
export {
  findLibrary,
  loadManifest,
  MANIFEST_FILE_NAME,
  manifestInputs,
  manifestSchema,
  manifestSchemaUrl,
  parseManifest,
  resolveManifestPath,
  withDependents,
} from "./manifest/index.js";
export type { ManifestOptions, ResolvedLibrary, ResolvedManifest, ResolvedSource } from "./manifest/index.js";

// Projects (manifest → compiler → jit)
export { loadProject, Project, ProjectLibrary } from "./project/index.js";
export type {
  LibraryBuildResult,
  LoadProjectOptions,
  ProjectBuildOptions,
  ProjectBuildProgress,
  ProjectBuildResult,
  ReloadResult,
} from "./project/index.js";

// Compiler and cache entry points the CLI uses (orcjit doctor / orcjit cache)
export { cache, resolveCacheDir, type CacheEntryInfo, type CacheOptions } from "./cache/index.js";
export { bundledIncludeDir, compileUnits, resolveToolchain, toolkitId } from "./compiler/index.js";
export type { BuildProgress, CompiledObject, CompileOptions, CompileUnit, Toolchain } from "./compiler/index.js";

// JIT object API (ExecutionSession / DynamicLibrary over LLVM ORC)
export { DynamicLibrary, ExecutionSession, defaultSession } from "./jit/index.js";
export type { ExecutionSessionOptions, FFIArg, FFIFunction, FFIResult } from "./jit/index.js";
