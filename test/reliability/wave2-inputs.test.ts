// Wave 2 attack classes (issue 19): cache poisoning, file-system faults and input types,
// attacked through the real CLI and loadInline in child processes (a hang or a crash is a
// failed test, not a dead runner). Rows go to docs/reliability.md ("Wave 2 attack classes").
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, cpSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { cliMain, ensureBuilt, orcjit, tempDir, writeFiles } from "../cli/helpers.js";
import { record } from "./helpers.js";

beforeAll(() => ensureBuilt(), 300_000);

const isRoot = process.getuid?.() === 0;
const ADD = '#include <cstdint>\nint64_t add(int64_t a, int64_t b) { return a + b; }\n';

/** Runs a node script (ESM) that imports the built package, in a child with a deadline. */
async function node(script: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; timedOut: boolean }> {
  const r = await execa(process.execPath, ["--input-type=module", "-e", script], { reject: false, timeout: 60_000, env: { ...env }, all: true });
  return { code: r.exitCode ?? -1, out: String(r.all ?? ""), timedOut: r.timedOut === true };
}
const pkg = JSON.stringify(path.join(cliMain, "..", "..", "index.js"));

describe("cache poisoning (another local user)", () => {
  it.runIf(isRoot)("a self-consistent entry planted by uid 12345 in a 0777 cache root is never loaded", async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    // 1. the victim's own build, in a private cache: gives the attacker the entry layout
    const clean = path.join(dir, "clean");
    // No PCH: the prelude's PCH lives inside each cache, so its path (part of the key) would
    // differ between the caches. A build directory outside the cache: the generated source's path (part of the key) is
    // then the same whichever cache is used, so the kit below matches the victim's key.
    const build = (cacheDir: string, src: string) =>
      node(`import { loadInline } from ${pkg};
        const m = await loadInline({ name: "poison", cppSources: ${JSON.stringify(src)}, functions: ["add"], pch: false, cacheDir: ${JSON.stringify(cacheDir)}, buildDirectory: ${JSON.stringify(path.join(dir, "bd"))} });
        console.log("RESULT " + m.add(2, 3));`);
    expect((await build(clean, ADD)).out).toContain("RESULT 5");
    const evilCache = path.join(dir, "evil");
    expect((await build(evilCache, ADD.replace("return a + b;", "return 666;"))).out).toContain("RESULT 666");
    // 2. the kit: the victim's entries with their `object` pointing at the evil object
    const kit = path.join(dir, "kit");
    cpSync(path.join(clean, "v1"), path.join(kit, "v1"), { recursive: true });
    const evilBlobs: string[] = [];
    const walk = (d: string, out: string[], ext: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p, out, ext);
        else if (p.endsWith(ext)) out.push(p);
      }
    };
    walk(path.join(evilCache, "v1", "blobs"), evilBlobs, ".o");
    const victimEntries: string[] = [];
    walk(path.join(kit, "v1", "entries"), victimEntries, ".json");
    for (const e of victimEntries) {
      const entry = JSON.parse(readFileSync(e, "utf8")) as { source: string; object: string; size: number };
      const evilEntries: string[] = [];
      walk(path.join(evilCache, "v1", "entries"), evilEntries, ".json");
      const twin = evilEntries.map((f) => JSON.parse(readFileSync(f, "utf8")) as typeof entry).find((x) => path.basename(x.source) === path.basename(entry.source));
      if (!twin) continue;
      writeFileSync(e, JSON.stringify({ ...entry, object: twin.object, size: twin.size }));
      const blob = evilBlobs.find((b) => path.basename(b) === `${twin.object}.o`)!;
      mkdirSync(path.join(kit, "v1", "blobs", twin.object.slice(0, 2)), { recursive: true });
      cpSync(blob, path.join(kit, "v1", "blobs", twin.object.slice(0, 2), `${twin.object}.o`));
    }
    execFileSync("chmod", ["-R", "a+rX", kit]);
    // control: where this user's own files would be trusted, the kit works
    const control = path.join(dir, "control");
    cpSync(kit, control, { recursive: true });
    execFileSync("chmod", ["-R", "go-w", control]);
    expect((await build(control, ADD)).out).toContain("RESULT 666");
    // 3. the attack: a 0777 root of the victim's; the attacker (another uid) plants the kit
    const victim = path.join(dir, "victim");
    mkdirSync(victim);
    chmodSync(victim, 0o777);
    execFileSync("setpriv", ["--reuid=12345", "--regid=12345", "--clear-groups", "--", "cp", "-r", `${kit}/.`, victim]);
    const r = await build(victim, ADD);
    expect(r.out).toContain("RESULT 5");
    expect(readdirSync(victim).sort()).toEqual(["user-0", "v1"]);
    // also when the attacker's files sit inside the victim's own store (a once-open directory)
    const legacy = path.join(dir, "legacy");
    cpSync(kit, legacy, { recursive: true });
    const files: string[] = [];
    walk(path.join(legacy, "v1"), files, "");
    for (const f of files) chownSync(f, 12345, 12345);
    expect((await build(legacy, ADD)).out).toContain("RESULT 5");
    record("wave2", { door: "cache poisoning", input: "self-consistent entry + valid object planted by uid 12345 (0777 root; inside our own store)", count: 2, held: "add(2, 3) = 5 both times; the control (same kit, our own files) returns 666" });
  }, 300_000);
});

