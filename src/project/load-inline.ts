// loadInline(): C/C++/CUDA source text → a module whose properties are the exported functions.
// The TypeScript counterpart of tvm_ffi.cpp.load_inline, loading with the ORC JIT instead of
// dlopen: generate the translation units (include prelude, the user's text under #line so
// diagnostics name the user's lines, TVM_FFI_DLL_EXPORT_TYPED_FUNC lines), compile them through
// the object cache, add the objects to a library of a session and resolve the functions.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolveCacheDir, storeDir } from "../cache/paths.js";
import { ObjectCache } from "../cache/store.js";
import { type CompiledObject, type CompileOptions, type CompileUnit } from "../compiler/index.js";
import { compileUnitsWithBytes } from "../compiler/compile.js";
import { METADATA_DEFINES } from "./metadata.js";
import { defaultSession, type DynamicLibrary, type ExecutionSession } from "../jit/index.js";
import { CacheError } from "../errors.js";
import { NotRegularFileError, readRegularFileSync } from "../util/fs.js";
import { KeyHasher } from "../util/hash.js";
import { renderDeclarations } from "../values/declarations.js";
import type { AsyncFFIFunction, KernelFunction, KernelModules, KernelsOf } from "../values/types.js";
import { checkName } from "./build.js";
import { cString, exportLines } from "./exports.js";
import { checkOptions, optionKeys } from "../util/options.js";

export interface LoadInlineOptions<F extends string = string, N extends string = string> extends Omit<CompileOptions, "cwd"> {
  /** Module name: names the build directory and the JIT library, and keys its declarations (KernelModules). */
  name: N;
  /** C++ source text (an array is joined with "\n"). Gets the tvm/ffi include prelude and the export lines. */
  cppSources?: string | readonly string[];
  /** C source text; gets `#include <tvm/ffi/c_api.h>`. Functions written in C define `__tvm_ffi_<name>` themselves. */
  cSources?: string | readonly string[];
  /** CUDA source text (nvcc); gets the exports when there is no C++ source. */
  cudaSources?: string | readonly string[];
  /** Functions to export and expose: names, or name → docstring. */
  functions?: F | readonly F[] | { readonly [K in F]: string };
  /** Session to load into (default: defaultSession()). */
  session?: ExecutionSession;
  /**
   * Writes TypeScript declarations of the module's functions, from their C++ signatures, to
   * this `.d.ts` file, or to `<name>.d.ts` in this directory (rewritten only when they change).
   * Once the file is part of the TypeScript program, calls on this module are type-checked
   * (docs/types.md). A dev-time option: leave it unset in production.
   */
  types?: string;
}

const RESERVED = new Set(["name", "library", "objects", "buildDirectory", "functions", "docs", "getFunction", "dispose", "then", "constructor", "toString", "valueOf", "__proto__"]);

/** What loadInline returns: the exported functions as properties, plus the module's parts. */
export class InlineModule<N extends string = string> {
  readonly name: N;
  readonly library: DynamicLibrary;
  readonly objects: readonly CompiledObject[];
  readonly buildDirectory: string;
  readonly functions: readonly string[];
  readonly docs: Readonly<Record<string, string>>;

  /** @internal */
  constructor(init: { name: N; library: DynamicLibrary; objects: CompiledObject[]; buildDirectory: string; functions: string[]; docs: Record<string, string> }) {
    this.name = init.name;
    this.library = init.library;
    this.objects = init.objects;
    this.buildDirectory = init.buildDirectory;
    this.functions = init.functions;
    this.docs = init.docs;
  }

  /** Any TVM-FFI function the module's objects export (`__tvm_ffi_<name>`). */
  getFunction<K extends string>(name: K): KernelFunction<N, K> {
    return this.library.getFunction(name) as KernelFunction<N, K>;
  }

