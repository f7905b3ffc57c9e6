// Parsing (yaml, with source positions), schema validation (ajv) and the semantic checks and
// merging that turn an orcjit.yaml into a ResolvedManifest. Never imports the compiler or JIT.
import { existsSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import type { Document } from "yaml";
import { yaml } from "./libs.js";
import { ManifestError } from "../errors.js";
import { NotRegularFileError, readRegularFile } from "../util/fs.js";
import type { Diagnostic, Location } from "../types.js";
import { type DataPath, Locator } from "./locate.js";
import { checkSchema, withoutInvalid } from "./schema.js";
import { closest } from "../util/suggest.js";
import { languageOfExtension } from "../util/language.js";
import { checkOptions, optionKeys } from "../util/options.js";
import type {
  ManifestOptions,
  OptLevel,
  ResolvedLibrary,
  ResolvedManifest,
  ResolvedSource,
  SourceLanguage,
} from "./types.js";

/** The file name `orcjit` looks for when given a directory or nothing. */
export const MANIFEST_FILE_NAME = "orcjit.yaml";

// ---- the raw shape, as guaranteed by the schema ---------------------------------------

type DefineValue = string | number | boolean;
interface RawSettings {
  compiler?: string;
  launcher?: string;
  pch?: string | false;
  optLevel?: OptLevel;
  debug?: boolean;
  cflags?: string[];
  conlyflags?: string[];
  cxxflags?: string[];
  cudaflags?: string[];
  defines?: Record<string, DefineValue>;
  includeDirs?: string[];
  sharedLibraries?: string[];
  objects?: string[];
}
interface RawSource {
  path: string;
  language?: SourceLanguage;
  cflags?: string[];
  defines?: Record<string, DefineValue>;
  includeDirs?: string[];
  functions?: string[];
}
interface RawLibrary extends RawSettings {
  sources: (string | RawSource)[];
  linkOrder?: string[];
  functions?: string[];
}
interface RawProfile {
  description?: string;
  defaults?: RawSettings;
  libraries?: Record<string, RawSettings>;
}
interface RawManifest {
  version: 1;
  defaults?: RawSettings;
  libraries: Record<string, RawLibrary>;
  profiles?: Record<string, RawProfile>;
}

interface Layer {
  settings: RawSettings;
  at: DataPath;
}

const HEADER_EXTENSIONS = new Set([".h", ".hh", ".hpp", ".hxx", ".h++", ".cuh", ".inc"]);
const LANGUAGE_FLAGS: Record<SourceLanguage, "conlyflags" | "cxxflags" | "cudaflags"> = {
  c: "conlyflags",
  "c++": "cxxflags",
  cuda: "cudaflags",
};

/** The language a source file's extension implies, if any. */
export const languageOf: (file: string) => SourceLanguage | undefined = languageOfExtension;

function displayName(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  const la = a.location;
  const lb = b.location;
  if (!la || !lb) return la ? -1 : lb ? 1 : 0;
  return la.line - lb.line || la.column - lb.column;
}

const MANIFEST_OPTION_KEYS = optionKeys<ManifestOptions>({ profile: true, allowOutsideRoot: true, displayPath: true, env: true });

/** The options of `options` that a manifest takes (for callers whose options extend ManifestOptions). */
export function manifestOptionsOf(options: ManifestOptions): ManifestOptions {
  const out: ManifestOptions = {};
  for (const k of MANIFEST_OPTION_KEYS) if ((options as Record<string, unknown>)[k] !== undefined) (out as Record<string, unknown>)[k] = (options as Record<string, unknown>)[k];
  return out;
}

/**
 * Parses and resolves manifest text. `file` is the manifest's path (its directory is the
 * project root; relative paths resolve against it). Throws ManifestError with every problem found.
 */
export function parseManifest(text: string, file: string, options: ManifestOptions = {}): ResolvedManifest {
  checkOptions("parseManifest(text, file, options)", options, MANIFEST_OPTION_KEYS);
  return parse(text, file, options);
}

function parse(text: string, file: string, options: ManifestOptions): ResolvedManifest {
  const manifestFile = path.resolve(file);
  const root = path.dirname(manifestFile);
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  // uniqueKeys off: yaml compares every key with every earlier one (quadratic in the number of
  // libraries); duplicateKeys() does the same check with one Set per mapping.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const locator = new Locator(doc, lines, options.displayPath ?? displayName(manifestFile));

  const syntax = [
    ...doc.errors.map((e) => ({ message: e.message.replace(/ at line \d+, column \d+.*$/s, ""), offset: e.pos[0] })),
    ...duplicateKeys(doc),
  ];
  if (syntax.length > 0) {
    const diags = syntax.map<Diagnostic>((e) => ({ severity: "error", message: `YAML syntax error: ${e.message}`, location: locator.offset(e.offset) }));
    throw new ManifestError(diags.sort(byPosition));
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // e.g. an alias bomb ("Excessive alias count"): a manifest error, not a raw ReferenceError.
    throw new ManifestError([{ severity: "error", message: `YAML error: ${(e as Error).message}`, location: locator.offset(0) }]);
  }
  if (data === null || data === undefined) {
    throw new ManifestError([
      {
        severity: "error",
        message: "the manifest is empty: expected a mapping with 'version: 1' and 'libraries'",
        location: locator.offset(0),
      },
    ]);
  }
  const { diagnostics: schemaErrors, invalid } = checkSchema(data, locator);
  if (schemaErrors.length === 0) return new Resolver(data as RawManifest, manifestFile, root, locator, options).run();
  // Every independent problem in one run: what the schema accepted is still resolved and
  // checked (missing files, unknown linkOrder names, cycles); only what it rejected is left
  // out, so that no problem is reported that merely follows from a schema error.
  const usable = withoutInvalid(data, invalid);
  if (!isMapping(usable)) throw new ManifestError(schemaErrors.sort(byPosition));
  const libs = (data as { libraries?: unknown }).libraries;
  const names = isMapping(libs) ? Object.keys(libs) : [];
  return new Resolver(usable as unknown as RawManifest, manifestFile, root, locator, options, schemaErrors, names).run();
}

/** Keys that repeat within one mapping (what yaml's `uniqueKeys` reports), in linear time. */
function duplicateKeys(doc: Document): { message: string; offset: number }[] {
  const { isMap, isScalar, visit } = yaml();
  const out: { message: string; offset: number }[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const k = pair.key;
        const id = isScalar(k) ? (typeof k.value === "string" ? `s:${k.value}` : k.value) : k;
        if (seen.has(id)) out.push({ message: "Map keys must be unique", offset: (isScalar(k) || isMap(k) ? k.range?.[0] : undefined) ?? 0 });
        seen.add(id);
      }
    },
  });
  return out;
}

