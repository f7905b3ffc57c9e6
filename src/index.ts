// Public API: re-exports only. What users need; building blocks for tooling are in
// src/internals.ts (`tvm-ffi-orcjit/internals`, docs/architecture.md#public-api).
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
// (project and watch code loads on first use: src/lazy-api.ts)
export { Generation, loadProject, Project, ProjectLibrary, writeProjectTypes } from "./lazy-api.js";
export type { ProjectTypesOptions, ProjectTypesResult } from "./project/index.js";
export { renderDeclarations, type DeclaredFunction, type DeclaredModule, type DeclarationOptions } from "./values/declarations.js";
export type {
  LibraryBuildResult,
  LoadProjectOptions,
  ProjectBuildOptions,
  ProjectBuildProgress,
  ProjectBuildResult,
  ReloadResult,
} from "./project/index.js";

// Watch mode (hot reload through stable function handles)
export { ProjectWatcher, WatchedLibrary, watchProject } from "./lazy-api.js";
export type { BuildingEvent, ReloadEvent, StableFunction, WatchErrorInfo, WatchEvents, WatchOptions } from "./watch/index.js";

// The object cache (orcjit cache) and compiling units to cached objects
export { cache, resolveCacheDir, type CacheEntryInfo, type CacheOptions } from "./cache/index.js";
export { bundledIncludeDir, compileUnits } from "./compiler/index.js";
export type { BuildProgress, CompiledObject, CompileOptions, CompileUnit } from "./compiler/index.js";

// JIT object API (ExecutionSession / DynamicLibrary over LLVM ORC)
export { DynamicLibrary, ExecutionSession, defaultSession, nativeInfo, setCrashContainment, setDebugger, setPerfMap } from "./jit/index.js";
export type { AddOptions, CreateLibraryOptions, ExecutionSessionOptions, FFIArg, NativeInfo } from "./jit/index.js";

// Inline modules and object builds (compiler → cache → jit)
export { loadInline, InlineModule } from "./project/load-inline.js";
export type { LoadInlineOptions, LoadedModule } from "./project/load-inline.js";
export { build, buildObjects } from "./project/build.js";
export type { BuildOptions } from "./project/build.js";
export type { Language, OptLevel } from "./compiler/index.js";

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
  KernelInfo,
  KernelModules,
  KernelsOf,
  TypeSchema,
} from "./values/index.js";
export { loadModule, Module } from "./module/index.js";
export type { LoadModuleOptions, LoadedFFIModule } from "./module/index.js";
