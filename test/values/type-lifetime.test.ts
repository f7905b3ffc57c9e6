// Type-table entries (fields, methods, creators, __ffi_init__) point into the library that
// registered them: objects of the type pin that library, and once it is unmapped the entries
// are gone and using the type raises DisposedError instead of jumping into freed code.
// Both compilers run in this one file: the later registration (a newer library) takes over.
import { describe, expect, it } from "vitest";
import { DisposedError, ExecutionSession, registerObject } from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

for (const cc of COMPILERS) {
  describe(`${cc.id}: type registrations and library dispose`, () => {
    it("new Cls() pins the library; after it is unmapped the type raises DisposedError", () => {
      const session = new ExecutionSession();
      const lib = session.createLibrary(`intpair-${cc.id}`).add(fixture(cc, "cc/intpair")).link();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const IntPair = registerObject<any>("my_ffi_extension.IntPair");
      const p = new IntPair(1, 2);
      const fromStatic = IntPair.static_get_second(p);
      lib.dispose();
      expect(lib.disposed).toBe(true);
      // pinned: the code is still mapped, reflection works
      expect(p.a).toBe(1);
      expect(p.get_first()).toBe(1);
      expect(IntPair.static_get_second(p)).toBe(2);
      expect(fromStatic).toBe(2);
      expect(String(p)).toBe("my_ffi_extension.IntPair(a=1, b=2)");
      p.dispose(); // last pin: the library is disposed and unmapped now
      expect(session.native.deferredCount).toBe(0);
      expect(() => new IntPair(3, 4)).toThrow(DisposedError);
      expect(() => new IntPair(3, 4)).toThrow(
        `type 'my_ffi_extension.IntPair' was registered by library 'intpair-${cc.id}', which has been disposed`,
      );
      expect(() => IntPair.static_get_second(p)).toThrow(DisposedError);
      session.dispose();
    });

    it("a native keep-alive defers the unmap; reflection keeps working until it goes", () => {
      const session = new ExecutionSession();
      const lib = session.createLibrary(`intpair-${cc.id}`).add(fixture(cc, "cc/intpair")).link();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const IntPair = registerObject<any>("my_ffi_extension.IntPair");
      const a = new IntPair(5, 6);
      const b = new IntPair(7, 8);
      lib.dispose();
      a.dispose();
      expect(b.b).toBe(8); // b still pins
      const c = new IntPair(9, 10); // constructing while pinned works (and pins too)
      expect(c.a).toBe(9);
      c.dispose();
      b.dispose();
      expect(() => new IntPair(1, 1)).toThrow(DisposedError);
      session.dispose();
    });

    it("session dispose waits for objects of its types, then clears them", () => {
      const session = new ExecutionSession();
      session.createLibrary(`intpair-${cc.id}`).add(fixture(cc, "cc/intpair")).link();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const IntPair = registerObject<any>("my_ffi_extension.IntPair");
      const p = new IntPair(1, 2);
      session.dispose();
      expect(p.b).toBe(2);
      p.dispose();
      expect(() => new IntPair(1, 2)).toThrow(DisposedError);
    });

    it("hot reload: the newer generation owns the type; disposing the older one keeps it", () => {
      const session = new ExecutionSession();
      const gen1 = session.createLibrary("gen").add(fixture(cc, "cc/type_gen1")).link();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const GenPair = registerObject<any>("orcjit_test.GenPair");
      const x = new GenPair(1, 2);
      expect(x.gen()).toBe(1);
      expect(GenPair.gen_static()).toBe(1);
      const gen2 = session.createLibrary("gen").add(fixture(cc, "cc/type_gen2")).link();
      const y = new GenPair(3, 4);
      expect(y.gen()).toBe(2);
      expect(GenPair.gen_static()).toBe(2);
      gen1.dispose(); // x pins gen1
      x.a = 10;
      expect(x.sum()).toBe(12);
      x.dispose(); // gen1 unmapped; its entries were all replaced by gen2's
      expect(session.native.deferredCount).toBe(0);
      const w = new GenPair(5, 6);
      expect(w.gen()).toBe(2);
      w.dispose();
      y.dispose();
      gen2.dispose();
      expect(() => new GenPair(1, 1)).toThrow(/registered by library 'gen', which has been disposed/);
      expect(() => GenPair.gen_static()).toThrow(DisposedError);
      // a new generation registers the type again
      session.createLibrary("gen").add(fixture(cc, "cc/type_gen1")).link();
      const z = new GenPair(1, 1);
      expect(z.gen()).toBe(1);
      expect(z.sum()).toBe(2);
      z.dispose();
      session.dispose();
    });
  });
}
