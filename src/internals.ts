// `tvm-ffi-orcjit/internals`: building blocks for tooling (the orcjit CLI's doctor, editor
// integrations, build-system glue) that ordinary users do not need. Documented in
// docs/architecture.md#public-api; less stable than the root export: names here may change
// in a minor version. Re-exports only.

// Compiler: command lines, toolchain and launcher discovery, diagnostics, the toolkit id
// that keys the object cache.
export {
  buildCompileCommand,
  languageOf,
  parseDiagnostics,
  probeLaunchers,
  resolveLauncher,
  resolveToolchain,
  toolkitId,
} from "./compiler/index.js";
export type { CommandInputs, CommandPlan, Launcher, LauncherKind, LauncherReport, Toolchain, ToolchainKind } from "./compiler/index.js";

// loadInline's code generation (the C++ wrappers and export lines it compiles).
export { CPP_PRELUDE, generateInlineSources } from "./project/load-inline.js";
export type { GeneratedSources } from "./project/load-inline.js";

