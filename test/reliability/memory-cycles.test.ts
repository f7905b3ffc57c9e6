// Wave 2, native: memory per library cycle. create/add/call/dispose cycles of a C object and
// of a C++ object (static constructors, exceptions) must keep RSS flat: at most 5 MB between
// cycle 4,000 and the last (memory-cycles.mjs says why not 2,000). CI runs 12,000 cycles (≈ 11 s for C, ≈ 22 s for C++ on 2 cores);
// ORCJIT_MEMORY_CYCLES=100000 runs the full acceptance figure (≈ 50–95 s and ≈ 100–190 s;
// measured +2.8 MB for C and −2.3 MB for C++).
// Each run in a child process (--expose-gc, no other test's heap). A measurement, not timed.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/helpers.js";
import { record, ROOT } from "./helpers.js";

const SCRIPT = fileURLToPath(new URL("./memory-cycles.mjs", import.meta.url));
const CYCLES = Number(process.env.ORCJIT_MEMORY_CYCLES ?? 12000);

describe.each([
  { kind: "C object (add.o)", object: "test/.fixtures/clang/c/add.o", fn: "add" },
  { kind: "C++ object with static constructors and exceptions (exceptions.o)", object: "test/.fixtures/clang/cc/exceptions.o", fn: "greet" },
])("library cycles: $kind", ({ kind, object, fn }) => {
  it(`${CYCLES} create/add/call/dispose cycles: RSS within 5 MB after cycle 4,000`, () => {
    ensureBuilt();
    const p = spawnSync(process.execPath, ["--expose-gc", SCRIPT, join(ROOT, "dist"), join(ROOT, object), fn, String(CYCLES)], { encoding: "utf8", timeout: 30 * 60 * 1000 });
    const line = p.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (p.status !== 0 || !line) throw new Error(`child: status ${p.status}, signal ${p.signal}\n${p.stdout}\n${p.stderr}`);
    const r = JSON.parse(line.slice(7)) as { growthMB: number; samples: number[]; seconds: number; libraries: number };
    console.log(`[memory-cycles] ${kind}: ${CYCLES} cycles, RSS ${r.growthMB.toFixed(2)} MB after cycle 4,000 (samples every 2,000: ${r.samples.join(", ")}), ${r.seconds.toFixed(1)} s`);
    expect(r.libraries).toBe(0);
    expect(r.growthMB).toBeLessThanOrEqual(5);
    record("memory-cycles", { door: "memory per library cycle", input: `${kind}: create/add/call/dispose`, count: CYCLES, held: `RSS ${r.growthMB.toFixed(2)} MB between cycle 4,000 and ${CYCLES}`, durationMs: Math.round(r.seconds * 1000) });
  });
});
