// The project layer: manifest → compiler → jit.
export { loadProject, Project, ProjectLibrary } from "./project.js";
export { inManifestTerms } from "./manifest-terms.js";
export { Generation } from "./generation.js";
export { settle, type StableFunction, type StableFunctionInfo } from "./handles.js";
export type {
  LibraryBuildResult,
  LoadProjectOptions,
  ProjectBuildOptions,
  ProjectBuildProgress,
  ProjectBuildResult,
  ReloadResult,
} from "./project.js";
export { GENERATED_DIR } from "./exports.js";
export { declarationFile, writeProjectTypes, type ProjectTypesOptions, type ProjectTypesResult } from "./types.js";
