// `<library>.<function>`: how the CLI names an exported function (orcjit run, orcjit watch --run).
import { UsageError } from "./output.js";

const TARGET = /^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** True when `arg` has the form `library.function`. */
export function isTarget(arg: string): boolean {
  return TARGET.test(arg);
}

/** `library.function` → [library, function]; otherwise a UsageError "`expected`, got '<target>'". */
export function parseTarget(target: string, expected = "expected <library>.<function>"): [string, string] {
  const m = TARGET.exec(target);
  if (!m) throw new UsageError(`${expected}, got '${target}'`);
  return [m[1]!, m[2]!];
}