  /** Unloads the module's code (runs static destructors). */
  dispose(): void {
    this.library.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * What loadInline returns: the module's parts, and its functions as properties — typed from
 * their C++ signatures when declarations for module `N` were generated (KernelModules),
 * else AsyncFFIFunction (both with `.async`, docs/async.md).
 */
export type LoadedModule<F extends string, N extends string = string> = InlineModule<N> &
  (N extends keyof KernelModules ? { readonly [K in keyof KernelsOf<N>]: KernelFunction<N, K & string> } : { readonly [K in F]: AsyncFFIFunction }); // [i16] with .async

/** The files loadInline writes, as text (exported for tests and for `orcjit` tooling). */
export interface GeneratedSources {
  cpp?: { file: string; userFile: string; text: string };
  c?: { file: string; userFile: string; text: string };
  cuda?: { file: string; userFile: string; text: string };
}

export const CPP_PRELUDE = ["tvm/ffi/container/tensor.h", "tvm/ffi/dtype.h", "tvm/ffi/error.h", "tvm/ffi/extra/c_env_api.h", "tvm/ffi/function.h"];

const join1 = (s: string | readonly string[] | undefined): string | undefined => (s === undefined ? undefined : typeof s === "string" ? s : s.join("\n"));

function normalizeFunctions(fns: LoadInlineOptions["functions"]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (fns === undefined || fns === null) return out;
  if (typeof fns === "string") out.set(fns, undefined);
  else if (Array.isArray(fns)) for (const f of fns as readonly string[]) out.set(f, undefined);
  else if (typeof fns === "object") for (const [f, doc] of Object.entries(fns as Record<string, string>)) out.set(f, typeof doc === "string" && doc ? doc : undefined);
  else throw new TypeError("loadInline: 'functions' must be a name, an array of names, or a { name: docstring } object");
  for (const f of out.keys()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f)) throw new TypeError(`loadInline: function name ${JSON.stringify(f)} is not a C identifier`);
    if (RESERVED.has(f)) throw new TypeError(`loadInline: function name '${f}' collides with a module member; rename it or load it with mod.getFunction()`);
  }
  return out;
}

/**
 * Generates the translation units. The user's text is preceded by `#line 1 "<userFile>"` (and
 * `userFile` is written with exactly that text), so diagnostics and debuggers point at the
 * user's own lines; the export lines follow under a `#line` back to the generated file.
 */
export function generateInlineSources(dir: string, sources: { cpp?: string; c?: string; cuda?: string }, functions: Map<string, string | undefined>): GeneratedSources {
  const exports = exportLines(functions);
  const unit = (file: string, userFile: string, includes: string[], text: string, exports: string[]): { file: string; userFile: string; text: string } => {
    const head = ["// Generated by tvm-ffi-orcjit loadInline. Do not edit.", ...includes.map((h) => `#include <${h}>`), "", `#line 1 ${cString(join(dir, userFile))}`];
    const body = text.endsWith("\n") ? text : `${text}\n`;
    const bodyLines = body.split("\n").length - 1;
    // The line after the #line directive must be numbered as its own position in `file`.
    const back = head.length + bodyLines + 2;
    const tail = exports.length ? [`#line ${back} ${cString(join(dir, file))}`, ...exports] : [];
    return { file, userFile, text: `${head.join("\n")}\n${body}${tail.length ? `${tail.join("\n")}\n` : ""}` };
  };
  const out: GeneratedSources = {};
  if (sources.cpp !== undefined) out.cpp = unit("main.cpp", "cpp_source.cc", CPP_PRELUDE, sources.cpp, exports);
  if (sources.cuda !== undefined) out.cuda = unit("cuda.cu", "cuda_source.cu", CPP_PRELUDE, sources.cuda, sources.cpp === undefined ? exports : []);
  if (sources.c !== undefined) out.c = unit("main.c", "c_source.c", ["tvm/ffi/c_api.h"], sources.c, []);
  return out;
}

// Synchronous: on a warm start this is a read of two small files that are already right.
function writeIfChanged(path: string, text: string): void {
  let old: string | undefined;
  try {
    old = readRegularFileSync(path).toString("utf8");
  } catch (e) {
    // missing: write it; a FIFO or directory in its place would block or fail the write
    if (e instanceof NotRegularFileError) throw new CacheError(`cannot write the generated file: ${e.message}; remove it`, { cause: e });
  }
  if (old !== text) writeFileSync(path, text);
}

