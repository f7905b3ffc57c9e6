// Runs one case of native-attacks.mjs in a child process: a crash is a failed test, not a
// dead runner. The child prints "RESULT <json>" when it survived the attack.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "../cli/helpers.js";
import { ROOT } from "./helpers.js";

const SCRIPT = fileURLToPath(new URL("./native-attacks.mjs", import.meta.url));

export interface AttackOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The RESULT object, or undefined if the child died before printing it. */
  result: Record<string, unknown> | undefined;
}

export function runAttack(name: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<AttackOutcome> {
  ensureBuilt();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--expose-gc", SCRIPT, join(ROOT, "dist"), name, ...extra], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      resolve({ code, signal, stdout, stderr, result: line ? (JSON.parse(line.slice(7)) as Record<string, unknown>) : undefined });
    });
  });
}

/** Fails with the child's output when it crashed or exited non-zero. */
export function survived(o: AttackOutcome, expectedCode = 0): Record<string, unknown> {
  if (o.signal !== null || o.code !== expectedCode || !o.result) {
    throw new Error(`attack child: code ${o.code}, signal ${o.signal}\n--- stdout\n${o.stdout}\n--- stderr\n${o.stderr}`);
  }
  return o.result;
}
