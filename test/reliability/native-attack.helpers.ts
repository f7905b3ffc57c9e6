// Runs one case of native-attacks.mjs in a child process: a crash is a failed test, not a
// dead runner. The child prints "RESULT <json>" when it survived the attack.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "../cli/helpers.js";
import { runNodeChild, type ChildOutcome } from "../helpers/node-child.js";
import { ROOT } from "./helpers.js";

const SCRIPT = fileURLToPath(new URL("./native-attacks.mjs", import.meta.url));

export type AttackOutcome = ChildOutcome;

export function runAttack(name: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<AttackOutcome> {
  ensureBuilt();
  return runNodeChild(["--expose-gc", SCRIPT, join(ROOT, "dist"), name, ...extra], env);
}

/** Fails with the child's output when it crashed or exited non-zero. */
export function survived(o: AttackOutcome, expectedCode = 0): Record<string, unknown> {
  if (o.signal !== null || o.code !== expectedCode || !o.result) {
    throw new Error(`attack child: code ${o.code}, signal ${o.signal}\n--- stdout\n${o.stdout}\n--- stderr\n${o.stderr}`);
  }
  return o.result;
}
