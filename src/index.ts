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
export { loadProject, Project, ProjectLibrary, writeProjectTypes } from "./project/index.js";
export type { ProjectTypesOptions, ProjectTypesResult } from "./project/index.js";
export { renderDeclarations, type DeclaredFunction, type DeclaredModule, type DeclarationOptions } from "./values/declarations.js";
export type {
  GenerationHooks,
  LibraryBuildResult,
  LoadProjectOptions,
  ProjectBuildOptions,
  ProjectBuildProgress,
  ProjectBuildResult,
  ReloadResult,
} from "./project/index.js";

// Watch mode (hot reload through stable function handles)
export { ProjectWatcher, WatchedLibrary, watchProject } from "./watch/index.js";
export type { BuildingEvent, ReloadEvent, StableFunction, WatchErrorInfo, WatchEvents, WatchOptions } from "./watch/index.js";

// Compiler and cache entry points the CLI uses (orcjit doctor / orcjit cache)
export { cache, resolveCacheDir, type CacheEntryInfo, type CacheOptions } from "./cache/index.js";
export { bundledIncludeDir, compileUnits, resolveToolchain, toolkitId } from "./compiler/index.js";
export { probeLaunchers, resolveLauncher, type Launcher, type LauncherKind, type LauncherReport } from "./compiler/index.js";
export type { BuildProgress, CompiledObject, CompileOptions, CompileUnit, Toolchain } from "./compiler/index.js";

// JIT object API (ExecutionSession / DynamicLibrary over LLVM ORC)
export { DynamicLibrary, ExecutionSession, defaultSession, nativeInfo, setCrashContainment, setDebugger, setPerfMap } from "./jit/index.js";
export type { AddOptions, CreateLibraryOptions, ExecutionSessionOptions, FFIArg, NativeInfo } from "./jit/index.js";

// Inline modules and object builds (compiler → cache → jit)
export { loadInline, InlineModule, generateInlineSources, CPP_PRELUDE } from "./project/load-inline.js";
export type { LoadInlineOptions, LoadedModule, GeneratedSources } from "./project/load-inline.js";
export { build, buildObjects } from "./project/build.js";
export type { BuildOptions } from "./project/build.js";
export { parseDiagnostics, buildCompileCommand, languageOf } from "./compiler/index.js";
export type { Language, OptLevel, ToolchainKind, CommandPlan, CommandInputs } from "./compiler/index.js";

// Values across the boundary (tensors, dtypes, devices, objects, global functions) and modules
export {
  DataType,
  DataTypeCode,
  Device,
  DeviceType,
  FFIFloat,
  FFIMap,
  FFIObject,
  float,
  parseSignature,
  SignatureError,
  getGlobalFunc,
  listGlobalFuncs,
  registerGlobalFunc,
  registerObject,
  removeGlobalFunc,
  Tensor,
  asyncThreads,
  setAsyncThreads,
  withInterrupt,
} from "./values/index.js";
export type { DeviceTypeName, FFIObjectClass, PackedFunction, TensorOptions, TypedArray } from "./values/index.js";
// Value types: what functions accept (FFIValue) and return (FFIResult); kernel declarations
// generated from C++ signatures merge into KernelModules (docs/types.md).
export type {
  AsyncCalls,
  AsyncFFIFunction,
  CallOptions,
  FFICallback,
  FFIFunction,
  FFIFunctionInfo,
  FFIResult,
  FFIValue,
  FunctionSignature,
  KernelFunction,
  KernelModules,
  KernelsOf,
  TypeSchema,
} from "./values/index.js";
export { loadModule, Module } from "./module/index.js";
export type { LoadModuleOptions, LoadedFFIModule } from "./module/index.js";
