// The build progress display: a live block on a terminal, plain lines when piped or under CI.
import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { ProgressDisplay, isInteractive, type Streams } from "../../src/cli/output.js";
import type { ProjectBuildProgress } from "../../src/project/index.js";

class Capture extends Writable {
  text = "";
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function streams(tty: boolean, env: NodeJS.ProcessEnv): Streams & { err: Capture } {
  return { out: new Capture(tty), err: new Capture(tty), env };
}

const ev = (kind: ProjectBuildProgress["kind"], index: number, library: string, relativePath: string, durationMs?: number): ProjectBuildProgress => ({
  kind,
  index,
  total: 3,
  library,
  relativePath,
  source: `/p/${relativePath}`,
  ...(durationMs !== undefined ? { durationMs } : {}),
});

function feed(display: ProgressDisplay): void {
  display.onProgress(ev("start", 0, "math", "src/a.cc"));
  display.onProgress(ev("start", 1, "math", "src/b.c"));
  display.onProgress(ev("cached", 1, "math", "src/b.c", 2));
  display.onProgress(ev("start", 2, "caller", "src/c.cc"));
  display.onProgress(ev("compiled", 0, "math", "src/a.cc", 1234));
  display.onProgress(ev("failed", 2, "caller", "src/c.cc", 80));
  display.stop();
}

describe("ProgressDisplay", () => {
  test("plain lines when not a terminal", () => {
    const s = streams(false, {});
    feed(new ProgressDisplay(s));
    expect(s.err.text).toBe(
      "[1/3] cached   math: src/b.c (2ms)\n[2/3] compiled math: src/a.cc (1.23s)\n[3/3] FAILED   caller: src/c.cc (80ms)\n",
    );
  });

  test("plain lines on a terminal under CI", () => {
    expect(isInteractive({ isTTY: true } as Streams["err"], { CI: "true" })).toBe(false);
    expect(isInteractive({ isTTY: true } as Streams["err"], { CI: "false" })).toBe(true);
    const s = streams(true, { CI: "1", NO_COLOR: "1" });
    feed(new ProgressDisplay(s));
    expect(s.err.text).not.toContain("\x1b[");
    expect(s.err.text.split("\n")).toHaveLength(4);
  });

  test("a live block on a terminal: files in flight, counts, cache hits, elapsed; cleared at the end", () => {
    const s = streams(true, { NO_COLOR: "1" });
    feed(new ProgressDisplay(s));
    const t = s.err.text;
    expect(t).toContain("math: src/a.cc"); // in flight
    expect(t).toMatch(/\[1\/3\] 0 compiled, 1 cached · \d+ms/);
    expect(t).toMatch(/\[3\/3\] 1 compiled, 1 cached, 1 failed · \d+ms/);
    expect(t).toContain("[2/3] compiled math: src/a.cc (1.23s)\n"); // permanent line
    expect(t).toContain("\x1b[0J"); // redrawn in place
    expect(t.endsWith("\x1b[0J")).toBe(true); // the block is removed by stop()
  });

  test("a terminal that reports 0 columns gets the plain lines, whole", () => {
    const s: Streams & { err: Capture } = { out: new Capture(true, 0), err: new Capture(true, 0), env: { NO_COLOR: "1" } };
    feed(new ProgressDisplay(s));
    expect(s.err.text).toBe(
      "[1/3] cached   math: src/b.c (2ms)\n[2/3] compiled math: src/a.cc (1.23s)\n[3/3] FAILED   caller: src/c.cc (80ms)\n",
    );
  });

  test("transient mode (orcjit run) leaves nothing behind", () => {
    const plain = streams(false, {});
    feed(new ProgressDisplay(plain, true));
    expect(plain.err.text).toBe("");
    const tty = streams(true, { NO_COLOR: "1" });
    feed(new ProgressDisplay(tty, true));
    expect(tty.err.text).not.toContain("[2/3] compiled");
    expect(tty.err.text.endsWith("\x1b[0J")).toBe(true);
  });
});
