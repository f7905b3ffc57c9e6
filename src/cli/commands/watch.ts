// orcjit watch [manifest] [--run lib.fn args...]: build, load, then rebuild and hot-swap on
// every change to the manifest, a source or a header, printing what changed, how long it took
// and the cache hits, and the result of the --run call after each successful reload. A broken
// edit prints its diagnostics and the previous generation keeps serving. A project that is
// broken at startup is reported and waited on: the first good edit loads it. --force
// recompiles everything until that first load.
import { isAbsolute, relative } from "node:path";
import type { Command } from "commander";
import {
  CompileError,
  ManifestError,
  OrcJitError,
  watchProject,
  type ProjectBuildResult,
  type ProjectWatcher,
  type ReloadEvent,
} from "../../index.js";
import { errorJson, formatMs, formatValue, jsonReplacer, printDiagnostic, UsageError, type Streams } from "../output.js";
import { addProjectOptions, projectOptions, type ProjectCliOptions } from "./common.js";
import { parseArgs, typeName } from "./run.js";
import { parseTarget } from "../target.js";
import { printWarnings } from "./warnings.js";

interface WatchCliOptions extends ProjectCliOptions {
  run?: string[];
  debounce?: string;
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

function counts(b: ProjectBuildResult): string {
  return `${b.compiled} compiled, ${b.cached} cached`;
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C). */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export function registerWatch(program: Command, s: Streams): void {
  const cmd = addProjectOptions(
    program
      .command("watch")
      .description("build, load, and rebuild + hot-reload on every change to the manifest, a source or a header")
      .argument("[manifest]", "orcjit.yaml, or a directory holding one", ".")
      .option("--run <call...>", "library.function and JSON args, called after the first load and each successful reload")
      .option("--debounce <ms>", "quiet period after a file event before rebuilding", "50")
      .addHelpText(
        "after",
        `
Examples:
  $ orcjit watch
  $ orcjit watch path/to/orcjit.yaml --run math.add 1 2
  $ orcjit watch --run kernels.scale -1.5 -- path/to/orcjit.yaml   # "--" ends the --run values
A project that fails to build at startup is reported and waited on: the first good edit loads it.
Stop with Ctrl-C.`,
      ),
  );
  const force = cmd.options.find((opt) => opt.long === "--force");
  if (force) force.description = "recompile every source until the first load (rebuilds on save use the cache)";
  cmd.action(async (manifest: string, o: WatchCliOptions) => {
    let call: { lib: string; fn: string; args: unknown[] } | undefined;
    if (o.run) {
      const [target, ...rawArgs] = o.run;
      const [lib, fn] = parseTarget(target ?? "", "--run expects <library>.<function> [args...]");
      call = { lib, fn, args: parseArgs(rawArgs) };
    }
    const debounceMs = Number(o.debounce ?? "50");
    if (!Number.isFinite(debounceMs) || debounceMs < 0) throw new UsageError(`--debounce must be a non-negative number of milliseconds, got '${o.debounce}'`);

    const json = o.json === true;
    const emit = (record: Record<string, unknown>): void => {
      s.out.write(`${JSON.stringify(record, jsonReplacer)}\n`);
    };

    const w: ProjectWatcher = await watchProject(manifest, { ...projectOptions(o), debounceMs, waitForFix: true, ...(o.force ? { force: true } : {}) });
    // before printing anything: a Ctrl-C right after the first line must stop cleanly
    const stopped = untilStopped();
    try {
      // A handle resolved once: it follows every reload.
      const fn = call ? w.library(call.lib).getFunction(call.fn) : undefined;
      const runCall = (): void => {
        if (!call || !fn) return;
        try {
          const result = fn(...(call.args as Parameters<typeof fn>));
          if (json) emit({ event: "result", target: `${call.lib}.${call.fn}`, generation: w.generation, result: result ?? null, type: typeName(result) });
          else s.out.write(`${call.lib}.${call.fn}(${call.args.map((a) => JSON.stringify(a)).join(", ")}) = ${formatValue(result)}\n`);
        } catch (e) {
          if (json) emit({ event: "result", target: `${call.lib}.${call.fn}`, generation: w.generation, error: errorJson(e) });
          else s.err.write(`orcjit: ${call.lib}.${call.fn}: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      };

      const files = w.watchedFiles.length;
      if (!w.loaded) {
        // the failed build's diagnostics follow through the error listener below
        if (json) emit({ event: "waiting", generation: 0, manifest: w.manifestFile, watchedFiles: w.watchedFiles });
        else s.out.write(`watching ${display(w.manifestFile)}: the first build failed, waiting for a fix… (${files} files) — Ctrl-C to stop\n`);
      } else if (json) {
        const b = w.initialBuild;
        emit({ event: "ready", generation: w.generation, manifest: w.project.file, libraries: w.libraryNames, watchedFiles: w.watchedFiles, compiled: b.compiled, cached: b.cached, durationMs: Math.round(b.durationMs) });
      } else {
        const b = w.initialBuild;
        printWarnings([...w.project.manifest.warnings, ...b.warnings], s);
        s.out.write(
          `watching ${display(w.project.file)}: ${w.libraryNames.length} librar${w.libraryNames.length === 1 ? "y" : "ies"}, ${files} files ` +
            `(${counts(b)} in ${formatMs(b.durationMs)}) — Ctrl-C to stop\n`,
        );
      }
      if (w.loaded) runCall();

      w.on("building", (e) => {
        if (json) emit({ event: "building", changedFiles: e.changedFiles, libraries: e.libraries, manifest: e.manifest });
      });
      w.on("reload", (e: ReloadEvent) => {
        if (json) {
          emit({
            event: "reload",
            generation: e.generation,
            changedFiles: e.changedFiles,
            libraries: e.libraries,
            added: e.added,
            removed: e.removed,
            compiled: e.build.compiled,
            cached: e.build.cached,
            durationMs: Math.round(e.durationMs),
          });
        } else {
          // generation 1 here: the first load, after a failed start
          printWarnings([...(e.generation === 1 ? w.project.manifest.warnings : []), ...e.build.warnings], s);
          const changed = e.changedFiles.map(display).join(", ") || "manifest";
          const what = e.libraries.length > 0 ? `${e.generation === 1 ? "loaded" : "reloaded"} ${e.libraries.join(", ")}` : "nothing to reload";
          const plus = [e.added.length > 0 ? `added ${e.added.join(", ")}` : "", e.removed.length > 0 ? `removed ${e.removed.join(", ")}` : ""].filter(Boolean);
          s.out.write(
            `[${clock()}] ${changed} changed → ${what}${plus.length ? ` (${plus.join("; ")})` : ""} in ${formatMs(e.durationMs)} ` +
              `(${counts(e.build)}; generation ${e.generation})\n`,
          );
        }
        if (e.libraries.length > 0 || e.removed.length > 0) runCall();
      });
      w.on("error", (e, info) => {
        if (json) {
          emit({ event: "error", changedFiles: info.changedFiles, generation: info.generation, error: errorJson(e) });
          return;
        }
        const changed = info.changedFiles.map(display).join(", ");
        const after = info.generation === 0 ? "build failed; waiting for a fix…" : `rebuild failed; generation ${info.generation} keeps serving`;
        s.err.write(`[${clock()}] ${changed ? `${changed} changed → ` : ""}${after}\n`);
        if ((e instanceof CompileError || e instanceof ManifestError) && e.diagnostics.length > 0) {
          for (const d of e.diagnostics) printDiagnostic(d, s);
        } else if (e instanceof OrcJitError) {
          s.err.write(`orcjit: ${e.name}: ${e.message}\n`);
        } else {
          s.err.write(`orcjit: ${e.stack ?? e.message}\n`);
        }
      });

      await stopped;
    } finally {
      await w.close();
    }
    if (json) emit({ event: "closed" });
    else s.out.write("stopped\n");
  });
}
