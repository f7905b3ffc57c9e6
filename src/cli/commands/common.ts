// Options shared by the commands that load a project.
import { Option, type Command } from "commander";
import type { LoadProjectOptions } from "../../index.js";
import { UsageError } from "../output.js";

export interface ProjectCliOptions {
  profile?: string;
  allowOutsideRoot?: boolean;
  jobs?: string;
  cacheDir?: string;
  compiler?: string;
  launcher?: string;
  pch?: boolean;
  force?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export function addProjectOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("-p, --profile <name>", "apply a profile of the manifest").env("ORCJIT_PROFILE"))
    .option("--allow-outside-root", "accept manifest paths outside the manifest's directory")
    .option("-j, --jobs <n>", "parallel compiler processes (default: number of cores)")
    .option("--compiler <cc>", "compiler for every library (clang, gcc, or a path)")
    .option("--launcher <cmd>", "run compiles through a launcher: ccache, sccache, distcc, icecc, or any prefix (default: the manifest's, else $ORCJIT_COMPILER_LAUNCHER)")
    .option("--no-pch", "include `pch:` headers as text instead of precompiling them")
    .addOption(new Option("--cache-dir <dir>", "object cache directory").env("ORCJIT_CACHE_DIR"))
    .option("-f, --force", "recompile even when the cache has an object")
    .option("-v, --verbose", "print compiler command lines")
    .option("--json", "print a JSON result on stdout");
}

export function projectOptions(o: ProjectCliOptions): LoadProjectOptions {
  const out: LoadProjectOptions = {};
  if (o.profile) out.profile = o.profile;
  if (o.allowOutsideRoot) out.allowOutsideRoot = true;
  if (o.cacheDir !== undefined) out.cacheDir = o.cacheDir;
  if (o.compiler !== undefined) out.compiler = o.compiler;
  if (o.launcher !== undefined) out.launcher = o.launcher;
  if (o.pch === false) out.pch = false;
  if (o.verbose) out.verbose = true;
  if (o.jobs !== undefined) {
    const n = Number(o.jobs);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer, got '${o.jobs}'`);
    out.jobs = n;
  }
  return out;
}
