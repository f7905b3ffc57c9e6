// Wave 2, native: lifetime and re-entrancy. dispose() of a library, a session or a project
// while that library's code is on the stack (from a JS callback, nested callbacks, a static
// initializer), and clean exit with finalizers that call JS. Each attack in a child process.
import { describe, expect, it } from "vitest";
import { record } from "./helpers.js";
import { runAttack, survived } from "./native-attack.helpers.js";

const FILE = "lifetime-reentrancy";
const DOOR = "lifetime and re-entrancy";

describe("dispose while the library's code is on the stack", () => {
  it("library.dispose() inside a callback: the call finishes, later calls are DisposedError, memory is freed after", async () => {
    const r = survived(await runAttack("dispose-library-in-callback"));
    expect(r.r).toBe(21);
    expect(r.after).toMatchObject({ name: "DisposedError" });
    expect(r.disposedNow).toBe(true);
    expect(r.libraries).toBe(0);
    expect(r.deferred).toBe(0);
    record(FILE, { door: DOOR, input: "library.dispose() from a JS callback of that library", count: 1, held: "call returns 21; then DisposedError; unmapped at the next turn of the event loop" });
  });

  it("session.dispose() inside a callback", async () => {
    const r = survived(await runAttack("dispose-session-in-callback"));
    expect(r.r).toBe(21);
    expect(r.after).toMatchObject({ name: "DisposedError" });
    expect(r.disposed).toBe(true);
    record(FILE, { door: DOOR, input: "session.dispose() from a JS callback", count: 1, held: "call completes; DisposedError after" });
  });

  it("dispose of library and session two callbacks deep", async () => {
    const r = survived(await runAttack("dispose-nested-callbacks"));
    expect(r.r).toBe(107);
    expect(r.after).toMatchObject({ name: "DisposedError" });
    record(FILE, { door: DOOR, input: "library + session dispose in a callback nested in a callback", count: 1, held: "both frames return (107); DisposedError after" });
  });

  it("a static initializer run by getFunction calls JS that disposes the library", async () => {
    const r = survived(await runAttack("dispose-from-static-initializer"));
    expect(r.got).toBeNull();
    expect(r.call).toMatchObject({ name: "DisposedError" });
    expect(r.disposed).toBe(true);
    record(FILE, { door: DOOR, input: "dispose() from a static initializer (during getFunction's link)", count: 1, held: "initializers finish; the library is disposed after; DisposedError" });
  });

  it("project.dispose() inside a callback", async () => {
    const r = survived(await runAttack("project-dispose-in-callback"));
    expect(r.r).toBe(21);
    expect(r.after).toMatchObject({ name: "DisposedError" });
    record(FILE, { door: DOOR, input: "project.dispose() from a JS callback", count: 1, held: "call completes; DisposedError after" });
  });
});

describe("dispose of a value while the kernel holds it", () => {
  it("tensor.dispose() inside a callback of a kernel that borrowed that tensor", async () => {
    const r = survived(await runAttack("dispose-value-in-callback"));
    expect(r.sum).toBe(r.expected);
    record(FILE, { door: DOOR, input: "Tensor.dispose() from a callback while the kernel holds it as a borrowed argument, then allocator churn", count: 1, held: "the reference is released after the call; the kernel reads the right data" });
  });
});

describe("exit with a never-disposed library whose destructor calls a JS global", () => {
  it("process.exitCode is preserved (no abort)", async () => {
    const o = await runAttack("exit-finalizer-calls-js", ["code"]);
    expect(survived(o, 5).one).toBe(1);
    expect(o.stderr).not.toMatch(/terminate called|Aborted/);
    expect(o.stderr).toMatch(/shutting down.*skipped/);
    record(FILE, { door: DOOR, input: "static destructor calls registerGlobalFunc'd JS at exit (exitCode 5)", count: 1, held: "exit status 5; the call is skipped with one warning" });
  });

  it("process.exit(7) is preserved (no abort)", async () => {
    const o = await runAttack("exit-finalizer-calls-js", ["exit"]);
    expect(survived(o, 7).one).toBe(1);
    expect(o.stderr).not.toMatch(/terminate called|Aborted/);
    record(FILE, { door: DOOR, input: "the same with process.exit(7) (finalizers from atexit)", count: 1, held: "exit status 7" });
  });
});
