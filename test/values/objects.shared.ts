// Reflected objects (FFIObject): construction through __ffi_init__, fields, methods, static
// methods, objects passed back as-is, dispose, lifetime after the library is disposed.
// The fixture registers process-global names, so each compiler runs in its own test file.
import { describe, expect, it } from "vitest";
import { ExecutionSession, FFIObject, getGlobalFunc, registerObject } from "../../src/index.js";
import { fixture, type FixtureCompiler } from "../helpers/fixtures.js";

export function objectTests(cc: FixtureCompiler): void {
  describe(`${cc.id}: objects`, () => {
    const session = new ExecutionSession();
    const lib = session.createLibrary("counter");
    lib.add(fixture(cc, "cc/counter"));
    const makeCounter = lib.getFunction("make_counter") as unknown as (c: number) => FFIObject & Record<string, unknown>;
    const counterValue = lib.getFunction("counter_value") as (c: unknown) => number;

    it("an object returned by C++ is an FFIObject with reflected fields and methods", () => {
      const c = makeCounter(5);
      expect(c).toBeInstanceOf(FFIObject);
      expect(c.typeKey).toBe("fixture_values.Counter");
      expect(c.count).toBe(5);
      expect(c.label).toBe("made in C++");
      expect((c.add as (d: number) => number)(3)).toBe(8);
      expect(c.count).toBe(8);
      expect(String(c)).toBe("fixture_values.Counter(count=8, label=made in C++)");
    });

    it("registerObject gives a constructible class; objects pass back as-is", () => {
      const Counter = registerObject("fixture_values.Counter");
      const c = new Counter(10, "from JS");
      expect(c).toBeInstanceOf(Counter);
      expect(c).toBeInstanceOf(FFIObject);
      expect(c.count).toBe(10);
      expect(c.label).toBe("from JS");
      expect(counterValue(c)).toBe(10);
      // objects from C++ are instances of the registered class too
      expect(makeCounter(1)).toBeInstanceOf(Counter);
      expect(Counter.twice!(21)).toBe(42);
      expect(Counter.typeKey).toBe("fixture_values.Counter");
      expect(Counter.typeIndex).toBeGreaterThanOrEqual(128);
      expect(c.typeIndex).toBe(Counter.typeIndex);
    });

    it("writable fields can be set, read-only fields cannot", () => {
      const Counter = registerObject("fixture_values.Counter");
      const c = new Counter(1, "x");
      c.count = 41;
      expect(counterValue(c)).toBe(41);
      expect(() => {
        (c as Record<string, unknown>).label = "y";
      }).toThrow(TypeError);
      expect(() => {
        c.count = "not a number";
      }).toThrow(expect.objectContaining({ name: expect.stringMatching(/TypeError/) }));
    });

    it("wrong constructor arguments raise the typed TypeError", () => {
      const Counter = registerObject("fixture_values.Counter");
      expect(() => new Counter("a", "b")).toThrow(expect.objectContaining({ kind: "TypeError" }));
    });

    it("dispose() releases the object; later use is a TypeError", () => {
      const c = makeCounter(2);
      c.dispose();
      expect(c.disposed).toBe(true);
      expect(() => c.count).toThrow(TypeError);
      expect(() => counterValue(c)).toThrow(/disposed/);
    });

    it("a global function registered by C++ is callable from JS", () => {
      expect(getGlobalFunc("fixture_values.sum_f32")(new Float32Array([1, 2]))).toBe(3);
    });

    it("an object outlives the dispose of its library", () => {
      const c = makeCounter(7);
      const sum = getGlobalFunc("fixture_values.sum_f32");
      const mk = getGlobalFunc("fixture_values.make_counter") as unknown as (n: number) => FFIObject & Record<string, unknown>;
      const fromGlobal = mk(3);
      lib.dispose();
      // a global the library registered: the runtime keeps its code mapped for the handle,
      // and the values it returned hold the same keep-alive
      expect(sum(new Float32Array([2, 3]))).toBe(5);
      expect(fromGlobal.count).toBe(3);
      expect(mk(4).count).toBe(4);
      fromGlobal.dispose();
      expect(lib.disposed).toBe(true);
      expect(c.count).toBe(7);
      expect((c.add as (d: number) => number)(1)).toBe(8);
      expect(() => makeCounter(1)).toThrow(/dispose/);
      c.dispose();
      session.dispose();
    });
  });
}
