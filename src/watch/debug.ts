// ORCJIT_WATCH_DEBUG=1: the watcher traces file events, builds and swaps on stderr.
const enabled = process.env.ORCJIT_WATCH_DEBUG !== undefined && process.env.ORCJIT_WATCH_DEBUG !== "" && process.env.ORCJIT_WATCH_DEBUG !== "0";

/** Writes `[watch] <message()>` to stderr when tracing is on (the message is built only then). */
export function trace(message: () => string): void {
  if (enabled) process.stderr.write(`[watch] ${message()}\n`);
}
