// orcjit build [manifest]
import type { Command } from "commander";
import { loadProject, writeProjectTypes, type ProjectBuildResult, type ResolvedManifest } from "../../index.js";
import { buildSummary, jsonReplacer, ProgressDisplay, type Streams } from "../output.js";
import { interruptible } from "../interrupt.js";
import { addProjectOptions, projectOptions, type ProjectCliOptions } from "./common.js";
import { typesSummary } from "./types.js";
import { printWarnings } from "./warnings.js";

export function buildJson(manifest: ResolvedManifest, r: ProjectBuildResult): Record<string, unknown> {
  return {
    ok: true,
    manifest: manifest.file,
    profile: manifest.profile ?? null,
    loadOrder: manifest.loadOrder,
    libraries: r.libraries.map((l) => ({
      name: l.name,
      objects: l.objects.map((o) => ({
        source: o.source,
        objectPath: o.objectPath,
        key: o.key,
        cacheHit: o.cacheHit,
        durationMs: Math.round(o.durationMs),
      })),
      prebuilt: l.prebuilt,
    })),
    total: r.total,
    compiled: r.compiled,
    cached: r.cached,
    durationMs: Math.round(r.durationMs),
    warnings: [...manifest.warnings, ...r.warnings],
  };
}

export function registerBuild(program: Command, s: Streams): void {
  addProjectOptions(
    program
      .command("build")
      .description("compile every library of a manifest (only what changed; objects are cached by content)")
      .argument("[manifest]", "orcjit.yaml, or a directory holding one", "."),
  )
    .option("-q, --quiet", "print nothing but errors")
    .option("--types [path]", "also write TypeScript declarations (as `orcjit types --out <path>`)")
    .action(async (manifest: string, o: ProjectCliOptions & { quiet?: boolean; types?: string | boolean }) => {
      const project = await loadProject(manifest, projectOptions(o));
      const display = o.json || o.quiet ? undefined : new ProgressDisplay(s);
      let result: ProjectBuildResult;
      try {
        result = await interruptible((signal) => project.build({ onProgress: display?.onProgress, force: o.force === true, signal }));
      } finally {
        display?.stop();
      }
      if (o.types !== undefined && o.types !== false) {
        try {
          const t = await writeProjectTypes(project, typeof o.types === "string" ? { out: o.types } : {});
          if (!o.json && !o.quiet) s.out.write(`${typesSummary(t)}\n`);
        } finally {
          project.dispose();
        }
      }
      if (o.json) {
        s.out.write(`${JSON.stringify(buildJson(project.manifest, result), jsonReplacer, 2)}\n`);
        return;
      }
      if (!o.quiet) {
        printWarnings([...project.manifest.warnings, ...result.warnings], s);
        const profile = project.manifest.profile ? ` [profile ${project.manifest.profile}]` : "";
        s.out.write(`${buildSummary(result)}${profile}\n`);
      }
    });
}
