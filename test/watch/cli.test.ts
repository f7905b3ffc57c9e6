// `orcjit watch` end to end: the built CLI in a child process, real edits, waits on its output.
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { execa, type ResultPromise } from "execa";
import { beforeAll, describe, expect, test } from "vitest";
import { cliMain, ensureBuilt } from "../cli/helpers.js";
import { copyFixture, replaceIn } from "./helpers.js";

beforeAll(() => ensureBuilt(), 600_000);

/** Accumulates a stream's text and resolves waits when a pattern appears after `from`. */
class Output {
  text = "";
  #waiters: Array<() => void> = [];
  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      this.text += chunk;
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  /** Waits until `pattern` matches the text written after offset `from`; returns the match end. */
  until(pattern: RegExp, from = 0, timeoutMs = 90_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${this.text}`)), timeoutMs);
      const check = (): void => {
        const m = pattern.exec(this.text.slice(from));
        if (m) {
          clearTimeout(timer);
          resolve(from + m.index + m[0].length);
        } else this.#waiters.push(check);
      };
      check();
    });
  }
}

function startCli(dir: string, args: string[]): { proc: ResultPromise; out: Output; err: Output } {
  const proc = execa(process.execPath, [cliMain, "watch", ...args], {
    cwd: dir,
    reject: false,
    env: { CI: "1", NO_COLOR: "1", ORCJIT_CACHE_DIR: path.join(dir, ".cache"), ORCJIT_PROFILE: "" },
    timeout: 300_000,
  });
  return { proc, out: new Output(proc.stdout!), err: new Output(proc.stderr!) };
}

describe("orcjit watch", () => {
  test("prints each rebuild and the --run result; a broken edit prints diagnostics and keeps serving", async () => {
    const dir = copyFixture("hot");
    const { proc, out, err } = startCli(dir, ["--run", "caller.call_value", "1", "--debounce", "30"]);
    try {
      let at = await out.until(/watching orcjit\.yaml: 3 libraries, \d+ files \(3 compiled, 0 cached in \d+m?s\)/);
      at = await out.until(/caller\.call_value\(1\) = 1002\n/, at);

      replaceIn(path.join(dir, "src/math.c"), "x * SCALE + OFFSET", "x * SCALE + OFFSET + 5");
      at = await out.until(/src\/math\.c changed → reloaded math, caller in \d+m?s \(1 compiled, 2 cached; generation 2\)\n/, at);
      at = await out.until(/caller\.call_value\(1\) = 1007\n/, at);

      replaceIn(path.join(dir, "src/math.c"), "x * SCALE + OFFSET + 5", "x * SCALE + OFFSET + ");
      await err.until(/src\/math\.c changed → rebuild failed; generation 2 keeps serving\n/);
      await err.until(/src\/math\.c:4:\d+: error: /);

      replaceIn(path.join(dir, "src/math.c"), "x * SCALE + OFFSET + ", "x * SCALE + OFFSET + 6");
      at = await out.until(/generation 3\)\n/, at);
      await out.until(/caller\.call_value\(1\) = 1008\n/, at);
    } finally {
      proc.kill("SIGINT");
    }
    const r = await proc;
    expect(r.exitCode).toBe(0);
    expect(out.text).toMatch(/stopped\n$/);
  });

  test("--json prints one event per line", async () => {
    const dir = copyFixture("hot");
    const { proc, out } = startCli(dir, ["--json", "--run", "math.value", "2"]);
    try {
      let at = await out.until(/"event":"result".*"result":4/);
      replaceIn(path.join(dir, "orcjit.yaml"), "OFFSET: 0", "OFFSET: 1");
      at = await out.until(/"event":"reload"/, at);
      await out.until(/"event":"result".*"result":5/, at);
    } finally {
      proc.kill("SIGINT");
    }
    const r = await proc;
    expect(r.exitCode).toBe(0);
    const events = out.text.trim().split("\n").map((l) => JSON.parse(l) as { event: string });
    expect(events.map((e) => e.event)).toEqual(["ready", "result", "building", "reload", "result", "closed"]);
    expect(events[3]).toMatchObject({ event: "reload", libraries: ["math", "caller"], generation: 2, compiled: 1 });
  });

  test("a project broken at startup: diagnostics, waiting for a fix, then the first load and --run", async () => {
    const dir = copyFixture("hot");
    replaceIn(path.join(dir, "src/math.c"), "x * SCALE + OFFSET;", "x * SCALE + OFFSET + ;");
    const { proc, out, err } = startCli(dir, ["--run", "caller.call_value", "1", "--debounce", "30"]);
    try {
      const at = await out.until(/watching orcjit\.yaml: the first build failed, waiting for a fix… \(\d+ files\) — Ctrl-C to stop\n/);
      await err.until(/build failed; waiting for a fix…\n/);
      await err.until(/src\/math\.c:4:\d+: error: expected expression/);
      replaceIn(path.join(dir, "src/math.c"), "x * SCALE + OFFSET + ;", "x * SCALE + OFFSET;");
      const loaded = await out.until(/src\/math\.c changed → loaded math, caller, other in \d+m?s \(\d+ compiled, \d+ cached; generation 1\)\n/, at);
      await out.until(/caller\.call_value\(1\) = 1002\n/, loaded);
    } finally {
      proc.kill("SIGINT");
    }
    const r = await proc;
    expect(r.exitCode).toBe(0);
    expect(out.text).not.toMatch(/not loaded yet/); // --run waited for the first load
  });

  test("--json: an invalid manifest at startup gives 'waiting' and 'error', the fix gives 'reload' generation 1", async () => {
    const dir = copyFixture("hot");
    const yaml = path.join(dir, "orcjit.yaml");
    replaceIn(yaml, "linkOrder: [math]", "linkOrder: [nowhere]");
    const { proc, out } = startCli(dir, ["--json", "--run", "math.value", "2"]);
    try {
      const at = await out.until(/"event":"error".*"code":"ORCJIT_MANIFEST"/);
      replaceIn(yaml, "linkOrder: [nowhere]", "linkOrder: [math]");
      await out.until(/"event":"result".*"result":4/, at);
    } finally {
      proc.kill("SIGINT");
    }
    expect((await proc).exitCode).toBe(0);
    const events = out.text.trim().split("\n").map((l) => JSON.parse(l) as { event: string; generation?: number });
    expect(events.map((e) => e.event)).toEqual(["waiting", "error", "building", "reload", "result", "closed"]);
    expect(events[1]).toMatchObject({ generation: 0 });
    expect(events[3]).toMatchObject({ generation: 1, libraries: ["math", "caller", "other"] });
  });

  test("--force recompiles everything on the first build", async () => {
    const dir = copyFixture("hot");
    const env = { CI: "1", NO_COLOR: "1", ORCJIT_CACHE_DIR: path.join(dir, ".cache"), ORCJIT_PROFILE: "" };
    const built = await execa(process.execPath, [cliMain, "build"], { cwd: dir, reject: false, env });
    expect(built.exitCode).toBe(0); // the cache now has every object
    const { proc, out } = startCli(dir, ["--json", "--force"]);
    try {
      await out.until(/"event":"ready"/);
    } finally {
      proc.kill("SIGINT");
    }
    expect((await proc).exitCode).toBe(0);
    expect(JSON.parse(out.text.split("\n")[0]!)).toMatchObject({ event: "ready", compiled: 3, cached: 0 });
  });

  test("usage errors", async () => {
    const dir = copyFixture("hot");
    const r = await execa(process.execPath, [cliMain, "watch", "--run", "nodot"], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--run expects <library>\.<function>/);
  });
});

describe("examples/hot-reload", () => {
  test("run.ts --demo: a header edit reloads the kernel behind the same handle", async () => {
    const cache = copyFixture("hot"); // any temp dir: a private object cache
    const r = await execa(process.execPath, ["--import", pathToFileURL(path.join(cliMain, "../../../scripts/run-ts.mjs")).href, path.join(cliMain, "../../../examples/hot-reload/run.ts"), "--demo"], {
      reject: false,
      env: { ORCJIT_CACHE_DIR: path.join(cache, ".cache"), ORCJIT_PROFILE: "" },
      timeout: 300_000,
    });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^scale\(2\) = 4\ninclude\/params\.h changed → reloaded kernels in \d+ ms \(1 compiled, 0 cached\): scale\(2\) = 6\nscale multiplies by 3\.0+$/);
  });
});
