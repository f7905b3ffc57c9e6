// Records every non-builtin module a process loads: `node --import ./count-hooks.mjs ...` with
// $ORCJIT_BENCH_LOADLOG naming a file. ES modules (and CommonJS reached through import) are
// appended by the load hook as they load; CommonJS modules loaded by require() (which bypasses
// the hooks on Node 20) are appended from require.cache at exit.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";
import { isMainThread } from "node:worker_threads";

const log = process.env.ORCJIT_BENCH_LOADLOG;
if (log && isMainThread && !globalThis.__orcjitCountHooks) {
  globalThis.__orcjitCountHooks = true;
  register(import.meta.url, import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => {
    const files = Object.keys(cache).map((f) => `${pathToFileURL(f).href}\n`);
    if (files.length) appendFileSync(log, files.join(""));
  });
}

export async function load(url, context, next) {
  if (!url.startsWith("node:")) appendFileSync(log, `${url}\n`);
  return next(url, context);
}
