// Declarations of a project's kernels (`orcjit types`, `orcjit build --types`): every
// function a library exports by name (the manifest's `functions`), typed from its C++
// signature, merged into KernelModules under the library's name (docs/types.md).
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { renderDeclarations, type DeclaredModule } from "../values/declarations.js";
import type { Project } from "./project.js";
import { checkOptions, optionKeys } from "../util/options.js";

export interface ProjectTypesOptions {
  /** A `.d.ts` file, or a directory to write `orcjit-kernels.d.ts` into (default: the project root). */
  out?: string;
  /** The specifier user code imports the toolkit by (default "tvm-ffi-orcjit"). */
  moduleSpecifier?: string;
}

export interface ProjectTypesResult {
  file: string;
  /** False when the file already had this content. */
  written: boolean;
  modules: DeclaredModule[];
}

/** The declaration file's path for `out` (see ProjectTypesOptions.out). */
export function declarationFile(root: string, out: string | undefined): string {
  if (out === undefined) return join(root, "orcjit-kernels.d.ts");
  const p = resolve(out);
  if (p.endsWith(".d.ts")) return p;
  let dir = false;
  try {
    dir = statSync(p).isDirectory();
  } catch {
    dir = true; // a new directory
  }
  if (!dir) throw new TypeError(`types output '${out}' is a file that does not end in .d.ts`);
  return join(p, "orcjit-kernels.d.ts");
}

const PROJECT_TYPES_OPTION_KEYS = optionKeys<ProjectTypesOptions>({ out: true, moduleSpecifier: true });

/** Loads the project (if needed), reads every exported function's signature and writes the declarations. */
export async function writeProjectTypes(project: Project, options: ProjectTypesOptions = {}): Promise<ProjectTypesResult> {
  checkOptions("writeProjectTypes(project, options)", options, PROJECT_TYPES_OPTION_KEYS);
  const file = declarationFile(project.root, options.out);
  if (!project.loaded) await project.load();
  const modules: DeclaredModule[] = project.libraryNames.map((name) => {
    const lib = project.library(name);
    const names = [...new Set(lib.config.functions)];
    return {
      name,
      functions: names.map((f) => {
        const fn = lib.getFunction(f);
        return { name: f, signature: fn.signature, doc: fn.doc, signatureError: fn.signatureError };
      }),
    };
  });
  const text = renderDeclarations(modules, {
    generator: "orcjit types",
    ...(options.moduleSpecifier !== undefined ? { moduleSpecifier: options.moduleSpecifier } : {}),
  });
  let old: string | undefined;
  try {
    old = readFileSync(file, "utf8");
  } catch {
    // new file
  }
  if (old !== text) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { file, written: old !== text, modules };
}
