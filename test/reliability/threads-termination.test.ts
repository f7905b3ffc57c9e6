// Wave 2, native: threads and termination. worker.terminate() while the worker is inside a
// JS callback called from JIT code, and workers whose libraries' finalizers call JS as they
// exit. Each attack in a child process (an abort would kill the whole process).
import { describe, expect, it } from "vitest";
import { record } from "./helpers.js";
import { runAttack, survived } from "./native-attack.helpers.js";

const FILE = "threads-termination";
const DOOR = "threads and termination";

describe("worker termination", () => {
  it("worker.terminate() while the worker is inside a callback (4 different moments)", async () => {
    const r = survived(await runAttack("terminate-in-callback"));
    expect(r.codes).toEqual([1, 1, 1, 1]);
    expect(r.mainAlive).toBe(true);
    record(FILE, { door: DOOR, input: "worker.terminate() during JIT code → JS callback loops", count: 4, held: "worker exits (code 1); the main thread lives" });
  });

  it("a worker's library finalizer calls a JS global as the worker exits or is terminated", async () => {
    const r = survived(await runAttack("worker-exit-finalizer-calls-js"));
    expect(r.codes).toEqual([0, 1]);
    record(FILE, { door: DOOR, input: "static destructor calls the worker's JS global at worker exit / terminate", count: 2, held: "exit codes 0 / 1; the call is skipped softly" });
  });
});
