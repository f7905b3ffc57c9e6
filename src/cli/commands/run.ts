// orcjit run [manifest] <library>.<function> [args...]
import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { loadProject, OrcJitError } from "../../index.js";
import { formatValue, jsonReplacer, ProgressDisplay, UsageError, type Streams } from "../output.js";
import { interruptible } from "../interrupt.js";
import { addProjectOptions, projectOptions, type ProjectCliOptions } from "./common.js";
import { printWarnings } from "./warnings.js";

const TARGET = /^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** `library.function` → [library, function]; a UsageError otherwise. */
export function parseTarget(target: string): [string, string] {
  const m = TARGET.exec(target);
  if (!m) throw new UsageError(`expected <library>.<function>, got '${target}'`);
  return [m[1]!, m[2]!];
}

function looksLikeManifest(arg: string): boolean {
  if (/\.ya?ml$/i.test(arg)) return true;
  if (TARGET.test(arg)) return false;
  return existsSync(arg) && statSync(arg).isDirectory();
}

/** Parses each argument as JSON (numbers, true/false, null, "strings", arrays, objects). */
export function parseArgs(args: string[]): unknown[] {
  return args.map((a, i) => {
    try {
      return JSON.parse(a) as unknown;
    } catch {
      throw new UsageError(
        `argument ${i + 1} is not valid JSON: ${a}\n` +
          `  arguments are JSON values: 1, 2.5, true, null, '"text"' (quote strings for the shell: '"${a}"')`,
      );
    }
  });
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

export function registerRun(program: Command, s: Streams): void {
  addProjectOptions(
    program
      .command("run")
      .description("build, load and call one function, printing its result (arguments are JSON)")
      .usage("[options] [manifest] <library>.<function> [args...]")
      .argument("<target>", "[manifest] then library.function")
      .argument("[args...]", "JSON arguments: 1 2.5 true null '\"text\"'")
      .addHelpText(
        "after",
        `
Examples:
  $ orcjit run math.add 1 2
  $ orcjit run path/to/orcjit.yaml caller.call_math 10 20
  $ orcjit run hello.greet '"world"'
  $ orcjit run math.scale -- -1.5 2     # "--" before values that start with "-"`,
      ),
  ).action(async (first: string, rest: string[], o: ProjectCliOptions) => {
    let manifest = ".";
    let target = first;
    let args = rest;
    if (looksLikeManifest(first)) {
      if (rest.length === 0) throw new UsageError("missing <library>.<function> after the manifest");
      manifest = first;
      target = rest[0]!;
      args = rest.slice(1);
    }
    const [libName, fnName] = parseTarget(target);
    const values = parseArgs(args);

    const project = await loadProject(manifest, projectOptions(o));
    const lib = project.library(libName); // fails early, before compiling, on a typo
    const display = o.json ? undefined : new ProgressDisplay(s, true);
    try {
      try {
        await interruptible((signal) => project.build({ onProgress: display?.onProgress, force: o.force === true, signal }));
      } finally {
        display?.stop();
      }
      await project.load();
      const fn = lib.getFunction(fnName);
      let result: unknown;
      try {
        result = await fn(...(values as Parameters<typeof fn>));
      } catch (e) {
        // wrong argument count or types: the user's call is wrong, not orcjit
        if (e instanceof TypeError) throw new OrcJitError("ORCJIT_CALL", `${libName}.${fnName}: ${e.message}`, { cause: e });
        throw e;
      }
      if (o.json) {
        s.out.write(`${JSON.stringify({ ok: true, result: result ?? null, type: typeName(result) }, jsonReplacer)}\n`);
      } else {
        printWarnings(project.manifest.warnings, s);
        s.out.write(`${formatValue(result)}\n`);
      }
    } finally {
      project.dispose();
    }
  });
}
