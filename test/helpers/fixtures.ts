// Compiles the C/C++ fixture sources under test/fixtures/{c,cc} with every available
// compiler (clang-22 and gcc/g++) into test/.fixtures/<compiler>/<dir>/<name>.o.
// A fixture is rebuilt when its key (compiler, flags, source and headers) changes.
// A source may carry "fixture-flags: ..." (extra flags) and "fixture-compilers: a,b" lines.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface FixtureCompiler {
  id: "clang" | "gcc";
  cc: string;
  cxx: string;
}

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURE_SRC = join(ROOT, "test/fixtures");
export const FIXTURE_OUT = join(ROOT, "test/.fixtures");
const INCLUDE = join(ROOT, "native/include");

export const COMPILERS: FixtureCompiler[] = [
  { id: "clang", cc: "clang-22", cxx: "clang++-22" },
  { id: "gcc", cc: "gcc", cxx: "g++" },
];

/** Path of the object built from test/fixtures/<name>.{c,cc} (name like "c/add"). */
export function fixture(compiler: FixtureCompiler, name: string): string {
  return join(FIXTURE_OUT, compiler.id, `${name}.o`);
}

/** Bytes of a fixture object. */
export function fixtureBytes(compiler: FixtureCompiler, name: string): Uint8Array {
  return readFileSync(fixture(compiler, name));
}

function headersOf(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".h"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
}

function includeTreeKey(): string {
  const h = createHash("sha256");
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        h.update(p);
        h.update(readFileSync(p));
      }
    }
  };
  walk(INCLUDE);
  return h.digest("hex");
}

async function compileOne(compiler: FixtureCompiler, sub: "c" | "cc", file: string, incKey: string): Promise<void> {
  const src = join(FIXTURE_SRC, sub, file);
  const text = readFileSync(src, "utf8");
  const only = /fixture-compilers:\s*([\w, ]+)/.exec(text)?.[1]?.split(/[ ,]+/).filter(Boolean);
  if (only && !only.includes(compiler.id)) return;
  const extra = /fixture-flags:\s*([^\n*]+)/.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
  const tool = sub === "c" ? compiler.cc : compiler.cxx;
  const std = sub === "c" ? ["-std=c11"] : ["-std=c++17"];
  const args = [...std, "-fPIC", "-O2", "-c", `-I${INCLUDE}`, ...extra];
  const name = file.replace(/\.(c|cc)$/, "");
  const out = fixture(compiler, `${sub}/${name}`);
  const key = createHash("sha256")
    .update(JSON.stringify([tool, args, text, headersOf(join(FIXTURE_SRC, sub)), incKey]))
    .digest("hex");
  const keyFile = `${out}.key`;
  if (existsSync(out) && existsSync(keyFile) && readFileSync(keyFile, "utf8") === key) return;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await run(tool, [...args, src, "-o", tmp]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`fixture ${sub}/${file} failed with ${tool}:\n${err.stderr ?? err.message}`);
  }
  renameSync(tmp, out);
  writeFileSync(keyFile, key);
}

/** Builds every fixture with every compiler (parallel, incremental). */
export async function buildFixtures(): Promise<void> {
  const incKey = includeTreeKey();
  const jobs: Promise<void>[] = [];
  for (const compiler of COMPILERS) {
    for (const sub of ["c", "cc"] as const) {
      for (const file of readdirSync(join(FIXTURE_SRC, sub))) {
        if (!/\.(c|cc)$/.test(file)) continue;
        jobs.push(compileOne(compiler, sub, file, incKey));
      }
    }
  }
  const results = await Promise.allSettled(jobs);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length) throw new Error(failures.map((f) => String((f.reason as Error).message)).join("\n\n"));
}
