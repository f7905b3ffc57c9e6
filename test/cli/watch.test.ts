// `orcjit watch --json --run ...` end to end: events are NDJSON lines; the test waits on them
// (no sleeps), edits real files, and stops the watcher with SIGINT.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { execa } from "execa";
import { beforeAll, expect, test } from "vitest";
import { cliMain, copyProject, ensureBuilt } from "./helpers.js";

beforeAll(() => ensureBuilt());

type Event = { event: string; [k: string]: unknown };

test("watch: initial result, a reload after an edit, a failed rebuild that keeps serving, then exit 0 on SIGINT", async () => {
  const dir = copyProject("multi-c");
  const child = execa(process.execPath, [cliMain, "watch", "--json", "--debounce", "20", "--run", "kinds.add_scaled", "1", "2"], {
    cwd: dir,
    reject: false,
    env: { CI: "1", NO_COLOR: "1", ORCJIT_CACHE_DIR: path.join(dir, ".test-cache"), ORCJIT_PROFILE: "" },
  });
  const events: Event[] = [];
  const lines = child.iterable({ from: "stdout" })[Symbol.asyncIterator]();
  /** Reads events until one matches, returning it. */
  const until = async (pred: (e: Event) => boolean): Promise<Event> => {
    for (;;) {
      const next = await lines.next();
      if (next.done) throw new Error(`watch ended before the expected event; saw ${JSON.stringify(events)}`);
      const e = JSON.parse(String(next.value)) as Event;
      events.push(e);
      if (pred(e)) return e;
    }
  };
  try {
    expect(await until((e) => e.event === "ready")).toMatchObject({ generation: 1, libraries: ["math", "kinds"], compiled: 3 });
    expect(await until((e) => e.event === "result")).toMatchObject({ target: "kinds.add_scaled", result: 30, type: "number" });

    const math = path.join(dir, "src/math.c");
    writeFileSync(math, readFileSync(math, "utf8").replace("return a + b;", "return a + b + 1;"));
    expect(await until((e) => e.event === "reload")).toMatchObject({ libraries: ["math", "kinds"], generation: 2, compiled: 1 });
    expect(await until((e) => e.event === "result")).toMatchObject({ result: 40 });

    const strings = path.join(dir, "src/strings.c");
    const good = readFileSync(strings, "utf8");
    writeFileSync(strings, `${good}int broken(\n`);
    const err = await until((e) => e.event === "error");
    expect(err).toMatchObject({ generation: 2, error: { code: "ORCJIT_COMPILE" } });
    expect(JSON.stringify(err)).toContain("strings.c");

    writeFileSync(strings, good);
    expect(await until((e) => e.event === "reload")).toMatchObject({ libraries: ["kinds"], generation: 3 });
    expect(await until((e) => e.event === "result")).toMatchObject({ result: 40 });
  } finally {
    child.kill("SIGINT");
  }
  const done = await child;
  expect(done.exitCode).toBe(0);
  expect(String(done.stdout).trim().split("\n").at(-1)).toBe('{"event":"closed"}');
});
