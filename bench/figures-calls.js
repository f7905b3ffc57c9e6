// In-process figures: JS → JIT call overhead, tensors, callbacks, link time, many libraries.
import { batch, interleave, now, stats, NotAvailable } from "./harness.js";
import { loadObjects, createLibrary, getFunction, removeLibrary, need } from "./jit.js";

/** Session + library with the pure-call kernels, created once and shared by the call figures. */
let callLib;
async function calls(ctx) {
  callLib ??= await loadObjects([ctx.artifacts.ffiCallsO], "bench_calls");
  return callLib;
}

const ok = (r) => ({ status: "ok", unit: "ns", ...r });

/** Interleaved link times of `obj` (createLibrary + add + getFunction("add")) and dlopen + dlsym of `so`. */
async function linkTimes(ctx, session, obj, so) {
  let i = 0;
  // Probe removal once so a missing API is reported, not mistaken for a slow link.
  const probe = createLibrary(session, "bench_link_probe");
  await probe.add(obj);
  getFunction(probe, "add");
  await removeLibrary(session, probe);
  const jit = async () => {
    const t0 = now();
    const lib = createLibrary(session, `bench_link_${i++}`);
    await lib.add(obj);
    getFunction(lib, "add");
    const dt = Number(now() - t0);
    await removeLibrary(session, lib);
    return dt;
  };
  const dl = () => {
    const t0 = now();
    const h = ctx.addon.dlopenSym(so, "__tvm_ffi_add");
    const dt = Number(now() - t0);
    ctx.addon.dlclose(h);
    return dt;
  };
  return interleave({ b: dl, c: jit }, { ...ctx, rounds: ctx.rounds * 4, warmupRounds: 3 });
}

