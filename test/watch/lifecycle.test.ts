// Generation lifecycle in watch mode: static constructors of the new generation run, static
// destructors of the retired one run; 1,000 reload cycles keep RSS flat.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { copyFixture, nextEvent, replaceIn, startWatcher } from "./helpers.js";

describe("generations", () => {
  test("a reload runs the new generation's static constructors and the old one's destructors", async () => {
    const dir = copyFixture("lifecycle");
    const w = await startWatcher(dir);
    const version = w.library("probe").getFunction("version");
    const counts = w.library("counter").getFunction("counts"); // ctors * 1000 + dtors
    expect(version()).toBe(1);
    expect(counts()).toBe(1000);

    let reloaded = nextEvent(w, "reload");
    replaceIn(path.join(dir, "src/probe.cc"), "version(VERSION)", "version(VERSION + 10)");
    expect((await reloaded).libraries).toEqual(["probe"]);
    expect(version()).toBe(11);
    expect(counts()).toBe(2001);

    // a manifest edit (changed define) is a reload too
    reloaded = nextEvent(w, "reload");
    replaceIn(path.join(dir, "orcjit.yaml"), "VERSION: 1", "VERSION: 2");
    await reloaded;
    expect(version()).toBe(12);
    expect(counts()).toBe(3002);

    // a broken edit constructs nothing and destroys nothing
    const failed = nextEvent(w, "error");
    replaceIn(path.join(dir, "src/probe.cc"), "int version() {", "int version() { oops");
    await failed;
    expect(version()).toBe(12);
    expect(counts()).toBe(3002);
  });

  test("a watch handle forwards the newest generation's signature, doc and exact", async () => {
    const dir = copyFixture("lifecycle");
    const w = await startWatcher(dir);
    const version = w.library("probe").getFunction("version"); // C++ export: has metadata
    const counts = w.library("counter").getFunction("counts"); // C: none
    expect(version.signature).toBeDefined();
    expect(version.signatureError).toBeUndefined();
    expect(version.exact!()).toBe(1n);
    expect(counts.signature).toBeUndefined();
    expect(counts.exact).toBeUndefined();
    const reloaded = nextEvent(w, "reload");
    replaceIn(path.join(dir, "src/probe.cc"), "version(VERSION)", "version(VERSION + 10)");
    await reloaded;
    expect(version.exact!()).toBe(11n); // the new generation's
    expect(version()).toBe(11);
  });

  test("1,000 reload cycles through the watch API keep RSS flat", async () => {
    const dir = copyFixture("hot");
    // no file watcher: the cycles call reload() directly, alternating two cached variants
    const w = await startWatcher(dir, { watch: false });
    const value = w.library("math").getFunction("value");
    const callValue = w.library("caller").getFunction("call_value");
    const src = path.join(dir, "src/math.c");
    const base = readFileSync(src, "utf8");
    const variants = [base, base.replace("x * SCALE + OFFSET", "x * SCALE + OFFSET + 1")];

    const cycles = 1000;
    const warmup = 100;
    const latencies: number[] = [];
    let rssAfterWarmup = 0;
    for (let i = 1; i <= cycles; i++) {
      writeFileSync(src, variants[i % 2]!);
      const e = await w.reload([src]);
      latencies.push(e.durationMs);
      if (i > 2) expect(e.build.compiled).toBe(0); // no compiler runs after the first two
      expect(value(1)).toBe(2 + (i % 2));
      expect(callValue(1)).toBe(1002 + (i % 2));
      if (i === warmup) rssAfterWarmup = process.memoryUsage.rss();
    }
    const rssGrowth = process.memoryUsage.rss() - rssAfterWarmup;
    expect(w.generation).toBe(cycles + 1);
    expect(w.library("math").generation).toBe(cycles + 1);

    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sorted = [...latencies].sort((a, b) => a - b);
    // Reported, not asserted (no timing thresholds in tests).
    console.log(
      `[watch cycles] ${cycles} reloads: first 100 mean ${mean(latencies.slice(0, 100)).toFixed(2)} ms, ` +
        `last 100 mean ${mean(latencies.slice(-100)).toFixed(2)} ms, median ${sorted[cycles >> 1]!.toFixed(2)} ms, ` +
        `p95 ${sorted[Math.floor(cycles * 0.95)]!.toFixed(2)} ms; RSS growth after warm-up ${(rssGrowth / 2 ** 20).toFixed(1)} MiB`,
    );
    // generous bound: a leak of one generation per cycle (code, JITDylib, handles) would be far larger
    expect(rssGrowth).toBeLessThan(32 * 2 ** 20);
  });
});
