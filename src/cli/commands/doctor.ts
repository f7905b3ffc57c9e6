// orcjit doctor: what this machine offers (compilers, LLVM, headers, cache).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Command } from "commander";
import * as api from "../../index.js";
import { bundledIncludeDir, cache } from "../../index.js";
import { probeLaunchers, resolveToolchain, toolkitId } from "../../internals.js";
import { formatBytes } from "../bytes.js";
import type { Streams } from "../output.js";

interface ToolchainReport {
  request: string;
  language: "c" | "c++" | "cuda";
  found: boolean;
  kind?: string;
  path?: string;
  version?: string;
  target?: string;
  error?: string;
}

/**
 * Whether the JIT addon loads (by creating and disposing a session), plus what it reports
 * about its build (nativeInfo(): LLVM version, ABI versions, target, build type).
 */
function jitInfo(): Record<string, unknown> {
  const session = new api.ExecutionSession();
  session.dispose();
  return { ...api.nativeInfo() };
}

export async function doctorReport(cacheDir?: string): Promise<Record<string, unknown>> {
  const probeDir = mkdtempSync(path.join(tmpdir(), "orcjit-doctor-"));
  const toolchains: ToolchainReport[] = [];
  try {
    const requests: [string | undefined, "c" | "c++" | "cuda"][] = [
      [undefined, "c"],
      [undefined, "c++"],
      ["clang", "c++"],
      ["gcc", "c++"],
      [undefined, "cuda"],
    ];
    for (const [compiler, language] of requests) {
      const request = compiler ?? "default";
      try {
        const tc = await resolveToolchain(language, compiler ? { compiler } : {}, process.env, probeDir);
        toolchains.push({ request, language, found: true, kind: tc.kind, path: tc.resolvedPath, version: tc.version, target: tc.target });
      } catch (e) {
        toolchains.push({ request, language, found: false, error: e instanceof Error ? e.message : String(e) });
      }
    }
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
  let jit: Record<string, unknown>;
  try {
    jit = { loaded: true, ...jitInfo() };
  } catch (e) {
    jit = { loaded: false, error: e instanceof Error ? e.message : String(e) };
  }
  const dir = cache.dir(cacheDir !== undefined ? { cacheDir } : {});
  let size = 0;
  let entries = 0;
  try {
    size = await cache.size({ cacheDir: dir });
    entries = (await cache.list({ cacheDir: dir })).length;
  } catch {
    // an absent cache is empty
  }
  const launchers = await probeLaunchers();
  return {
    launchers,
    toolkit: toolkitId(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    headers: bundledIncludeDir(),
    jit,
    toolchains,
    cache: { dir, size, entries },
  };
}

/** One line per missing piece: what it blocks and the command that gets it. */
function missingHints(r: Record<string, unknown>): string[] {
  const out: string[] = [];
  const jit = r.jit as Record<string, unknown>;
  if (!jit.loaded) out.push("missing     the native addon: nothing can be JIT-linked; the fix is at the end of the 'jit' line");
  const tcs = r.toolchains as ToolchainReport[];
  if (!tcs.some((t) => t.found && t.language === "c++")) {
    out.push("missing     a C/C++ compiler: loadInline and orcjit build need one (apt-get install clang-22, or g++)");
  }
  return out;
}

export function registerDoctor(program: Command, s: Streams): void {
  program
    .command("doctor")
    .description("report the compilers, LLVM/JIT, headers and cache this machine offers")
    .option("--cache-dir <dir>", "object cache directory")
    .option("--json", "print JSON")
    .action(async (o: { cacheDir?: string; json?: boolean }) => {
      const r = await doctorReport(o.cacheDir);
      if (o.json) {
        s.out.write(`${JSON.stringify({ ok: true, ...r }, null, 2)}\n`);
        return;
      }
      const jit = r.jit as Record<string, unknown>;
      const lines = [
        `toolkit     ${String(r.toolkit)} (node ${String(r.node)}, ${String(r.platform)})`,
        `headers     ${String(r.headers)}`,
        jit.loaded
          ? `jit         addon loads; LLVM ${String(jit.llvmVersion)}, TVM-FFI ${String(jit.tvmFfiVersion)}, ` +
            `ABI ${String(jit.abiVersion)}, ${String(jit.targetTriple)}, ${String(jit.buildType)}` +
            `${jit.sanitize ? " (sanitizers)" : ""}`
          : `jit         not loadable: ${String(jit.error)}`,
        ...(jit.loaded ? [`addon       ${String(jit.addonPath)} (${String(jit.addonSource)})`] : []),
        "compilers",
        ...(r.toolchains as ToolchainReport[]).map((t) =>
          t.found
            ? `  ${t.language.padEnd(4)} ${t.request.padEnd(8)} ${t.kind} ${t.version} [${t.target}] ${t.path}`
            : `  ${t.language.padEnd(4)} ${t.request.padEnd(8)} not found: ${t.error}`,
        ),
      ];
      const l = r.launchers as Awaited<ReturnType<typeof probeLaunchers>>;
      lines.push(`launchers   ${l.configured ? `ORCJIT_COMPILER_LAUNCHER=${l.configured}` : "none configured (--launcher, ORCJIT_COMPILER_LAUNCHER, manifest defaults.launcher)"}`);
      if (l.problem) lines.push(`  problem: ${l.problem}`);
      for (const x of l.launchers) lines.push(`  ${x.kind.padEnd(8)} ${x.path ? `${x.version} ${x.path}${x.note ? ` (${x.note})` : ""}` : `not found (${x.what})`}`);
      const c = r.cache as { dir: string; size: number; entries: number };
      lines.push(`cache       ${c.dir} (${c.entries} objects, ${formatBytes(c.size)})`);
      lines.push(...missingHints(r));
      s.out.write(`${lines.join("\n")}\n`);
    });
}
