// The manifest layer: orcjit.yaml → ResolvedManifest. Describes; never compiles or links.
export { loadManifest, manifestOptionsOf, parseManifest, resolveManifestPath, languageOf, MANIFEST_FILE_NAME } from "./resolve.js";
export { findLibrary, withDependents, manifestInputs } from "./graph.js";
export { manifestSchema, manifestSchemaUrl } from "./schema.js";
export type {
  ManifestOptions,
  OptLevel,
  ResolvedLibrary,
  ResolvedManifest,
  ResolvedSource,
  SourceLanguage,
} from "./types.js";
