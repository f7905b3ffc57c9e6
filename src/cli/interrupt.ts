// Ctrl-C (SIGINT) and SIGTERM during a command that builds: the first one cancels the build,
// which kills the compilers it started (their whole process groups) and removes their
// temporary folders, and the command exits with 128 + the signal number. Without this, Node's
// default handler ends the process at once: compilers live on as orphans and `tmp/b-*`
// folders stay in the cache until a prune. A second signal exits immediately.

/** The command was cancelled by a signal. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal})`);
  }
  /** The conventional exit status: 128 + the signal number (130 for SIGINT). */
  get exitCode(): number {
    return this.signal === "SIGTERM" ? 143 : 130;
  }
}

/** Runs `fn` with a signal that the first SIGINT/SIGTERM aborts (with an InterruptedError). */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) process.exit(new InterruptedError(signal).exitCode);
    abort.abort(new InterruptedError(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await fn(abort.signal);
    // a signal that arrived after the last cancellable step still stops the command
    abort.signal.throwIfAborted();
    return result;
  } catch (e) {
    throw abort.signal.aborted ? abort.signal.reason : e;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
