// build(): sources → paths of cached objects (the TypeScript counterpart of tvm_ffi.cpp.build
// in object mode: no link step, no export wrappers).
import { join, resolve } from "node:path";
import { resolveCacheDir, storeDir } from "../cache/paths.js";
import { compileUnits, type CompiledObject, type CompileOptions, type CompileUnit } from "../compiler/index.js";
import { checkOptions, optionKeys } from "../util/options.js";

export interface BuildOptions extends CompileOptions {
  /** Names the build (its log directory: <cacheDir>/v1/build/<name> unless buildDirectory is set). */
  name: string;
  /** Source paths or units; `.o`/`.obj` files are passed through unchanged. */
  sources: ReadonlyArray<string | CompileUnit>;
}

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Names become directory names (with a 17-character suffix): far below NAME_MAX (255 bytes). */
export const NAME_MAX_LENGTH = 128;

/** Throws a TypeError unless `name` is a valid module/build name. */
export function checkName(what: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) throw new TypeError(`${what}: 'name' must match ${NAME_PATTERN} (got ${JSON.stringify(name)})`);
  if (name.length > NAME_MAX_LENGTH) throw new TypeError(`${what}: 'name' is ${name.length} characters long; at most ${NAME_MAX_LENGTH} are allowed (it names a directory)`);
}

const BUILD_OPTION_KEYS = optionKeys<BuildOptions>({ name: true, sources: true, compiler: true, nvcc: true, cudaArch: true, optLevel: true, debug: true, extraCflags: true, extraCudaCflags: true, extraIncludePaths: true, cacheDir: true, launcher: true, pch: true, force: true, jobs: true, signal: true, verbose: true, buildDirectory: true, env: true, onProgress: true, cwd: true });

/** Compiles `sources` and returns the detailed results (objects passed through get cacheHit: true, key ""). */
export async function buildObjects(options: BuildOptions): Promise<CompiledObject[]> {
  if (options === undefined) throw new TypeError("build(options): options are required ({ name, sources })");
  checkOptions("build(options)", options, BUILD_OPTION_KEYS);
  const { name, sources, ...compileOptions } = options;
  checkName("build", name);
  if (!Array.isArray(sources)) throw new TypeError("build: 'sources' must be an array of paths or compile units");
  const cwd = compileOptions.cwd ?? process.cwd();
  const units: CompileUnit[] = [];
  const slots: Array<{ object: string } | { unit: number }> = [];
  for (const s of sources) {
    const unit = typeof s === "string" ? { source: s } : s;
    if (/\.(o|obj)$/i.test(unit.source)) slots.push({ object: resolve(cwd, unit.source) });
    else slots.push({ unit: units.push(unit) - 1 });
  }
  const buildDirectory = compileOptions.buildDirectory ?? join(storeDir(resolveCacheDir(compileOptions.cacheDir, compileOptions.env)), "build", name);
  const compiled = await compileUnits(units, { ...compileOptions, buildDirectory });
  return slots.map((s) =>
    "object" in s ? { source: s.object, objectPath: s.object, key: "", cacheHit: true, dependencies: [], durationMs: 0, warnings: [] } : compiled[s.unit]!,
  );
}

/**
 * Compiles C, C++ and CUDA sources to objects in the content-addressed cache and returns their
 * paths, in source order. Throws CompileError with file:line:col diagnostics on failure.
 *
 *   const objects = await build({ name: "kernels", sources: ["a.cc", "b.c"] });
 */
export async function build(options: BuildOptions): Promise<string[]> {
  return (await buildObjects(options)).map((o) => o.objectPath);
}
