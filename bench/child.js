// Fresh-process probes for bench/figures-process.js: node bench/child.js <mode> '<json>'.
// Prints one JSON line on stdout: { ns } or { rss10, rss1000 } or { na: reason }.
import { api, createLibrary, getFunction, removeLibrary } from "./jit.js";
import { NotAvailable, now } from "./harness.js";
import { shellSplit } from "./shell.js";

const [mode, argJson] = process.argv.slice(2);
const args = JSON.parse(argJson ?? "{}");

/** The callable `name` of what loadInline returned, whatever shape the module object has. */
function moduleFunction(mod, name) {
  if (typeof mod?.getFunction === "function") return mod.getFunction(name);
  if (typeof mod?.[name] === "function") return mod[name];
  if (typeof mod?.functions?.[name] === "function") return mod.functions[name];
  throw new NotAvailable(`cannot find function ${name} on loadInline's result (keys: ${Object.keys(mod ?? {}).join(", ")})`);
}

async function main() {
  const m = await api();
  // Load the native addon (53 MB, LLVM static init) before any timing: both sides of a
  // figure would pay it, and it would dilute the ratio.
  if (m.ExecutionSession) new m.ExecutionSession().dispose?.();
  switch (mode) {
    case "inline": {
      if (!m.loadInline) throw new NotAvailable("waiting for loadInline in src/index.ts");
      const t0 = now();
      const mod = await m.loadInline(args.options);
      const f = moduleFunction(mod, args.fn);
      const r = f(40, 2);
      const ns = Number(now() - t0);
      if (Number(r) !== 42) throw new Error(`${args.fn}(40, 2) returned ${r}`);
      return { ns, objects: (mod.objects ?? []).map((o) => o.objectPath) };
    }
    case "link": {
      if (!m.ExecutionSession) throw new NotAvailable("waiting for ExecutionSession in src/index.ts");
      const t0 = now();
      const session = new m.ExecutionSession();
      const lib = createLibrary(session, args.name ?? "bench");
      for (const o of args.objects) await lib.add(o);
      const r = getFunction(lib, args.fn)(40, 2);
      const ns = Number(now() - t0);
      if (Number(r) !== 42) throw new Error(`${args.fn}(40, 2) returned ${r}`);
      return { ns };
    }
    case "rss": {
      // Reload cycles at the library level: create, add, look up, call, remove.
      if (!m.ExecutionSession) throw new NotAvailable("waiting for ExecutionSession in src/index.ts");
      const session = new m.ExecutionSession();
      const rss = () => {
        globalThis.gc?.();
        return process.memoryUsage().rss / 2 ** 20;
      };
      const out = {};
      for (let i = 1; i <= args.cycles; i++) {
        const lib = createLibrary(session, `gen${i}`);
        await lib.add(args.objects[i % args.objects.length]);
        getFunction(lib, args.fn)(1, 2);
        await removeLibrary(session, lib);
        if (args.marks.includes(i)) out[`rss${i}`] = rss();
      }
      return out;
    }
    case "rss-project": {
      // Reload cycles of a loaded project: rebuild (cache hit) + link a new generation + call.
      if (!m.loadProject) throw new NotAvailable("waiting for loadProject in src/index.ts");
      const project = await m.loadProject(args.manifest);
      await project.load();
      // Handle taken once, before the cycles: the contract is that it keeps calling the newest
      // generation; if it does not, re-acquire per cycle and say so.
      let f = project.library(args.library).getFunction(args.fn);
      let stable = true;
      const rss = () => {
        globalThis.gc?.();
        return process.memoryUsage().rss / 2 ** 20;
      };
      const out = {};
      for (let i = 1; i <= args.cycles; i++) {
        await project.rebuildLibraries([args.library]);
        let r;
        try {
          r = f(1, 2);
        } catch (e) {
          if (e?.name !== "DisposedError") throw e;
          stable = false;
          f = project.library(args.library).getFunction(args.fn);
          r = f(1, 2);
        }
        if (Number(r) !== 3) throw new Error("wrong result after reload");
        if (args.marks.includes(i)) {
          out[`rss${i}`] = rss();
          const mu = process.memoryUsage();
          (out.trace ??= []).push({ cycle: i, rssMB: out[`rss${i}`], heapUsedMB: mu.heapUsed / 2 ** 20, externalMB: mu.external / 2 ** 20 });
        }
      }
      out.stableHandle = stable;
      return out;
    }
    case "hot-reload": {
      // Edit → observe with the watcher, interleaved with running the watcher's own compiler
      // command for that file (captured from verbose output) directly.
      if (!m.watchProject) throw new NotAvailable("waiting for watchProject in src/index.ts");
      const { spawnSync } = await import("node:child_process");
      const { writeFileSync, mkdtempSync } = await import("node:fs");
      const { tmpdir } = await import("node:os");
      const { dirname, join } = await import("node:path");
      const commands = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = (chunk, ...rest) => {
        const t = String(chunk);
        if (t.startsWith("[orcjit] ")) commands.push(t.slice(9).trim());
        else return write(chunk, ...rest);
        return true;
      };
      const src = (v) => `#include <tvm/ffi/function.h>\nint64_t value() { return ${v}; }\nTVM_FFI_DLL_EXPORT_TYPED_FUNC(value, value);\n`;
      const base = Date.now() % 1_000_000; // new content on every run: never a cache hit
      writeFileSync(args.source, src(base));
      const watcher = await m.watchProject(args.manifest, { verbose: true });
      const f = watcher.library(args.library).getFunction("value");
      const out = { reload: [], compile: [] };
      const outDir = mkdtempSync(join(tmpdir(), "orcjit-bench-cc-"));
      for (let i = 1; i <= args.rounds; i++) {
        const v = base + i;
        const t0 = now();
        writeFileSync(args.source, src(v));
        const deadline = Date.now() + 60_000;
        while (Number(f()) !== v) {
          if (Date.now() > deadline) throw new Error(`reload ${i} not observed within 60 s`);
          await new Promise((r) => setTimeout(r, 1));
        }
        out.reload.push(Number(now() - t0));
        const cmd = commands.at(-1);
        if (!cmd) throw new NotAvailable("watcher printed no compiler command in verbose mode");
        const argv = shellSplit(cmd);
        const tmp = dirname(argv[argv.indexOf("-o") + 1]);
        const t1 = now();
        const r = spawnSync(argv[0], argv.slice(1).map((a) => a.split(tmp).join(outDir)), { encoding: "utf8" });
        out.compile.push(Number(now() - t1));
        if (r.status !== 0) throw new Error(`direct compile failed: ${r.stderr}`);
      }
      await watcher.close();
      out.command = commands.at(-1);
      return out;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main().then(
  (r) => console.log(JSON.stringify(r)),
  (e) => {
    if (e instanceof NotAvailable) console.log(JSON.stringify({ na: e.message }));
    else {
      console.error(e?.stack ?? e);
      process.exit(1);
    }
  },
);