/**
 * Loaded modules by session and inputs, held weakly: loading the same inputs again returns the
 * same module while it is reachable, and the memo never keeps one alive (a module nothing
 * reaches is torn down after GC with its library, docs/teardown.md). Entries of collected
 * modules are dropped by `forgetCollected`.
 */
const memo = new WeakMap<ExecutionSession, Map<string, WeakRef<InlineModule>>>();
const forgetCollected = new FinalizationRegistry<{ map: Map<string, WeakRef<InlineModule>>; key: string; ref: WeakRef<InlineModule> }>(({ map, key, ref }) => {
  if (map.get(key) === ref) map.delete(key);
});

const LOAD_INLINE_OPTION_KEYS = optionKeys<LoadInlineOptions>({ name: true, cppSources: true, cSources: true, cudaSources: true, functions: true, session: true, types: true, compiler: true, nvcc: true, cudaArch: true, optLevel: true, debug: true, extraCflags: true, extraCudaCflags: true, extraIncludePaths: true, cacheDir: true, launcher: true, pch: true, force: true, jobs: true, signal: true, verbose: true, buildDirectory: true, env: true, onProgress: true });

/**
 * Compiles inline sources (through the object cache: an unchanged module only hashes, reads
 * its objects and links them) and loads them into `session`. Loading the same name with the
 * same inputs again in one process returns the same module object while that one is
 * reachable. A module that neither the program nor any function taken from it reaches any
 * more is disposed after garbage collection (docs/teardown.md); dispose() does it at once.
 *
 *   const mod = await loadInline({ name: "m", cppSources: "int64_t add(int64_t a, int64_t b) { return a + b; }", functions: ["add"] });
 *   mod.add(1, 2); // 3
 */
