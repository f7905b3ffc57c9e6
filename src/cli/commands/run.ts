// orcjit run [manifest] <library>.<function> [args...]
import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { loadProject, OrcJitError, withInterrupt } from "../../index.js";
import { formatValue, jsonReplacer, ProgressDisplay, UsageError, type Streams } from "../output.js";
import { interruptible } from "../interrupt.js";
import { addProjectOptions, projectOptions, type ProjectCliOptions } from "./common.js";
import { printWarnings } from "./warnings.js";
import { isTarget, parseTarget } from "../target.js";


function looksLikeManifest(arg: string): boolean {
  if (/\.ya?ml$/i.test(arg)) return true;
  if (isTarget(arg)) return false;
  return existsSync(arg) && statSync(arg).isDirectory();
}

/**
 * Parses each argument as JSON (numbers, true/false, null, "strings", arrays, objects).
 * Integer literals are exact: one outside ±(2^53 − 1), where a JS number would silently round
 * (9007199254740993 → …992), becomes a BigInt (int64 max passes; beyond int64 the call
 * reports the range). A non-integer that is not finite as a double (1e400) is refused.
 */
export function parseArgs(args: string[]): unknown[] {
  return args.map((a, i) => {
    let value: unknown;
    try {
      value = JSON.parse(markBigIntegers(a), (_k, v: unknown) => (typeof v === "string" && v.startsWith(BIG) ? BigInt(v.slice(BIG.length)) : v));
    } catch {
      throw new UsageError(
        `argument ${i + 1} is not valid JSON: ${a}\n` +
          `  arguments are JSON values: 1, 2.5, true, null, '"text"' (quote strings for the shell: '"${a}"')`,
      );
    }
    if (hasInfinite(value)) throw new UsageError(`argument ${i + 1} (${a}) contains a number too large for a double`);
    return value;
  });
}

// A marker no JSON text can produce in a string (a lone NUL followed by a tag).
const BIG = "\u0000orcjit-bigint:";

/**
 * Rewrites integer literals that a double cannot hold exactly into marked strings (outside
 * string literals only), for the reviver to turn into BigInts. Invalid JSON stays invalid.
 */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function markBigIntegers(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"') {
      // copy a string literal verbatim (escapes included)
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    NUMBER.lastIndex = i;
    const m = c === "-" || (c >= "0" && c <= "9") ? NUMBER.exec(text) : null;
    if (m) {
      const tok = m[0];
      const integer = !/[.eE]/.test(tok);
      out += integer && !Number.isSafeInteger(Number(tok)) ? JSON.stringify(BIG + tok) : tok;
      i += tok.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function hasInfinite(v: unknown): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasInfinite);
  if (v && typeof v === "object") return Object.values(v).some(hasInfinite);
  return false;
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
        // Ctrl-C reaches the kernel through TVMFFIEnvCheckSignals (docs/async.md)
        // fn.exact (present for declared int results): the CLI prints 64-bit results exactly
        // instead of refusing those beyond 2^53 (docs/types.md#int-results)
        const call = fn.exact ?? fn;
        result = await withInterrupt(() => call(...(values as Parameters<typeof fn>)));
        // fn.exact returns every int as a bigint: print the ones a number holds as numbers
        if (typeof result === "bigint" && Number.isSafeInteger(Number(result))) result = Number(result);
      } catch (e) {
        // wrong argument count or types: the user's call is wrong, not orcjit
        if (e instanceof TypeError || e instanceof RangeError) throw new OrcJitError("ORCJIT_CALL", `${libName}.${fnName}: ${e.message}`, { cause: e });
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
