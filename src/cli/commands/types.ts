// orcjit types [manifest] [--out file.d.ts|dir]: TypeScript declarations of the project's
// kernels from their C++ signatures (docs/types.md).
import type { Command } from "commander";
import { loadProject, writeProjectTypes, type ProjectTypesResult } from "../../index.js";
import type { Streams } from "../output.js";
import { addProjectOptions, projectOptions, type ProjectCliOptions } from "./common.js";

export interface TypesCliOptions {
  out?: string;
  moduleSpecifier?: string;
}

export function typesSummary(r: ProjectTypesResult): string {
  const fns = r.modules.reduce((n, m) => n + m.functions.length, 0);
  const untyped = r.modules.flatMap((m) => m.functions.filter((f) => !f.signature).map((f) => `${m.name}.${f.name}`));
  return (
    `${r.written ? "wrote" : "unchanged"} ${r.file}: ${r.modules.length} librar${r.modules.length === 1 ? "y" : "ies"}, ${fns} function${fns === 1 ? "" : "s"}` +
    (untyped.length ? `; untyped (no metadata): ${untyped.join(", ")}` : "")
  );
}

export function addTypesOptions(cmd: Command): Command {
  return cmd
    .option("-o, --out <path>", "a .d.ts file, or a directory for orcjit-kernels.d.ts (default: the project root)")
    .option("--module-specifier <name>", "the module name your code imports the toolkit by", "tvm-ffi-orcjit");
}

export function registerTypes(program: Command, s: Streams): void {
  addTypesOptions(
    addProjectOptions(
      program
        .command("types")
        .description("write TypeScript declarations of the libraries' functions from their C++ signatures")
        .argument("[manifest]", "orcjit.yaml, or a directory holding one", "."),
    ),
  ).action(async (manifest: string, o: ProjectCliOptions & TypesCliOptions) => {
    const project = await loadProject(manifest, projectOptions(o));
    try {
      const r = await writeProjectTypes(project, { ...(o.out !== undefined ? { out: o.out } : {}), ...(o.moduleSpecifier ? { moduleSpecifier: o.moduleSpecifier } : {}) });
      if (o.json) s.out.write(`${JSON.stringify({ ok: true, file: r.file, written: r.written, libraries: r.modules.map((m) => ({ name: m.name, functions: m.functions.map((f) => ({ name: f.name, signature: f.signature ? String(f.signature) : null, signatureError: f.signatureError ?? null })) })) }, null, 2)}\n`);
      else s.out.write(`${typesSummary(r)}\n`);
    } finally {
      project.dispose();
    }
  });
}