export function loadInline<F extends string, N extends string = string>(options: LoadInlineOptions<F, N> & { functions: F | readonly F[] }): Promise<LoadedModule<F, N>>;
export function loadInline<D extends { readonly [name: string]: string }, N extends string = string>(options: LoadInlineOptions<never, N> & { functions: D }): Promise<LoadedModule<keyof D & string, N>>;
export function loadInline<N extends string = string>(options: LoadInlineOptions<string, N>): Promise<LoadedModule<never, N>>;
export async function loadInline(options: LoadInlineOptions): Promise<LoadedModule<string>> {
  if (options === null || typeof options !== "object") throw new TypeError("loadInline(options): options must be an object");
  checkOptions("loadInline(options)", options, LOAD_INLINE_OPTION_KEYS);
  const { name, cppSources, cSources, cudaSources, functions, session: sessionOpt, types, ...compileOptions } = options;
  if (types !== undefined && (typeof types !== "string" || types.length === 0)) throw new TypeError("loadInline: 'types' must be a non-empty path (a .d.ts file or a directory)");
  checkName("loadInline", name);
  const texts = { cpp: join1(cppSources), c: join1(cSources), cuda: join1(cudaSources) };
  if (texts.cpp === undefined && texts.c === undefined && texts.cuda === undefined) throw new TypeError("loadInline: give at least one of cppSources, cSources, cudaSources");
  const fns = normalizeFunctions(functions);

  // Build directory: <cache>/v1/inline/<name>_<hash16> over the inputs (as tvm-ffi does), unless given.
  const env = compileOptions.env ?? process.env;
  const inputsHash = new KeyHasher()
    .field("name", name)
    .field("cpp", texts.cpp)
    .field("c", texts.c)
    .field("cuda", texts.cuda)
    .list("functions", [...fns].map(([f, d]) => `${f}\u0000${d ?? ""}`))
    .list("cflags", compileOptions.extraCflags ?? [])
    .list("cudaCflags", compileOptions.extraCudaCflags ?? [])
    .list("includes", compileOptions.extraIncludePaths ?? [])
    .digest();
  let dir = compileOptions.buildDirectory;
  if (dir === undefined) {
    const root = resolveCacheDir(compileOptions.cacheDir, env);
    await new ObjectCache(root).ready(); // a read-only or unsafe cache is a CacheError here, before anything is written
    dir = join(storeDir(root), "inline", `${name}_${inputsHash.slice(0, 16)}`);
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CacheError(`cannot create the build directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const generated = generateInlineSources(dir, texts, fns);
  // The C++ prelude as one header shared by every module of this cache, precompiled once
  // (pch: false skips it; the generated source includes the same headers either way).
  let prelude: string | undefined;
  if (generated.cpp && compileOptions.pch !== false) {
    const inlineRoot = join(storeDir(resolveCacheDir(compileOptions.cacheDir, env)), "inline");
    mkdirSync(inlineRoot, { recursive: true, mode: 0o700 });
    prelude = join(inlineRoot, "prelude.h");
    writeIfChanged(prelude, `// Generated by tvm-ffi-orcjit loadInline: the C++ prelude, precompiled. Do not edit.\n${CPP_PRELUDE.map((h) => `#include <${h}>\n`).join("")}`);
  }
  const units: CompileUnit[] = [];
  /** Per unit, what errors call its object: the module and the user's source, not the cache blob. */
  const labels: string[] = [];
  for (const [lang, g] of [["c++", generated.cpp], ["c", generated.c], ["cuda", generated.cuda]] as const) {
    if (!g) continue;
    writeIfChanged(join(dir, g.userFile), texts[lang === "c++" ? "cpp" : lang]!);
    writeIfChanged(join(dir, g.file), g.text);
    units.push({ source: join(dir, g.file), language: lang, defines: { ...METADATA_DEFINES }, ...(lang === "c++" && prelude ? { pch: prelude } : {}) });
    labels.push(`module ${name}, ${join(dir, g.userFile)}`);
  }

  const { objects, bytes } = await compileUnitsWithBytes(units, { ...compileOptions, buildDirectory: dir });

  const session = sessionOpt ?? defaultSession();
  let perSession = memo.get(session);
  if (!perSession) memo.set(session, (perSession = new Map()));
  const memoKey = new KeyHasher().field("name", name).list("objects", objects.map((o) => o.key)).list("functions", [...fns.keys()]).digest();
  const existing = perSession.get(memoKey)?.deref();
  if (existing && !existing.library.disposed) {
    if (types !== undefined) writeModuleDeclarations(types, existing);
    return existing as LoadedModule<string>;
  }
  // Synchronous from here to the memo entry: a concurrent loadInline of the same inputs
  // (resuming after its own compile) finds this module.
  const library = session.createLibrary(name, { debug: compileOptions.debug ?? env.ORCJIT_DEBUGGER === "1" });
  let mod: InlineModule;
  try {
    // The bytes compileUnits already read and verified against the cache entry's hash: loading
    // from them saves reading the object a second time (and reads exactly what was verified).
    // Named by the module and the source they were compiled from: a load error (e.g.
    // thread_local) then points at what the user wrote, not at a cache blob.
    objects.forEach((o, i) => library.add(bytes[i]!, { name: labels[i] ?? o.objectPath }));
    const docs: Record<string, string> = {};
    mod = new InlineModule<string>({ name, library, objects, buildDirectory: dir, functions: [...fns.keys()], docs });
    for (const [f, doc] of fns) {
      Object.defineProperty(mod, f, { value: library.getFunction(f), enumerable: true });
      if (doc) docs[f] = doc;
    }
  } catch (e) {
    library.dispose();
    throw e;
  }
  const ref = new WeakRef(mod);
  perSession.set(memoKey, ref);
  forgetCollected.register(mod, { map: perSession, key: memoKey, ref });
  if (types !== undefined) writeModuleDeclarations(types, mod);
  return mod as LoadedModule<string>;
}

/** loadInline's `types`: the module's declarations, written when they changed. */
function writeModuleDeclarations(target: string, mod: InlineModule): void {
  const file = target.endsWith(".d.ts") ? target : join(target, `${mod.name}.d.ts`);
  const functions = mod.functions.map((f) => {
    const fn = mod.library.getFunction(f);
    return { name: f, signature: fn.signature, doc: fn.doc ?? mod.docs[f], signatureError: fn.signatureError };
  });
  const text = renderDeclarations([{ name: mod.name, functions }], { generator: `loadInline({ name: "${mod.name}", types })` });
  mkdirSync(dirname(file), { recursive: true });
  writeIfChanged(file, text);
}