export const callFigures = [
  {
    id: "noop",
    figure: "JS → JIT function, no args, no result",
    baselineLabel: "node-addon-api noop",
    target: "≤ 1.0× (issue 12)",
    async run(ctx) {
      const jnoop = (await calls(ctx)).fn("noop");
      const anoop = ctx.addon.noop;
      const s = await interleave({ b: batch(() => anoop()), c: batch(() => jnoop()) }, ctx);
      const ratio = s.c.median / s.b.median;
      return ok({ candidateLabel: "JIT noop", baseline: s.b, candidate: s.c, ratio, met: ratio <= 1.0 });
    },
  },
  {
    id: "add",
    figure: "JS → JIT `add(int64, int64)`",
    baselineLabel: "node-addon-api add",
    target: "≤ 1.3× the addon",
    async run(ctx) {
      const jadd = (await calls(ctx)).fn("add");
      const aadd = ctx.addon.add;
      const kadd = ctx.koffiAdd;
      if (jadd(40, 2) !== 42) throw new Error(`JIT add(40, 2) returned ${jadd(40, 2)}`);
      let sink = 0;
      const s = await interleave(
        {
          b: batch(() => (sink += aadd(1, 2))),
          k: batch(() => (sink += kadd(1, 2))),
          c: batch(() => (sink += jadd(1, 2))),
        },
        ctx,
      );
      const r1 = s.c.median / s.b.median;
      const r2 = s.c.median / s.k.median;
      return [
        ok({ candidateLabel: "JIT add", baseline: s.b, candidate: s.c, ratio: r1, met: r1 <= 1.3 }),
        ok({
          id: "add-koffi",
          figure: "JS → JIT `add(int64, int64)`",
          baselineLabel: "koffi add from a .so",
          target: "< 1× (faster than koffi)",
          candidateLabel: "JIT add",
          baseline: s.k,
          candidate: s.c,
          ratio: r2,
          met: r2 < 1,
        }),
      ];
    },
  },
  {
    id: "tensor",
    figure: "JS → JIT, one Float32Array argument (1-D TensorView)",
    baselineLabel: "JIT noop",
    target: "≤ 3×; 1 M within ±10% of 1 K",
    async run(ctx) {
      const lib = await calls(ctx);
      const jnoop = lib.fn("noop");
      const jlen = lib.fn("f32_len");
      const small = new Float32Array(1024);
      const big = new Float32Array(1 << 20);
      let got;
      try {
        got = jlen(small);
      } catch (e) {
        throw new NotAvailable(`waiting for Float32Array → DLTensor marshalling (${e.message.split("\n")[0]})`);
      }
      if (Number(got) !== 1024) throw new NotAvailable(`waiting for Float32Array → DLTensor marshalling (shape[0] = ${got})`);
      const s = await interleave(
        {
          b: batch(() => jnoop()),
          k: batch(() => jlen(small)),
          m: batch(() => jlen(big)),
          a: batch(() => ctx.addon.f32Len(small)),
        },
        ctx,
      );
      const r = s.k.median / s.b.median;
      const rm = s.m.median / s.k.median;
      return [
        ok({ candidateLabel: "JIT f32_len(1 K)", baseline: s.b, candidate: s.k, ratio: r, met: r <= 3 }),
        ok({
          id: "tensor-1m",
          figure: "Float32Array 1 M vs 1 K elements (zero-copy)",
          baselineLabel: "JIT f32_len(1 K)",
          target: "0.9×–1.1×",
          candidateLabel: "JIT f32_len(1 M)",
          baseline: s.k,
          candidate: s.m,
          ratio: rm,
          met: rm >= 0.9 && rm <= 1.1,
        }),
        ok({
          id: "tensor-addon",
          figure: "(reference) JIT f32_len(1 K) vs addon taking a Float32Array",
          baselineLabel: "node-addon-api f32Len(1 K)",
          target: "info",
          candidateLabel: "JIT f32_len(1 K)",
          baseline: s.a,
          candidate: s.k,
          ratio: s.k.median / s.a.median,
          met: true,
        }),
      ];
    },
  },
  {
    id: "f32-read",
    figure: "JS → native, one-element read of a Float32Array",
    baselineLabel: "koffi bench_f32_first(float*) from a .so",
    target: "≤ 1.0× koffi",
    async run(ctx) {
      const jfirst = (await calls(ctx)).fn("f32_first");
      const kfirst = ctx.koffiF32First;
      const a = new Float32Array([1.5]);
      if (jfirst(a) !== 1.5 || kfirst(a) !== 1.5) throw new Error(`f32_first returned ${jfirst(a)} / koffi ${kfirst(a)}`);
      let sink = 0;
      const s = await interleave({ k: batch(() => (sink += kfirst(a))), c: batch(() => (sink += jfirst(a))) }, ctx);
      const r = s.c.median / s.k.median;
      return ok({ candidateLabel: "JIT f32_first(Float32Array 1)", baseline: s.k, candidate: s.c, ratio: r, met: r <= 1.0 });
    },
  },
  {
    id: "typed-add",
    figure: "JS → JIT `add(int64, int64)` with a signature (checked call)",
    baselineLabel: "JIT add without metadata",
    target: "≤ 1.1×",
    async run(ctx) {
      const lib = await calls(ctx);
      const untyped = lib.fn("add");
      const typed = lib.fn("add_typed");
      if (!typed.signature) throw new NotAvailable("add_typed has no signature (metadata not read)");
      if (typed(40, 2) !== 42) throw new Error(`typed add(40, 2) returned ${typed(40, 2)}`);
      let sink = 0;
      const s = await interleave({ b: batch(() => (sink += untyped(1, 2))), c: batch(() => (sink += typed(1, 2))) }, ctx);
      const r = s.c.median / s.b.median;
      return ok({ candidateLabel: "JIT add_typed (int, int) -> int", baseline: s.b, candidate: s.c, ratio: r, met: r <= 1.1 });
    },
  },
  {
    id: "so-typed-add",
    figure: "JS → `.so` `add(int64, int64)` (loadModule) with a signature (checked call)",
    baselineLabel: ".so add without metadata",
    target: "≤ 1.1×",
    async run(ctx) {
      const { loadModule } = await need("loadModule");
      const mod = loadModule(ctx.artifacts.ffiCallsTypedSo);
      const untyped = mod.getFunction("add");
      const typed = mod.getFunction("add_typed");
      if (!typed.signature) throw new NotAvailable("the .so's add_typed has no signature (metadata not read)");
      if (typed(40, 2) !== 42) throw new Error(`.so typed add(40, 2) returned ${typed(40, 2)}`);
      let sink = 0;
      const s = await interleave({ b: batch(() => (sink += untyped(1, 2))), c: batch(() => (sink += typed(1, 2))) }, ctx);
      const r = s.c.median / s.b.median;
      return ok({ candidateLabel: ".so add_typed (int, int) -> int", baseline: s.b, candidate: s.c, ratio: r, met: r <= 1.1 });
    },
  },
  {
    id: "array-1k",
    figure: "JS array of 1,000 ints → ffi.Array<int64_t> argument",
    baselineLabel: "the same ints as a BigInt64Array (zero-copy view)",
    target: "info",
    async run(ctx) {
      const lib = await calls(ctx);
      const sumArray = lib.fn("sum_array");
      const sumI64 = lib.fn("sum_i64");
      const xs = Array.from({ length: 1000 }, (_, i) => i);
      const view = BigInt64Array.from(xs, (x) => BigInt(x));
      if (sumArray(xs) !== 499500 || sumI64(view) !== 499500) throw new Error("array sums differ");
      let sink = 0;
      const s = await interleave({ b: batch(() => (sink += sumI64(view))), c: batch(() => (sink += sumArray(xs))) }, ctx);
      return ok({ candidateLabel: "JIT sum_array(number[1000])", baseline: s.b, candidate: s.c, ratio: s.c.median / s.b.median, met: true });
    },
  },
  {
    id: "array-1k-typed",
    figure: "JS array of 1,000 ints → `ffi.Array<int64_t>` with a signature (elements checked)",
    baselineLabel: "JIT sum_array without metadata",
    target: "info",
    async run(ctx) {
      const lib = await calls(ctx);
      const untyped = lib.fn("sum_array");
      const typed = lib.fn("sum_array_typed");
      if (!typed.signature) throw new NotAvailable("sum_array_typed has no signature (metadata not read)");
      const xs = Array.from({ length: 1000 }, (_, i) => i);
      if (untyped(xs) !== 499500 || typed(xs) !== 499500) throw new Error("array sums differ");
      let sink = 0;
      const s = await interleave({ b: batch(() => (sink += untyped(xs))), c: batch(() => (sink += typed(xs))) }, ctx);
      return ok({ candidateLabel: "JIT sum_array_typed (ffi.Array<int>) -> int", baseline: s.b, candidate: s.c, ratio: s.c.median / s.b.median, met: true });
    },
  },
  {
    id: "array-1k-float",
    figure: "JS array of 1,000 integral numbers → `ffi.Array<float>` (signature; each element a Float)",
    baselineLabel: "the same ints → untyped ffi.Array (Int elements)",
    target: "info (≈ 1×: no box per element)",
    async run(ctx) {
      const lib = await calls(ctx);
      const untyped = lib.fn("sum_array");
      const typed = lib.fn("sum_floats_typed");
      if (!typed.signature) throw new NotAvailable("sum_floats_typed has no signature (metadata not read)");
      const xs = Array.from({ length: 1000 }, (_, i) => i);
      if (untyped(xs) !== 499500 || typed(xs) !== 499500) throw new Error(`array sums differ (float elements: ${typed(xs)})`);
      let sink = 0;
      const s = await interleave({ b: batch(() => (sink += untyped(xs))), c: batch(() => (sink += typed(xs))) }, ctx);
      return ok({ candidateLabel: "JIT sum_floats_typed (ffi.Array<float>) -> float", baseline: s.b, candidate: s.c, ratio: s.c.median / s.b.median, met: true });
    },
  },
  {
    id: "callback",
    figure: "C++ → JS callback round trip",
    baselineLabel: "napi_call_function loop in an addon",
    target: "≤ 2×",
    async run(ctx) {
      const { ExecutionSession } = await need("ExecutionSession");
      const session = new ExecutionSession();
      const lib = createLibrary(session, "bench_callback");
      try {
        await lib.add(ctx.artifacts.ffiCallbackO);
      } catch (e) {
        throw new NotAvailable(`callback kernel failed to link (runtime TVMFFIFunctionCall?): ${e.message.split("\n")[0]}`);
      }
      const jcall = getFunction(lib, "call_js");
      const N = 1000;
      let count = 0;
      const cb = () => {
        count++;
      };
      try {
        jcall(cb, N);
      } catch (e) {
        throw new NotAvailable(`waiting for JS function → Function marshalling (${e.message.split("\n")[0]})`);
      }
      if (count !== N) throw new NotAvailable(`waiting for JS function → Function marshalling (callback ran ${count}×)`);
      const s = await interleave(
        {
          b: batch(() => ctx.addon.callJs(cb, N), { batchMs: 2 }),
          c: batch(() => jcall(cb, N), { batchMs: 2 }),
        },
        ctx,
      );
      for (const k of ["b", "c"]) for (const f of ["median", "q1", "q3", "min", "max"]) s[k][f] /= N;
      const ratio = s.c.median / s.b.median;
      return ok({ candidateLabel: "JIT TVMFFIFunctionCall loop", baseline: s.b, candidate: s.c, ratio, met: ratio <= 2 });
    },
  },
  {
    // The object is bench/kernels/link.c (3 small exports, no runtime references): the row's
    // object until 2026-11-21, kept fixed since. ffi_calls.o, which every call figure adds
    // kernels to, is measured next to it for information (link-calls).
    id: "link",
    figure: "JIT-linking an object (add + lookup)",
    baselineLabel: "dlopen + dlsym of a .so from the same source",
    target: "≤ 3×",
    async run(ctx) {
      const { ExecutionSession } = await need("ExecutionSession");
      const session = new ExecutionSession();
      const a = ctx.artifacts;
      const s = await linkTimes(ctx, session, a.linkO, a.linkSo);
      const c = await linkTimes(ctx, session, a.ffiCallsO, a.ffiCallsSo);
      const r1 = s.c.median / s.b.median;
      const r2 = c.c.median / c.b.median;
      return [
        ok({ candidateLabel: "createLibrary + add(.o) + getFunction", baseline: s.b, candidate: s.c, ratio: r1, met: r1 <= 3 }),
        ok({
          id: "link-calls",
          figure: "JIT-linking the call figures' object (10 exports, 2 with metadata)",
          baselineLabel: "dlopen + dlsym of its .so (without the metadata exports)",
          target: "info",
          candidateLabel: "createLibrary + add(.o) + getFunction",
          baseline: c.b,
          candidate: c.c,
          ratio: r2,
          met: true,
        }),
      ];
    },
  },
  {
    id: "many-libs",
    figure: "100 libraries of one object each",
    baselineLabel: "link time of the 1st library",
    target: "100th ≤ 1.5× the 1st",
    async run(ctx) {
      const { ExecutionSession } = await need("ExecutionSession");
      const obj = ctx.artifacts.ffiCallsO;
      const reps = ctx.quick ? 3 : 7;
      const first = [];
      const last = [];
      for (let r = 0; r < reps; r++) {
        const session = new ExecutionSession();
        for (let i = 0; i < 100; i++) {
          const t0 = now();
          const lib = createLibrary(session, `lib${i}`);
          await lib.add(obj);
          getFunction(lib, "add");
          const dt = Number(now() - t0);
          if (i === 0) first.push(dt);
          if (i === 99) last.push(dt);
        }
      }
      const b = stats(first);
      const c = stats(last);
      const ratio = c.median / b.median;
      return ok({ candidateLabel: "link time of the 100th library", baseline: b, candidate: c, ratio, met: ratio <= 1.5 });
    },
  },
  {
    // [i15] crash containment (docs/debugging.md): the same JIT add with the guard on and off.
    id: "crash-guard",
    figure: "JS → JIT `add(int64, int64)` with crash containment",
    baselineLabel: "containment off",
    target: "≤ 1.05× (else opt-in)",
    async run(ctx) {
      const { setCrashContainment } = await need("setCrashContainment");
      const jadd = (await calls(ctx)).fn("add");
      let sink = 0;
      const off = batch(() => (sink += jadd(1, 2)));
      const on = batch(() => (sink += jadd(1, 2)));
      const before = setCrashContainment(true);
      try {
        const s = await interleave(
          {
            b: () => (setCrashContainment(false), off()),
            c: () => (setCrashContainment(true), on()),
          },
          ctx,
        );
        const ratio = s.c.median / s.b.median;
        return ok({ candidateLabel: "containment on", baseline: s.b, candidate: s.c, ratio, met: ratio <= 1.05 });
      } finally {
        setCrashContainment(before);
      }
    },
  },
];
