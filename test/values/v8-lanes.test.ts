// The call path's V8 lanes (native/src/binding/v8_lanes.h): numbers and typed arrays read
// through V8's own functions after a start-up self-test. They are an optimization only, so
// every value must convert exactly as through Node-API: the same values are sent with the
// lanes on and off and the results compared, including typed arrays whose prototype lies
// about their kind, subclasses, views at an offset, and a position switching kinds (the
// per-position kind hint). Also: where they are on, the switch in a fresh process, and a
// worker thread (its own isolate: its own null handle for None results).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataType, ExecutionSession, Tensor, nativeInfo, type FFIFunction, type FFIValue } from "../../src/index.js";
import { addon } from "../../src/values/native.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";
import { runNodeChild } from "../helpers/node-child.js";
import { firstMessageOfWorker } from "../helpers/worker.js";

const cc = COMPILERS[0]!;

function describeValue(v: unknown): unknown {
  if (v instanceof Tensor) return { tensor: v.dtype.toString(), shape: v.shape, data: v.toArray().map(String) };
  if (v instanceof DataType) return { dtype: v.toString() };
  if (v instanceof Uint8Array) return { bytes: Array.from(v) };
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" && Object.is(v, -0)) return "-0";
  if (typeof v === "number" && Number.isNaN(v)) return "NaN";
  return v;
}

class MyFloats extends Float32Array {}

/** Values and what echo() gives back; the same on both settings. */
function samples(): [string, () => FFIValue, unknown][] {
  const liar = new Int32Array([7, -8]);
  Object.setPrototypeOf(liar, Float32Array.prototype); // V8 still knows it holds int32
  const shared = new ArrayBuffer(32);
  new Float64Array(shared)[1] = 2.25;
  return [
    ["0", () => 0, 0],
    ["-0", () => -0, "-0"],
    ["int32 max", () => 2 ** 31 - 1, 2 ** 31 - 1],
    ["int32 min", () => -(2 ** 31), -(2 ** 31)],
    ["2^31", () => 2 ** 31, 2 ** 31],
    ["-(2^31) - 1", () => -(2 ** 31) - 1, -(2 ** 31) - 1],
    ["2^53 - 1", () => 2 ** 53 - 1, 2 ** 53 - 1],
    ["2^60", () => 2 ** 60, `${2n ** 60n}n`],
    ["2^63", () => 2 ** 63, 2 ** 63],
    ["1.5", () => 1.5, 1.5],
    ["NaN", () => NaN, "NaN"],
    ["-Infinity", () => -Infinity, -Infinity],
    ["Float32Array", () => new Float32Array([1.5, -2]), { tensor: "float32", shape: [2], data: ["1.5", "-2"] }],
    ["Float64Array view at byte 8", () => new Float64Array(shared, 8, 1), { tensor: "float64", shape: [1], data: ["2.25"] }],
    ["Int32Array with Float32Array's prototype", () => liar, { tensor: "int32", shape: [2], data: ["7", "-8"] }],
    ["subclass of Float32Array", () => MyFloats.from([3]), { tensor: "float32", shape: [1], data: ["3"] }],
    ["Int8Array", () => new Int8Array([-1]), { tensor: "int8", shape: [1], data: ["-1"] }],
    ["Uint16Array", () => new Uint16Array([65535]), { tensor: "uint16", shape: [1], data: ["65535"] }],
    ["BigInt64Array", () => new BigInt64Array([-5n]), { tensor: "int64", shape: [1], data: ["-5"] }],
    ["Uint8Array (bytes)", () => new Uint8Array([1, 2]), { bytes: [1, 2] }],
    ["empty Float32Array", () => new Float32Array(0), { tensor: "float32", shape: [0], data: [] }],
    ["string", () => "text", "text"],
    ["undefined", () => undefined, null],
  ];
}

