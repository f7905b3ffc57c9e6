// Runs CommonJS `code` in a worker thread (eval) and returns the first message it posts;
// rejects with the worker's error. The worker is terminated either way.
import { Worker } from "node:worker_threads";

export async function firstMessageOfWorker(code: string): Promise<unknown> {
  const w = new Worker(code, { eval: true });
  try {
    return await new Promise<unknown>((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    });
  } finally {
    await w.terminate();
  }
}