describe("file-system faults", () => {
  it("a manifest that is a FIFO: `orcjit build` fails at once instead of hanging", async () => {
    const dir = tempDir();
    execFileSync("mkfifo", [path.join(dir, "orcjit.yaml")]);
    const r = await orcjit(["build"], { cwd: dir });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/orcjit\.yaml: it is a FIFO \(named pipe\), not a regular file/);
    record("wave2", { door: "file-system faults", input: "manifest is a FIFO (orcjit build)", count: 1, held: "ManifestError at once, exit code " + r.exitCode });
  });

  it("a source that is a FIFO (loadInline's generated file, a build() source): an error, not a hang", async () => {
    const dir = tempDir();
    execFileSync("mkfifo", [path.join(dir, "a.c")]);
    const r = await node(`import { build } from ${pkg};
      try { await build({ name: "f", sources: [${JSON.stringify(path.join(dir, "a.c"))}], cacheDir: ${JSON.stringify(path.join(dir, "c"))} }); console.log("built"); }
      catch (e) { console.log(e.constructor.name + ": " + e.message); }`);
    expect(r.timedOut).toBe(false);
    expect(r.out).toMatch(/CompileError: .*a\.c:1:1: error: cannot read source file: .* is a FIFO/);
    record("wave2", { door: "file-system faults", input: "source is a FIFO (build())", count: 1, held: "CompileError naming the FIFO at once" });
  });

  it("a response file edited between builds: the new flags are used (no stale hit)", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "orcjit.yaml": "version: 1\nlibraries:\n  m:\n    sources: [v.cc]\n    functions: [v]\n    cflags: ['@flags.rsp']\n",
      "v.cc": "#include <cstdint>\nint64_t v() { return VAL; }\n",
      "flags.rsp": "-DVAL=1\n",
    });
    expect((await orcjit(["run", "m.v"], { cwd: dir })).stdout.trim()).toBe("1");
    writeFileSync(path.join(dir, "flags.rsp"), "-DVAL=2\n");
    expect((await orcjit(["run", "m.v"], { cwd: dir })).stdout.trim()).toBe("2");
    record("wave2", { door: "stale cache", input: "response file (@flags.rsp) edited between `orcjit run`s", count: 1, held: "second run returns the new value" });
  });

  it("a header dated a day in the future is cached on the second build", async () => {
    const dir = tempDir();
    writeFiles(dir, { "orcjit.yaml": "version: 1\nlibraries:\n  m:\n    sources: [v.c]\n", "v.c": '#include "h.h"\nint v(void) { return V; }\n', "h.h": "#define V 1\n" });
    const future = new Date(Date.now() + 86_400_000);
    utimesSync(path.join(dir, "h.h"), future, future);
    const first = await orcjit(["build"], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout + first.stderr).toMatch(/in the future/);
    const second = await orcjit(["build", "--json"], { cwd: dir });
    expect(JSON.parse(second.stdout)).toMatchObject({ compiled: 0, cached: 1 });
    record("wave2", { door: "stale cache", input: "header with an mtime one day in the future", count: 1, held: "warned once; second build all cached" });
  });
});

describe("input types", () => {
  it("`orcjit run` passes int64 max and 2^53 + 1 exactly", async () => {
    const dir = tempDir();
    writeFiles(dir, { "orcjit.yaml": "version: 1\nlibraries:\n  m:\n    sources: [a.cc]\n    functions: [add]\n", "a.cc": ADD });
    const big = await orcjit(["run", "m.add", "9007199254740993", "0"], { cwd: dir });
    expect(big.stdout.trim(), big.stderr).toBe("9007199254740993");
    const max = await orcjit(["run", "m.add", "9223372036854775806", "1"], { cwd: dir });
    expect(max.stdout.trim(), max.stderr).toBe("9223372036854775807");
    const over = await orcjit(["run", "m.add", "9223372036854775808", "0"], { cwd: dir });
    expect(over.exitCode).not.toBe(0);
    expect(over.stderr).toMatch(/int64/);
    record("wave2", { door: "input types", input: "orcjit run with 2^53+1, int64 max, 2^63", count: 3, held: "exact results; 2^63 → clear range error" });
  });

  it("loadInline: a 300-character name, a non-string flag, a bad optLevel", async () => {
    const dir = tempDir();
    const r = await node(`import { loadInline } from ${pkg};
      const c = ${JSON.stringify(path.join(dir, "c"))};
      for (const o of [{ name: "n".repeat(300) }, { name: "x", extraCflags: [42] }, { name: "x", optLevel: 5 }]) {
        try { await loadInline({ cSources: "int x;", cacheDir: c, ...o }); console.log("loaded"); }
        catch (e) { console.log(e.constructor.name + ": " + e.message); }
      }`);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TypeError: loadInline: 'name' is 300 characters long/);
    expect(lines[1]).toMatch(/^TypeError: extraCflags\[0\] must be a string, got number 42/);
    expect(lines[2]).toMatch(/^TypeError: optLevel must be one of 0, 1, 2, 3, "s", got number 5/);
    record("wave2", { door: "input types", input: "loadInline name of 300 chars / non-string flag / optLevel 5", count: 3, held: "TypeError naming the option each time" });
  });
});