describe("V8 lanes", () => {
  let session: ExecutionSession;
  let echo: FFIFunction;
  const wasOn = nativeInfo().v8LanesOff === "";

  beforeAll(() => {
    session = new ExecutionSession();
    const lib = session.createLibrary("lanes");
    lib.add(fixture(cc, "cc/convert"));
    echo = lib.getFunction("echo");
  });
  afterAll(() => {
    addon().setV8Lanes(wasOn);
    session.dispose();
  });

  it("are on here (Linux x86-64/aarch64, Node 18-24), or say why not", () => {
    const off = nativeInfo().v8LanesOff;
    const supported = process.platform === "linux" && ["x64", "arm64"].includes(process.arch) &&
      Number(process.versions.node.split(".")[0]) >= 18 && Number(process.versions.node.split(".")[0]) <= 24;
    if (supported) expect(off).toBe("");
    else expect(off).toMatch(/./);
  });

  for (const lanes of [true, false]) {
    it(`every sample converts as through Node-API (lanes ${lanes ? "on" : "off"})`, () => {
      addon().setV8Lanes(lanes);
      for (const [what, make, want] of samples()) {
        // Three rounds: the first call sets the position's kind hint, later ones use it.
        for (let round = 0; round < 3; round++) expect({ what, got: describeValue(echo(make())) }).toEqual({ what, got: want });
      }
    });

    it(`one position switching kinds every call keeps every kind right (lanes ${lanes ? "on" : "off"})`, () => {
      addon().setV8Lanes(lanes);
      const all = samples();
      for (let i = 0; i < 200; i++) {
        const [what, make, want] = all[(i * 7) % all.length]!;
        expect({ what, got: describeValue(echo(make())) }).toEqual({ what, got: want });
      }
    });

    it(`a detached typed array at a hinted position is a clear error (lanes ${lanes ? "on" : "off"})`, () => {
      addon().setV8Lanes(lanes);
      for (let round = 0; round < 3; round++) {
        expect(describeValue(echo(new Float32Array([1])))).toEqual({ tensor: "float32", shape: [1], data: ["1"] });
        const ab = new ArrayBuffer(8);
        const detached = new Float32Array(ab);
        structuredClone(ab, { transfer: [ab] });
        expect(() => echo(detached)).toThrow(/detached/);
      }
    });
  }

  it("ORCJIT_V8_LANES=0 turns them off in a fresh process; calls give the same results", async () => {
    const script = `
      const m = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)});
      const s = new m.ExecutionSession();
      const lib = s.createLibrary("c");
      lib.add(${JSON.stringify(fixture(cc, "cc/convert"))});
      const echo = lib.getFunction("echo");
      const t = echo(new Float32Array([1.5]));
      console.log("RESULT " + JSON.stringify({ off: m.nativeInfo().v8LanesOff, n: echo(41), none: echo(undefined), dtype: t.dtype.toString() }));
      s.dispose();`;
    const o = await runNodeChild<{ off: string; n: number; none: null; dtype: string }>(["--input-type=module", "-e", script], { ORCJIT_V8_LANES: "0" });
    expect(o.stderr).toBe("");
    expect(o.result).toEqual({ off: "turned off (ORCJIT_V8_LANES=0)", n: 41, none: null, dtype: "float32" });
  });

  it("a worker thread converts with its own isolate's values (None is its own null)", async () => {
    const code = `
      const { parentPort } = require("node:worker_threads");
      import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)}).then((m) => {
        const s = new m.ExecutionSession();
        const lib = s.createLibrary("w");
        lib.add(${JSON.stringify(fixture(cc, "cc/convert"))});
        const echo = lib.getFunction("echo");
        const out = [];
        for (let i = 0; i < 3; i++) out.push(echo(undefined) === null, echo(i) === i, echo(new Float64Array([i])).dtype.toString());
        s.dispose();
        parentPort.postMessage(out);
      });`;
    const got = await firstMessageOfWorker(code);
    expect(got).toEqual([true, true, "float64", true, true, "float64", true, true, "float64"]);
  });
});
