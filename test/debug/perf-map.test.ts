// perf map output (docs/debugging.md): ORCJIT_PERF=1 appends "<addr> <size> <name>" lines for
// every JIT function to /tmp/perf-<pid>.map, alongside Node's own --perf-basic-prof lines.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// Loads a kernel, calls it, prints its pid and the kernel's result.
const script = (name: string) => `
const { loadInline } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/index.js")).href)});
const m = await loadInline({ name: ${JSON.stringify(name)}, cppSources: "__attribute__((noinline)) static int64_t twice(int64_t x) { return 2 * x; }\\nint64_t perf_kernel(int64_t x) { return twice(x) + 1; }", functions: ["perf_kernel"] });
console.log(JSON.stringify({ pid: process.pid, r: m.perf_kernel(20) }));
`;

function run(env: NodeJS.ProcessEnv, nodeFlags: string[] = [], name = "perf_map_t") {
  ensureBuilt();
  const p = spawnSync(process.execPath, [...nodeFlags, "--input-type=module", "-e", script(name)], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (p.status !== 0) throw new Error(`child failed (${p.status} ${p.signal}):\n${p.stdout}\n${p.stderr}`);
  const { pid, r } = JSON.parse(p.stdout.trim().split("\n").pop()!);
  const file = `/tmp/perf-${pid}.map`;
  const text = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  rmSync(file, { force: true });
  return { r, text };
}

const LINE = /^([0-9a-f]+) ([0-9a-f]+) (.+)$/;

describe("perf map", () => {
  it("names every JIT function with ORCJIT_PERF=1", () => {
    const { r, text } = run({ ORCJIT_PERF: "1" });
    expect(r).toBe(41);
    expect(text).toBeDefined();
    const lines = text!.trim().split("\n");
    for (const l of lines) expect(l).toMatch(LINE);
    const names = lines.map((l) => LINE.exec(l)![3]!);
    expect(names.some((n) => n.includes("perf_kernel"))).toBe(true);
    // the library's other functions too (TVM-FFI helpers instantiated in it)
    expect(names.some((n) => n.startsWith("_ZN3tvm3ffi"))).toBe(true);
    const k = lines.find((l) => l.includes("perf_kernel") && !l.includes("__tvm_ffi"))!;
    const [, addr, size] = LINE.exec(k)!;
    expect(BigInt("0x" + addr)).toBeGreaterThan(0n);
    expect(parseInt(size!, 16)).toBeGreaterThan(0);
  }, 300_000);

  it("writes nothing by default", () => {
    const { text } = run({ ORCJIT_PERF: "" });
    expect(text).toBeUndefined();
  }, 300_000);

  it("co-exists with node --perf-basic-prof: both writers' lines survive", () => {
    const { text } = run({ ORCJIT_PERF: "1" }, ["--perf-basic-prof"], "perf_map_node");
    expect(text).toBeDefined();
    const lines = text!.trim().split("\n");
    expect(lines.some((l) => l.includes("perf_kernel"))).toBe(true);
    // V8's own entries (builtins, JS functions) are still there.
    expect(lines.filter((l) => !/perf_kernel|twice|__tvm_ffi/.test(l)).length).toBeGreaterThan(100);
    for (const l of lines) expect(l).toMatch(LINE);
  }, 300_000);

  // A real profile, where `perf record` works on this machine (installed, permitted).
  const perfWorks = spawnSync("perf", ["record", "-q", "-o", "/dev/null", "--", "true"], { encoding: "utf8" }).status === 0;
  it.skipIf(!perfWorks)("perf report names a JIT kernel from a real perf record", () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), "orcjit-perf-"));
    const app = join(dir, "app.mjs");
    writeFileSync(
      app,
      `const { loadInline } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/index.js")).href)});
const m = await loadInline({ name: "perf_rec", cppSources: "int64_t spin_kernel(int64_t n) { volatile int64_t s = 0; for (int64_t i = 0; i < n; ++i) s = s + i; return s; }", functions: ["spin_kernel"] });
m.spin_kernel.exact(300000000); // the sum exceeds 2^53: .exact returns it as a bigint
`,
    );
    const data = join(dir, "perf.data");
    try {
      const rec = spawnSync("perf", ["record", "-q", "-F", "499", "-o", data, "--", process.execPath, app], {
        env: { ...process.env, ORCJIT_PERF: "1" },
        encoding: "utf8",
      });
      expect(rec.status, rec.stderr).toBe(0);
      const rep = spawnSync("perf", ["report", "-i", data, "--stdio", "--sort", "sym"], { encoding: "utf8" });
      expect(rep.status, rep.stderr).toBe(0);
      expect(rep.stdout).toContain("_Z11spin_kernell");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
