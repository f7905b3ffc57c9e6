// A Node child process for tests whose attack could kill the process (crashes, native
// attacks): runs `node <args>`, collects its output, and parses the one `RESULT <json>` line
// the child scripts print. Never rejects: a child that died is an outcome to assert on.
import { spawn } from "node:child_process";

export interface ChildOutcome<R = Record<string, unknown>> {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The RESULT object, or undefined if the child died before printing it. */
  result: R | undefined;
}

export function runNodeChild<R = Record<string, unknown>>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildOutcome<R>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      resolve({ code, signal, stdout, stderr, result: line ? (JSON.parse(line.slice(7)) as R) : undefined });
    });
  });
}