/** Reads and resolves a manifest file (or `<dir>/orcjit.yaml` when given a directory). */
export async function loadManifest(file: string, options: ManifestOptions = {}): Promise<ResolvedManifest> {
  checkOptions("loadManifest(file, options)", options, MANIFEST_OPTION_KEYS);
  const manifestFile = resolveManifestPath(file);
  let text: string;
  try {
    // Opened non-blocking and checked through the descriptor: a FIFO is refused, never waited on.
    text = (await readRegularFile(manifestFile)).toString("utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : cause instanceof NotRegularFileError ? (cause.message.replace(`${manifestFile} is `, "it is ")) : String(cause);
    throw new ManifestError([{ severity: "error", message: `cannot read manifest ${manifestFile}: ${why}` }], { cause });
  }
  return parse(text, manifestFile, options);
}

/** `dir` → `dir/orcjit.yaml`; a file path is returned absolute; nothing → `./orcjit.yaml`. */
export function resolveManifestPath(file = "."): string {
  const abs = path.resolve(file);
  try {
    if (statSync(abs).isDirectory()) return path.join(abs, MANIFEST_FILE_NAME);
  } catch {
    // missing: reported when read
  }
  return abs;
}

class Resolver {
  private readonly errors: Diagnostic[] = [];
  private readonly warnings: Diagnostic[] = [];
  private readonly realRoot: string;
  private profileName: string | undefined;
  /** The library names, for O(1) membership (a manifest may list tens of thousands). */
  private nameSet = new Set<string>();
  /** realpath results of this resolution (a manifest names the same files many times). */
  private readonly realpaths = new Map<string, string | undefined>();

  constructor(
    private readonly raw: RawManifest,
    private readonly file: string,
    private readonly root: string,
    private readonly at: Locator,
    private readonly options: ManifestOptions,
    /** Schema errors: `raw` is then the data without the values they reject (holes in lists). */
    earlier: Diagnostic[] = [],
    /** Every library name, including those whose whole entry the schema rejected. */
    private readonly knownNames?: string[],
  ) {
    this.realRoot = safeRealpath(root) ?? root;
    this.errors.push(...earlier);
  }

  private error(message: string, location: Location): void {
    this.errors.push({ severity: "error", message, location });
  }

  run(): ResolvedManifest {
    const profiles = Object.keys(this.raw.profiles ?? {});
    this.selectProfile(profiles);
    const names = this.knownNames ?? Object.keys(this.raw.libraries ?? {});
    this.nameSet = new Set(names);
    this.checkProfileLibraries(names);

    // a library whose entry the schema rejected is known (linkOrder may name it) but not resolved
    const libraries = names.filter((name) => isMapping(this.raw.libraries?.[name])).map((name) => this.library(name, this.raw.libraries[name]!, names));
    const loadOrder = this.orderLibraries(names);

    if (this.errors.length > 0) throw new ManifestError(this.errors.sort(byPosition));
    const resolved: ResolvedManifest = {
      file: this.file,
      root: this.root,
      version: 1,
      profiles,
      libraries,
      loadOrder,
      warnings: this.warnings.sort(byPosition),
    };
    if (this.profileName !== undefined) resolved.profile = this.profileName;
    return resolved;
  }

  private selectProfile(profiles: string[]): void {
    const env = this.options.env ?? process.env;
    const fromOption = this.options.profile || undefined;
    const requested = fromOption ?? (env.ORCJIT_PROFILE || undefined);
    if (requested === undefined) return;
    if (profiles.includes(requested)) {
      this.profileName = requested;
      return;
    }
    const source = fromOption !== undefined ? "" : " (from ORCJIT_PROFILE)";
    const guess = closest(requested, profiles);
    const available = profiles.length ? `; defined: ${profiles.join(", ")}` : "; the manifest defines no profiles";
    const location = profiles.length ? this.at.at(["profiles"], "key") : this.at.at([]);
    this.error(`unknown profile '${requested}'${source}${guess ? ` (did you mean '${guess}'?)` : available}`, location);
  }

  private checkProfileLibraries(names: string[]): void {
    for (const [profile, body] of Object.entries(this.raw.profiles ?? {})) {
      for (const lib of Object.keys(body?.libraries ?? {})) {
        if (this.nameSet.has(lib)) continue;
        const guess = closest(lib, names);
        this.error(
          `profile '${profile}' overrides unknown library '${lib}'${guess ? ` (did you mean '${guess}'?)` : ""}`,
          this.at.at(["profiles", profile, "libraries", lib], "key"),
        );
      }
    }
  }

  private layersFor(name: string): Layer[] {
    const layers: Layer[] = [];
    const lib = this.raw.libraries[name]!;
    if (this.raw.defaults) layers.push({ settings: this.raw.defaults, at: ["defaults"] });
    const profile = this.profileName !== undefined ? this.raw.profiles?.[this.profileName] : undefined;
    const profileAt: DataPath = ["profiles", this.profileName ?? ""];
    if (profile?.defaults) layers.push({ settings: profile.defaults, at: [...profileAt, "defaults"] });
    layers.push({ settings: lib, at: ["libraries", name] });
    const override = profile?.libraries?.[name];
    if (override) layers.push({ settings: override, at: [...profileAt, "libraries", name] });
    return layers;
  }

  private library(name: string, lib: RawLibrary, names: string[]): ResolvedLibrary {
    const libAt: DataPath = ["libraries", name];
    const layers = this.layersFor(name);

    // Scalars: the last layer that sets one wins.
    let compiler: string | undefined;
    let optLevel: OptLevel | undefined;
    let debug: boolean | undefined;
    let launcher: string | undefined;
    let pch: string | undefined;
    for (const { settings, at } of layers) {
      if (settings.launcher !== undefined) launcher = settings.launcher;
      if (settings.pch === false) pch = undefined;
      else if (settings.pch !== undefined) pch = this.checkPath(settings.pch, [...at, "pch"], "precompiled header", "file");
    }
    for (const { settings } of layers) {
      if (settings.compiler !== undefined) compiler = settings.compiler;
      if (settings.optLevel !== undefined) optLevel = settings.optLevel;
      if (settings.debug !== undefined) debug = settings.debug;
    }

    const includeDirs: string[] = [];
    const defines = new Map<string, string | true>();
    for (const { settings, at } of layers) {
      (settings.includeDirs ?? []).forEach((dir, i) => {
        if (dir === undefined) return;
        const abs = this.checkPath(dir, [...at, "includeDirs", i], "include directory", "dir");
        if (abs !== undefined && !includeDirs.includes(abs)) includeDirs.push(abs);
      });
      mergeDefines(defines, settings.defines);
    }

    const objects: string[] = [];
    const sharedLibraries: string[] = [];
    for (const { settings, at } of layers) {
      (settings.objects ?? []).forEach((obj, i) => {
        if (obj === undefined) return;
        const abs = this.checkPath(obj, [...at, "objects", i], "object file", "file");
        if (abs !== undefined) objects.push(abs);
      });
      (settings.sharedLibraries ?? []).forEach((lib, i) => {
        if (lib === undefined) return;
        const resolved = this.sharedLibrary(lib, [...at, "sharedLibraries", i]);
        if (resolved !== undefined && !sharedLibraries.includes(resolved)) sharedLibraries.push(resolved);
      });
    }

    // linkOrder: known, distinct, not itself (cycles are found later).
    const linkOrder: string[] = [];
    (lib.linkOrder ?? []).forEach((dep, i) => {
      if (dep === undefined) return;
      const loc = this.at.at([...libAt, "linkOrder", i]);
      if (dep === name) this.error(`library '${name}' lists itself in linkOrder`, loc);
      else if (!this.nameSet.has(dep)) {
        const guess = closest(dep, names.filter((n) => n !== name));
        const hint = guess ? ` (did you mean '${guess}'?)` : `; libraries: ${names.join(", ")}`;
        this.error(`unknown library '${dep}' in linkOrder of '${name}'${hint}`, loc);
      } else if (linkOrder.includes(dep)) this.error(`library '${dep}' appears twice in linkOrder of '${name}'`, loc);
      else linkOrder.push(dep);
    });

    const sources = this.sources(name, lib, layers, includeDirs, defines);

    if (sources.length === 0 && objects.length === 0) {
      this.warnings.push({
        severity: "warning",
        message: `library '${name}' has no sources and no objects: it will be empty`,
        location: this.at.at(libAt, "key"),
      });
    }

    const functions = sources.flatMap((s) => s.functions);
    const resolved: ResolvedLibrary = {
      name,
      sources,
      objects,
      linkOrder,
      sharedLibraries,
      functions,
      location: this.at.at(libAt, "key"),
    };
    if (compiler !== undefined) resolved.compiler = compiler;
    if (launcher !== undefined) resolved.launcher = launcher;
    if (pch !== undefined) resolved.pch = pch;
    if (optLevel !== undefined) resolved.optLevel = optLevel;
    if (debug !== undefined) resolved.debug = debug;
    return resolved;
  }

  private sources(
    name: string,
    lib: RawLibrary,
    layers: Layer[],
    libIncludeDirs: string[],
    libDefines: Map<string, string | true>,
  ): ResolvedSource[] {
    const libAt: DataPath = ["libraries", name];
    const out: ResolvedSource[] = [];
    const seen = new Map<string, number>();
    const entries = lib.sources ?? [];
    entries.forEach((entry, i) => {
      if (entry === undefined) return;
      const src: RawSource = typeof entry === "string" ? { path: entry } : entry;
      if (typeof src.path !== "string") return; // rejected by the schema
      const at: DataPath = typeof entry === "string" ? [...libAt, "sources", i] : [...libAt, "sources", i, "path"];
      const location = this.at.at(at);
      const ext = path.extname(src.path);
      if (HEADER_EXTENSIONS.has(ext.toLowerCase())) {
        this.error(`'${src.path}' is a header: list its directory in includeDirs instead of sources`, location);
        return;
      }
      const language = src.language ?? languageOf(src.path);
      if (language === undefined) {
        this.error(
          `cannot tell the language of '${src.path}' from its extension: use { path: ${src.path}, language: c | c++ | cuda }`,
          location,
        );
        return;
      }
      const abs = this.checkPath(src.path, at, "source file", "file");
      if (abs === undefined) return;
      const key = safeRealpath(abs, this.realpaths) ?? abs;
      const first = seen.get(key);
      if (first !== undefined) {
        this.error(`source '${src.path}' is listed twice in library '${name}' (first at sources[${first}])`, location);
        return;
      }
      seen.set(key, i);

      const flags: string[] = [];
      for (const { settings } of layers) flags.push(...(settings.cflags ?? []));
      for (const { settings } of layers) flags.push(...(settings[LANGUAGE_FLAGS[language]] ?? []));
      flags.push(...(src.cflags ?? []));
      const cleanFlags = flags.filter((f) => typeof f === "string");

      const includeDirs = [...libIncludeDirs];
      (src.includeDirs ?? []).forEach((dir, j) => {
        if (dir === undefined) return;
        const d = this.checkPath(dir, [...libAt, "sources", i, "includeDirs", j], "include directory", "dir");
        if (d !== undefined && !includeDirs.includes(d)) includeDirs.push(d);
      });
      const defines = new Map(libDefines);
      mergeDefines(defines, src.defines);

      const functions = (src.functions ?? []).filter((f) => typeof f === "string");
      if (functions.length > 0 && language === "c") {
        this.error(
          `functions can only be generated for C++ sources; '${src.path}' is C: define __tvm_ffi_<name> yourself`,
          this.at.at([...libAt, "sources", i, "functions"], "key"),
        );
      }
      out.push({
        path: abs,
        relativePath: path.relative(this.root, abs) || src.path,
        language,
        flags: cleanFlags,
        defines: Object.fromEntries(defines),
        includeDirs,
        functions,
        location,
      });
    });

    // Library-level `functions` go to the one C++ source.
    const libFunctions = (lib.functions ?? []).filter((f) => typeof f === "string");
    if (libFunctions.length > 0) {
      const cxx = out.filter((s) => s.language === "c++");
      const loc = this.at.at([...libAt, "functions"], "key");
      if (cxx.length === 1) cxx[0]!.functions.unshift(...libFunctions);
      else if (out.length === entries.length) {
        // only complain when every source resolved (otherwise the count is misleading)
        this.error(
          cxx.length === 0
            ? `library '${name}' lists functions but has no C++ source to generate their export lines in`
            : `library '${name}' has ${cxx.length} C++ sources: list functions on the source that defines them ({ path: ..., functions: [...] })`,
          loc,
        );
      }
    }
    const names = new Set<string>();
    for (const s of out) {
      for (const fn of s.functions) {
        if (names.has(fn)) this.error(`function '${fn}' is exported twice by library '${name}'`, s.location);
        names.add(fn);
      }
    }
    return out;
  }

  /** Resolves a path against the root, checking existence, kind and that it stays inside the root. */
  private checkPath(value: string, at: DataPath, what: string, kind: "file" | "dir"): string | undefined {
    const location = this.at.at(at);
    const abs = path.resolve(this.root, value);
    const allowOutside = this.options.allowOutsideRoot === true;
    const fix = "(set allowOutsideRoot / --allow-outside-root to permit it)";
    if (!allowOutside && !isInside(this.root, abs)) {
      this.error(`${what} '${value}' is outside the project root ${this.root} ${fix}`, location);
      return undefined;
    }
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      this.error(`${what} '${value}' not found (looked for ${abs})`, location);
      return undefined;
    }
    if (kind === "file" && !stat.isFile()) {
      this.error(`${what} '${value}' is not a file`, location);
      return undefined;
    }
    if (kind === "dir" && !stat.isDirectory()) {
      this.error(`${what} '${value}' is not a directory`, location);
      return undefined;
    }
    if (!allowOutside) {
      const real = safeRealpath(abs, this.realpaths) ?? abs;
      if (!isInside(this.realRoot, real)) {
        this.error(`${what} '${value}' is a symlink to ${real}, outside the project root ${this.realRoot} ${fix}`, location);
        return undefined;
      }
    }
    return abs;
  }

  /** A bare soname is kept for the dynamic loader; anything with a slash is a path that must exist. */
  private sharedLibrary(value: string, at: DataPath): string | undefined {
    if (!value.includes("/") && !value.includes("\\")) return value;
    const abs = path.resolve(this.root, value);
    if (!existsSync(abs)) {
      this.error(`shared library '${value}' not found (looked for ${abs})`, this.at.at(at));
      return undefined;
    }
    return abs;
  }

  /**
   * Depth-first order with dependencies first; reports every linkOrder cycle once. Iterative
   * (an explicit stack): a chain of tens of thousands of libraries must not overflow the JS stack.
   */
  private orderLibraries(names: string[]): string[] {
    const order: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const reported = new Set<string>();
    const path: string[] = []; // the libraries being visited, outermost first
    const onPath = new Map<string, number>(); // name → index in path
    for (const rootName of names) {
      if (state.has(rootName)) continue;
      const frames: { name: string; deps: string[]; next: number }[] = [];
      const enter = (name: string): void => {
        state.set(name, "visiting");
        onPath.set(name, path.length);
        path.push(name);
        // a library whose entry the schema rejected has no linkOrder to follow
        frames.push({ name, deps: (isMapping(this.raw.libraries?.[name]) ? this.raw.libraries[name]!.linkOrder : undefined) ?? [], next: 0 });
      };
      enter(rootName);
      while (frames.length > 0) {
        const f = frames[frames.length - 1]!;
        if (f.next < f.deps.length) {
          const i = f.next++;
          const dep = f.deps[i];
          if (dep === undefined || dep === f.name || !this.nameSet.has(dep) || f.deps.indexOf(dep) !== i) continue; // reported in library()
          const s = state.get(dep);
          if (s === "visiting") {
            const cycle = [...path.slice(onPath.get(dep)), dep];
            const id = [...new Set(cycle)].sort().join(",");
            if (!reported.has(id)) {
              reported.add(id);
              this.error(`linkOrder cycle: ${cycle.join(" -> ")}`, this.at.at(["libraries", f.name, "linkOrder", i]));
            }
          } else if (s === undefined) enter(dep);
          continue;
        }
        frames.pop();
        path.pop();
        onPath.delete(f.name);
        state.set(f.name, "done");
        order.push(f.name);
      }
    }
    return order;
  }
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function mergeDefines(into: Map<string, string | true>, defines: Record<string, DefineValue> | undefined): void {
  for (const [k, v] of Object.entries(defines ?? {})) {
    if (v === false) into.delete(k);
    else into.set(k, v === true ? true : String(v));
  }
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

// realpath(3) directly where there is one: one syscall instead of an lstat per path component.
const realpathOnce = process.platform === "win32" ? realpathSync : realpathSync.native;

function safeRealpath(file: string, memo?: Map<string, string | undefined>): string | undefined {
  if (memo?.has(file)) return memo.get(file);
  let real: string | undefined;
  try {
    real = realpathOnce(file);
  } catch {
    real = undefined;
  }
  memo?.set(file, real);
  return real;
}
