// The project layer: manifest → compiler → jit.
export { inManifestTerms, loadProject, Project, ProjectLibrary } from "./project.js";
export type {
  GenerationHooks,
  LibraryBuildResult,
  LoadProjectOptions,
  ProjectBuildOptions,
  ProjectBuildProgress,
  ProjectBuildResult,
  ReloadResult,
} from "./project.js";
export { GENERATED_DIR } from "./exports.js";
export { declarationFile, writeProjectTypes, type ProjectTypesOptions, type ProjectTypesResult } from "./types.js";
