// The detached PCH builder (pch.ts, buildInWorker): `node pch-worker.js <PchJob as JSON>`.
// Builds the precompiled header into its own temp directory in the cache and publishes it
// through ObjectCache.publish (atomic: readers see the whole entry or none), then exits. It
// may outlive the process that started it. Killed half-way, it leaves only its temp directory
// (named after its pid; swept by the next process once it is dead). Never hangs: the compiler
// is killed after PCH_WORKER_TIMEOUT_MS. Exit status 0 = published, 1 = not (nothing to do:
// a later compile tries again).
import { ObjectCache } from "../cache/store.js";
import { buildAndPublish, PCH_WORKER_TIMEOUT_MS, type PchJob } from "./pch.js";

try {
  const job = JSON.parse(process.argv[2] ?? "") as PchJob;
  const cache = new ObjectCache(job.cacheRoot);
  await cache.ready();
  const published = await buildAndPublish(cache, job, process.env, { timeout: PCH_WORKER_TIMEOUT_MS });
  process.exitCode = published ? 0 : 1;
} catch {
  process.exitCode = 1;
}
