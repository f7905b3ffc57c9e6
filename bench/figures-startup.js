// Start-up figures: a fresh process reaching its first result. Every sample is one spawned
// `node <script>`, timed by this process from spawn to exit (so Node's own start-up, the
// import, the cache lookup, the JIT link and the call are all in it), candidate and baseline
// spawned the same way and interleaved.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./build.js";
import { interleave, NotAvailable, now } from "./harness.js";

const DIR = path.join(ROOT, "bench", "startup");
// What `import "tvm-ffi-orcjit"` loads: the package's "." export (the bundled entry,
// scripts/bundle.mjs); UNBUNDLED is tsc's output, one file per module, for comparison.
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
const ENTRY = pathToFileURL(path.join(ROOT, pkg.exports["."].default)).href;
// What `require("tvm-ffi-orcjit")` loads: the CommonJS build of the same entry.
const CJS_ENTRY = path.join(ROOT, pkg.exports["."].require);
const UNBUNDLED = pathToFileURL(path.join(ROOT, "dist", "index.js")).href;

/** Spawns `node args`; returns wall ns and stdout. */
function spawnNode(args, env = {}) {
  const t0 = now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  const ns = Number(now() - t0);
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${(r.stderr ?? "").slice(-500)}`);
  return { ns, out: r.stdout.trim() };
}

const expect42 = (o) => {
  if (o.out !== "42") throw new Error(`expected 42, got ${JSON.stringify(o.out)}`);
  return o.ns;
};

/** Non-builtin modules loaded by importing the package (one extra run with counting hooks). */
export function countImportModules(entry = ENTRY) {
  const log = path.join(os.tmpdir(), `orcjit-bench-loadlog-${process.pid}.txt`);
  rmSync(log, { force: true });
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(path.join(DIR, "count-hooks.mjs")).href, path.join(DIR, "import.mjs"), entry], {
    encoding: "utf8",
    env: { ...process.env, ORCJIT_BENCH_LOADLOG: log },
  });
  if (r.status !== 0) throw new Error(`import with counting hooks failed: ${r.stderr}`);
  const urls = [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
  rmSync(log, { force: true });
  const cjs = JSON.parse(r.stdout.trim().split("\n").pop()).cjs;
  const deps = new Set(urls.filter((u) => u.includes("/node_modules/")).map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)[1]));
  return { modules: urls.length, cjs, dependencies: [...deps].sort() };
}

export const startupFigures = [
  {
    // Both programs are CommonJS (koffi.cjs, inline.cjs requiring the package's CommonJS
    // entry), so neither pays for the ES module loader the other skips (≈ 4 ms of CPU). Until
    // the package had a CommonJS entry this row compared inline.mjs with koffi.cjs; that
    // mixed ratio is in the startup-inline-esm row's note.
    id: "startup-inline",
    figure: "fresh process → warm `loadInline` → first result (spawn to exit; both CommonJS)",
    baselineLabel: "fresh process → koffi loads the same function from a .so → first result",
    target: "≤ 1.3×",
    async run(ctx) {
      const cache = path.join(os.tmpdir(), `orcjit-bench-startup-${process.pid}`);
      rmSync(cache, { recursive: true, force: true });
      mkdirSync(cache, { recursive: true });
      // ORCJIT_CACHE_DIR puts the entry's V8 code cache (docs/cache.md) in the same temp dir,
      // and the priming run writes it, as it fills the object cache
      const inline = (env) => () => expect42(spawnNode([path.join(DIR, "inline.cjs"), CJS_ENTRY, cache], { ORCJIT_CACHE_DIR: cache, ...env }));
      const koffi = (env) => () => expect42(spawnNode([path.join(DIR, "koffi.cjs"), ctx.artifacts.plainSo], env));
      try {
        inline()(); // primes the object cache and the V8 code cache: every sample below is a warm start
      } catch (e) {
        throw new NotAvailable(`loadInline failed: ${e.message}`);
      }
      const s = await interleave({ b: koffi(), c: inline() }, { rounds: ctx.quick ? 7 : 21 });
      // NODE_EXTRA_CA_CERTS makes every node start parse that certificate file (≈ 40 ms of CPU
      // on the project's machine, bare `node -e 0` 25 → 61 ms): it adds the same to both
      // columns and so flatters the ratio. Shown next to the figure, without it.
      let note;
      if (process.env.NODE_EXTRA_CA_CERTS) {
        const plain = { NODE_EXTRA_CA_CERTS: undefined };
        const n = await interleave({ b: koffi(plain), c: inline(plain) }, { rounds: ctx.quick ? 7 : 21 });
        note = `warm object cache and V8 code cache; NODE_EXTRA_CA_CERTS is set (every node start parses ${process.env.NODE_EXTRA_CA_CERTS}); without it: ` +
          `koffi ${(n.b.median / 1e6).toFixed(1)} ms, loadInline ${(n.c.median / 1e6).toFixed(1)} ms, ${(n.c.median / n.b.median).toFixed(2)}×`;
      }
      rmSync(cache, { recursive: true, force: true });
      const ratio = s.c.median / s.b.median;
      note ??= "warm object cache and V8 code cache";
      return { status: "ok", unit: "ns", candidateLabel: "node + require + loadInline (warm) + add(40, 2)", baseline: s.b, candidate: s.c, ratio, met: ratio <= 1.3, note };
    },
  },
  {
    // The same start with both programs as ES modules (koffi.mjs loads koffi with createRequire).
    id: "startup-inline-esm",
    figure: "fresh process → warm `loadInline` → first result (spawn to exit; both ES modules)",
    baselineLabel: "fresh process → koffi (from an ES module) loads the same function from a .so → first result",
    target: "info",
    async run(ctx) {
      const cache = path.join(os.tmpdir(), `orcjit-bench-startup-esm-${process.pid}`);
      rmSync(cache, { recursive: true, force: true });
      mkdirSync(cache, { recursive: true });
      const inline = () => expect42(spawnNode([path.join(DIR, "inline.mjs"), ENTRY, cache]));
      const koffi = (script) => () => expect42(spawnNode([path.join(DIR, script), ctx.artifacts.plainSo]));
      try {
        inline();
      } catch (e) {
        throw new NotAvailable(`loadInline failed: ${e.message}`);
      }
      const s = await interleave({ b: koffi("koffi.mjs"), c: inline, k: koffi("koffi.cjs") }, { rounds: ctx.quick ? 7 : 21 });
      rmSync(cache, { recursive: true, force: true });
      const ratio = s.c.median / s.b.median;
      return {
        status: "ok",
        unit: "ns",
        candidateLabel: "node + import + loadInline (warm) + add(40, 2)",
        baseline: s.b,
        candidate: s.c,
        ratio,
        met: true,
        note: `mixed, as startup-inline was measured before the CommonJS entry (inline.mjs vs koffi.cjs ${(s.k.median / 1e6).toFixed(1)} ms): ${(s.c.median / s.k.median).toFixed(2)}×`,
      };
    },
  },
  {
    id: "startup-bundle",
    figure: "fresh process → warm `loadInline` → first result: the bundled entry vs tsc's one file per module",
    baselineLabel: "dist/index.js (tsc output, one file per module)",
    target: "info",
    async run(ctx) {
      const cache = path.join(os.tmpdir(), `orcjit-bench-startup-bundle-${process.pid}`);
      rmSync(cache, { recursive: true, force: true });
      const run = (entry) => () => expect42(spawnNode([path.join(DIR, "inline.mjs"), entry, cache]));
      run(ENTRY)();
      const s = await interleave({ b: run(UNBUNDLED), c: run(ENTRY) }, { rounds: ctx.quick ? 7 : 21 });
      rmSync(cache, { recursive: true, force: true });
      const ratio = s.c.median / s.b.median;
      const cb = countImportModules(UNBUNDLED);
      const cc = countImportModules();
      return {
        status: "ok",
        unit: "ns",
        candidateLabel: `${pkg.exports["."].default} (bundled)`,
        baseline: s.b,
        candidate: s.c,
        ratio,
        met: true,
        note: `modules loaded by the import: unbundled ${cb.modules}, bundled ${cc.modules}`,
      };
    },
  },
  {
    id: "startup-import",
    figure: "`import \"tvm-ffi-orcjit\"` alone, fresh process (spawn to exit)",
    baselineLabel: "bare node (node -e 0)",
    target: "info",
    async run(ctx) {
      let importMs = [];
      const s = await interleave(
        {
          b: () => spawnNode(["-e", "0"]).ns,
          c: () => {
            const o = spawnNode([path.join(DIR, "import.mjs"), ENTRY]);
            importMs.push(JSON.parse(o.out).ms);
            return o.ns;
          },
        },
        { rounds: ctx.quick ? 7 : 21 },
      );
      importMs = importMs.sort((a, b) => a - b);
      const count = countImportModules();
      const ratio = s.c.median / s.b.median;
      return {
        status: "ok",
        unit: "ns",
        candidateLabel: "node + import of the package",
        baseline: s.b,
        candidate: s.c,
        ratio,
        ratioText: `${ratio.toFixed(2)}× (+${((s.c.median - s.b.median) / 1e6).toFixed(1)} ms)`,
        met: true,
        note: `import alone, timed inside the child: median ${importMs[Math.floor((importMs.length - 1) / 2)].toFixed(1)} ms; modules loaded: ${count.modules} (CommonJS: ${count.cjs}); dependencies loaded: ${count.dependencies.join(", ") || "none"}`,
      };
    },
  },
  {
    // Only with ORCJIT_BENCH_BEFORE=<another checkout, built>: the same start-up, that tree vs this one.
    id: "startup-before",
    figure: "fresh process → warm `loadInline` → first result: this tree vs $ORCJIT_BENCH_BEFORE",
    baselineLabel: "the other tree",
    target: "info",
    async run(ctx) {
      const before = process.env.ORCJIT_BENCH_BEFORE;
      if (!before) throw new NotAvailable("set ORCJIT_BENCH_BEFORE=<a built checkout> to compare");
      const beforeEntry = pathToFileURL(path.join(before, JSON.parse(readFileSync(path.join(before, "package.json"), "utf8")).exports["."].default)).href;
      const cache = path.join(os.tmpdir(), `orcjit-bench-startup-before-${process.pid}`);
      rmSync(cache, { recursive: true, force: true });
      const run = (entry, sub) => () => expect42(spawnNode([path.join(DIR, "inline.mjs"), entry, path.join(cache, sub)]));
      run(beforeEntry, "b")();
      run(ENTRY, "c")();
      const imports = { b: [], c: [] };
      const s = await interleave(
        {
          b: run(beforeEntry, "b"),
          c: run(ENTRY, "c"),
          ib: () => (imports.b.push(JSON.parse(spawnNode([path.join(DIR, "import.mjs"), beforeEntry]).out).ms), 1),
          ic: () => (imports.c.push(JSON.parse(spawnNode([path.join(DIR, "import.mjs"), ENTRY]).out).ms), 1),
        },
        { rounds: ctx.quick ? 7 : 21 },
      );
      rmSync(cache, { recursive: true, force: true });
      const med = (v) => v.sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)].toFixed(1);
      const cb = countImportModules(beforeEntry);
      const cc = countImportModules();
      const ratio = s.c.median / s.b.median;
      return {
        status: "ok",
        unit: "ns",
        candidateLabel: "this tree",
        baseline: s.b,
        candidate: s.c,
        ratio,
        met: true,
        note: `import alone (inside the child, median): other tree ${med(imports.b)} ms, ${cb.modules} modules (${cb.cjs} CommonJS; ${cb.dependencies.join(", ")}); this tree ${med(imports.c)} ms, ${cc.modules} modules (${cc.cjs} CommonJS; ${cc.dependencies.join(", ") || "no dependencies"})`,
      };
    },
  },
];
