// The bench harness's statistics and report format (no timing assertions).
import { describe, expect, it } from "vitest";
// @ts-expect-error plain-JS module without declarations
import { interleave, markdown, stats } from "../../bench/harness.js";

describe("bench harness", () => {
  it("computes median, quartiles and range", () => {
    const s = stats([5, 1, 3, 2, 4]);
    expect(s).toMatchObject({ n: 5, median: 3, q1: 2, q3: 4, min: 1, max: 5 });
  });

  it("interleaves samplers, alternating their order, and drops warm-up rounds", async () => {
    const order: string[] = [];
    const s = await interleave(
      { b: () => (order.push("b"), 1), c: () => (order.push("c"), 2) },
      { rounds: 3, warmupRounds: 1 },
    );
    expect(order).toEqual(["b", "c", "c", "b", "b", "c", "c", "b"]);
    expect(s.b.n).toBe(3);
    expect(s.c.median).toBe(2);
  });

  it("renders n/a rows and missed targets", () => {
    const machine = { date: "2026-01-01T00:00:00Z", cpuModel: "cpu", cores: 2, node: "v20", compiler: "cc", loadAverage: [0, 0, 0] };
    const st = stats([10, 11, 12]);
    const text = markdown(machine, [
      { figure: "f1", baselineLabel: "b", candidateLabel: "c", status: "ok", unit: "ns", baseline: st, candidate: st, ratio: 1.6, target: "≤ 1.5×", met: false },
      { figure: "f2", baselineLabel: "b", status: "n/a", reason: "waiting for X", target: "≤ 2×" },
    ]);
    expect(text).toContain("| f1 | b: 11.0 ns");
    expect(text).toContain("| 1.60× | ≤ 1.5× | **no** |");
    expect(text).toContain("n/a (waiting for X)");
  });
});
