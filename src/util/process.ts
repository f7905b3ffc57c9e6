// Running a tool (a compiler, a version probe) and collecting what it printed. A thin layer
// over node:child_process: importing a process library costs more start-up time (≈100 ms
// for execa) than every compile it would run on a warm start (none). node:child_process
// itself (with net, dgram, streams: ≈25–45 ms in a fresh process) is loaded on the first run.
import type { ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

const childProcess = (): typeof import("node:child_process") => process.getBuiltinModule("node:child_process");

export interface RunOptions {
  cwd?: string;
  /** The complete environment of the child (not merged with process.env). */
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the process (SIGTERM, then SIGKILL after 2 s). */
  signal?: AbortSignal;
  /** Milliseconds; the process is killed when it runs longer. */
  timeout?: number;
  /** Its own process group (POSIX), so a caller can kill the whole group by -pid. */
  detached?: boolean;
  windowsVerbatimArguments?: boolean;
}

export interface RunResult {
  /** undefined when the process could not be started or was killed by a signal. */
  exitCode?: number;
  signal?: NodeJS.Signals;
  /** stdout and stderr, interleaved in the order they arrived. */
  output: string;
  stdout: string;
  /** The process could not be started (ENOENT, EACCES, ...). */
  error?: NodeJS.ErrnoException;
  canceled: boolean;
  timedOut: boolean;
}

export interface RunningProcess {
  /** undefined when the spawn failed. */
  pid?: number;
  result: Promise<RunResult>;
}

/** Starts `file args` with stdin closed; `result` settles when the process and its pipes are done. Never rejects. */
export function runProcess(file: string, args: readonly string[], o: RunOptions = {}): RunningProcess {
  const all: Buffer[] = [];
  const out: Buffer[] = [];
  let error: NodeJS.ErrnoException | undefined;
  let canceled = false;
  let timedOut = false;
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = childProcess().spawn(file, args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
      ...(o.detached ? { detached: true } : {}),
      ...(o.windowsVerbatimArguments ? { windowsVerbatimArguments: true } : {}),
    });
  } catch (e) {
    // Synchronous spawn failures (an invalid argument, e.g. a NUL byte in a flag).
    return { result: Promise.resolve({ output: "", stdout: "", error: e as NodeJS.ErrnoException, canceled: false, timedOut: false }) };
  }
  const proc = child;
  proc.stdout.on("data", (b: Buffer) => (all.push(b), out.push(b)));
  proc.stderr.on("data", (b: Buffer) => all.push(b));
  let forceKill: NodeJS.Timeout | undefined;
  const kill = (): void => {
    proc.kill("SIGTERM");
    forceKill ??= setTimeout(() => proc.kill("SIGKILL"), 2000);
    forceKill.unref();
  };
  const onAbort = (): void => {
    canceled = true;
    kill();
  };
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    o.timeout !== undefined
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, o.timeout)
      : undefined;
  const result = new Promise<RunResult>((resolve) => {
    proc.on("error", (e: NodeJS.ErrnoException) => {
      error ??= e;
    });
    // "close": the process exited and its output pipes are drained (or it never started).
    proc.on("close", (code: number | null, sig: NodeJS.Signals | null) => {
      o.signal?.removeEventListener("abort", onAbort);
      if (timer) clearTimeout(timer);
      if (forceKill) clearTimeout(forceKill);
      resolve({
        ...(code !== null && !error ? { exitCode: code } : {}),
        ...(sig ? { signal: sig } : {}),
        output: Buffer.concat(all).toString("utf8"),
        stdout: Buffer.concat(out).toString("utf8"),
        ...(error ? { error } : {}),
        canceled,
        timedOut,
      });
    });
  });
  return { ...(proc.pid !== undefined ? { pid: proc.pid } : {}), result };
}
