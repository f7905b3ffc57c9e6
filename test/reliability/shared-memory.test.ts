// Wave 2, native: shared and resizable memory. Bytes that another thread changes while they
// are validated, views whose JS properties lie about their extents, and JS memory that is
// transferred, collected or shrunk while C++ holds a pointer into it. One child per attack.
import { describe, expect, it } from "vitest";
import { record } from "./helpers.js";
import { runAttack, survived } from "./native-attack.helpers.js";

const FILE = "shared-memory";
const DOOR = "shared and resizable memory";

describe("DynamicLibrary.add over a SharedArrayBuffer", () => {
  it("a worker flips a relocation between valid and out-of-section while add() runs: linked or rejected, never a crash", async () => {
    const rounds = 400;
    const r = survived(await runAttack("sab-add-race", [], { ORCJIT_SAB_ROUNDS: String(rounds) }));
    expect(r.other).toEqual([]);
    expect((r.ok as number) + (r.rejected as number)).toBe(rounds);
    record(FILE, { door: DOOR, input: "Uint8Array over a SharedArrayBuffer mutated by a worker during add()", count: rounds, held: `${String(r.ok)} linked with correct results, ${String(r.rejected)} ObjectFileError; no crash` });
  });
});

describe("new Tensor(view) takes extents from the engine", () => {
  it("instance overrides, a lying subclass and lying prototypes get the real extents", async () => {
    const r = survived(await runAttack("tensor-lying-views"));
    expect(r.instance).toEqual({ shape: [4], numel: 4, sum: 10, sameBuffer: false });
    expect(r.subclass).toEqual({ shape: [4], dtype: "float32", sum: 10 });
    expect(r.prototype).toEqual({ shape: [4], sum: 10, shape2: [4], sum2: 10 });
    expect(r.offsetPastEnd).toMatchObject({ name: "TypeError" });
    expect(r.shapePastEnd).toMatchObject({ name: "TypeError" });
    record(FILE, { door: DOOR, input: "byteLength/byteOffset/buffer/length overridden on the instance, a subclass, the prototypes; a lying constructor name", count: 5, held: "tensor of the real 4 elements (sum 10); past-the-end offsets/shapes are TypeError" });
  });
});

describe("zero-copy memory C++ holds", () => {
  it("a tensor stored by C++ survives a transfer of its buffer and GC", async () => {
    const r = survived(await runAttack("tensor-stored-then-transferred"));
    expect(r.sum).toBe(r.expected);
    expect(r.stillAttached).toBe(8 * 65536);
    record(FILE, { door: DOOR, input: "C++ keeps a Tensor; JS transfers its ArrayBuffer, drops it, GC", count: 1, held: `buffer pinned (transfer ${String(r.transfer)}); C++ reads the right data` });
  });

  it("a callback that transfers the typed array the running kernel reads", async () => {
    const r = survived(await runAttack("callback-transfers-argument"));
    expect(r.sum).toBe(r.expected);
    record(FILE, { door: DOOR, input: "callback transfers the argument's ArrayBuffer mid-call, GC", count: 1, held: "views lent to the call are pinned before JS runs; kernel reads the right data" });
  });

  it("resizable ArrayBuffers: refused for tensors, and a callback cannot run while one is lent", async () => {
    const r = survived(await runAttack("resizable-buffers"));
    expect(r.tensor).toMatchObject({ name: "TypeError", message: expect.stringMatching(/resizable/) });
    expect(r.tensorFromBuffer).toMatchObject({ name: "TypeError" });
    expect(r.plain).toBe(3 * 65536);
    expect(r.shrinkInCallback).toMatchObject({ name: "FFIError", message: expect.stringMatching(/resizable/) });
    expect(r.byteLengthAfter).toBe(8 * 65536);
    record(FILE, { door: DOOR, input: "resizable ArrayBuffer: Tensor over it; resize(0) from a callback while lent", count: 3, held: "TypeError / the callback is refused (FFIError), buffer unchanged; plain calls work" });
  });
});
