// A fresh process for test/values/call-path.test.ts: the call path sizes its first
// napi_get_cb_info by the most arguments a call on the thread had so far (function.cc), so
// argument counts growing and shrinking are tested from a thread that made no call yet.
//   node call-path-child.mjs <dist dir> <call_path object>
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

const [dist, object] = process.argv.slice(2);
const { ExecutionSession } = await import(pathToFileURL(join(dist, "index.js")).href);

function run() {
  const session = new ExecutionSession();
  const lib = session.createLibrary("call-path-child");
  lib.add(object);
  const kinds = lib.getFunction("kinds");
  const f32 = new Float32Array(2);
  const out = [kinds(), kinds(1, 2.5), kinds(7), kinds(), kinds(1, 1, 1, 1, 1, 1, 1, 1), kinds(f32, 2), kinds(3), kinds(1, 2, 3, 4, 5, 6, 7, 8, 9), kinds()];
  session.dispose();
  return out.map(String); // 9 arguments encode beyond 2^53: a bigint
}

if (process.argv[4] === "worker") {
  const { parentPort } = await import("node:worker_threads");
  parentPort.postMessage(run());
} else {
  const main = run();
  // A worker thread starts over with its own sizing.
  const worker = await new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { argv: [dist, object, "worker"] });
    w.once("message", resolve);
    w.once("error", reject);
  });
  console.log("RESULT " + JSON.stringify({ main, worker }));
}
