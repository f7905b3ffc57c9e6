// `orcjit run` argument parsing: integer literals are exact (issue 19, item 12).
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/commands/run.js";

describe("orcjit run: JSON arguments", () => {
  it("keeps integers beyond 2^53 exact as BigInt, and int64 extremes", () => {
    expect(parseArgs(["9007199254740993", "9223372036854775807", "-9223372036854775808", "9007199254740991"])).toEqual([9007199254740993n, 9223372036854775807n, -9223372036854775808n, 9007199254740991]);
  });
  it("leaves other values alone: doubles, exponents, strings that look like numbers, nesting", () => {
    expect(parseArgs(["2.5", "1e3", "-0", '"9007199254740993"', '[1, 9007199254740993, "x\\"9007199254740993"]', '{"b": 18446744073709551616}'])).toEqual([
      2.5,
      1000,
      -0,
      "9007199254740993",
      [1, 9007199254740993n, 'x"9007199254740993'],
      { b: 18446744073709551616n },
    ]);
  });
  it("refuses invalid JSON and numbers a double cannot hold", () => {
    expect(() => parseArgs(["12a"])).toThrow(/argument 1 is not valid JSON/);
    expect(() => parseArgs(["1", "1e400"])).toThrow(/argument 2 \(1e400\) contains a number too large for a double/);
  });
});
