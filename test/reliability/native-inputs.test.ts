// Wave 2, native: input types and registrations. Values thrown from callbacks that are not
// errors (a Symbol, an object whose toString throws), results too long for a JS string,
// Tensor::Empty with a braced shape (both compilers), and global functions registered by a
// worker that exits. Each attack in a child process.
import { describe, expect, it } from "vitest";
import { record } from "./helpers.js";
import { runAttack, survived } from "./native-attack.helpers.js";

const FILE = "native-inputs";
const DOOR = "input types (native)";

describe("values that cross the boundary", () => {
  it("a thrown Symbol comes back as the same Symbol; a result too long for V8 is a RangeError", async () => {
    const r = survived(await runAttack("thrown-values-and-long-strings"));
    expect(r.symbol).toEqual({ type: "symbol", same: true });
    expect(r.unprintable).toEqual({ same: true });
    expect(r.big).toMatchObject({ name: "RangeError", message: expect.stringMatching(/'big'.*longer than a JavaScript string/) });
    expect(r.fine).toBe(1000);
    record(FILE, { door: DOOR, input: "callback throws a Symbol / an object whose toString throws", count: 2, held: "the same value is rethrown to the JS caller" });
    record(FILE, { door: DOOR, input: "C++ returns a 600 MiB string", count: 1, held: "RangeError naming the function and the limit" });
  });

  it("Tensor::Empty({n, 3}, ...) compiles against the bundled headers (clang and gcc)", async () => {
    const r = survived(await runAttack("shape-view-braced-list"));
    expect(r.clang).toEqual({ shape: [4, 3], last: 11 });
    expect(r.gcc).toEqual({ shape: [4, 3], last: 11 });
    record(FILE, { door: DOOR, input: "Tensor::Empty with a braced shape, clang-22 and g++", count: 2, held: "compiles; shape [4, 3]" });
  });

  it("a worker's global functions leave with it; the entry it overrode comes back", async () => {
    const r = survived(await runAttack("worker-overrides-global"));
    expect(r.seen).toBe("registered");
    expect(r.hook).toBe(1);
    expect(r.workerOnly).toBe(-1);
    expect(r.listed).toBe(true);
    record(FILE, { door: DOOR, input: "worker overrides a global function (and adds one), then exits", count: 2, held: "the main thread's function is restored; the worker-only name is gone" });
  });
});
