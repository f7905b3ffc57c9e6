// The package as a user gets it: `npm run package` writes the tarballs, a fresh project in the
// system temp directory (outside the repository, so the repository's build/ and node_modules
// are unreachable) installs them with npm (third-party dependencies come from the registry or
// npm's cache; the platform package from its tarball through an override, until it is
// published), and then:
//   1. a strict TypeScript program (skipLibCheck: false) compiles against the shipped .d.ts
//      and runs loadInline + a call, with the addon from the platform package;
//   2. npx orcjit doctor / init / build / run work;
//   3. with the platform package left out (--omit=optional) the first use throws the
//      NativeLoadError that names `npx orcjit build-addon`, which then builds the addon from
//      the shipped sources (LLVM linked statically: the slow step, once).
// One project is shared by all steps. Install time, installed size and the first import's
// time are written to artifacts/consumer-measurements.json (and printed).
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";

const TEN_MINUTES = 600_000;
let project = "";
let tarballs: { main: string; platform: string };
const measurements: Record<string, unknown> = {};

/** Environment of a user's shell: no addon override, no npm settings inherited from `npm test`. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("npm_") || k.startsWith("ORCJIT_") || k === "INIT_CWD" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return { ...env, ORCJIT_CACHE_DIR: path.join(project, ".orcjit-cache"), CI: "1", NO_COLOR: "1", ...extra };
}

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: opts.cwd ?? project, env: opts.env ?? userEnv(), encoding: "utf8", timeout: opts.timeout ?? TEN_MINUTES });
}

function ok(r: SpawnSyncReturns<string>): string {
  if (r.status !== 0) throw new Error(`exit ${String(r.status ?? r.signal)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

function npm(args: string[]): { out: string; ms: number } {
  const t = performance.now();
  const out = ok(sh("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"]));
  return { out, ms: Math.round(performance.now() - t) };
}

const duBytes = (p: string): number => Number(execFileSync("du", ["-sb", p], { encoding: "utf8" }).split("\t")[0]);
const tarList = (f: string): string[] => execFileSync("tar", ["tzf", f], { encoding: "utf8" }).trim().split("\n");

const CONSUMER_TS = `import { loadInline, nativeInfo, NativeLoadError, type NativeInfo } from "tvm-ffi-orcjit";
import { toolkitId, type CommandPlan } from "tvm-ffi-orcjit/internals";

// the documented subpath for tooling resolves, with its typings
const plan: CommandPlan | undefined = undefined;
void plan;
if (typeof toolkitId !== "function") throw new Error("tvm-ffi-orcjit/internals: toolkitId missing");

try {
  const mod = await loadInline({
    name: "consumer_add",
    cppSources: "int64_t add(int64_t a, int64_t b) { return a + b; }",
    functions: ["add"],
  });
  const info: NativeInfo = nativeInfo();
  const sum: unknown = mod.add(40, 2);
  console.log(JSON.stringify({ sum, addonPath: info.addonPath, addonSource: info.addonSource }));
} catch (e) {
  if (e instanceof NativeLoadError) {
    console.error(\`\${e.name} [\${e.code}]: \${e.message}\`);
    process.exit(3);
  }
  throw e;
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "ESNext.Disposable"],
    types: ["node"],
    strict: true,
    skipLibCheck: false,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
  },
  files: ["main.ts"],
};

beforeAll(() => {
  ensureBuilt();
  // one packer at a time (artifacts/ is shared with a developer's `npm run package`)
  const out = ok(spawnSync("flock", ["/tmp/tvm-ffi-orcjit-package.lock", process.execPath, path.join(repoRoot, "scripts/package.mjs")], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: TEN_MINUTES,
  }));
  const files = out.trim().split("\n");
  tarballs = { main: files.find((f) => /tvm-ffi-orcjit-\d/.test(path.basename(f)))!, platform: files.find((f) => f.includes("linux-x64-gnu"))! };
  const pkgs = JSON.parse(readFileSync(path.join(repoRoot, "artifacts/packages.json"), "utf8")) as { tarballs: { file: string; size: number; unpackedSize: number }[]; glibc: string };
  measurements.tarballs = pkgs.tarballs.map((t) => ({ file: t.file, packedBytes: t.size, unpackedBytes: t.unpackedSize }));
  measurements.minimumGlibc = pkgs.glibc;

  project = realpathSync(mkdtempSync(path.join(tmpdir(), "orcjit-consumer-")));
  expect(path.relative(repoRoot, project).startsWith("..")).toBe(true);
  // The platform package is not on the registry yet: an override stands in for it, so the
  // user installs the main package only and npm resolves the optional dependency as it will.
  const overrides = { "@tvm-ffi-orcjit/linux-x64-gnu": `file:${tarballs.platform}` };
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module", overrides }, null, 2));
  const install = npm(["install", tarballs.main]);
  measurements.installMs = install.ms;
  measurements.installedBytes = duBytes(path.join(project, "node_modules"));
  measurements.installedPackages = Number(ok(sh("npm", ["ls", "--all", "--parseable"])).trim().split("\n").length - 1);
  // the consumer's own tools, as any TypeScript project has them
  const ts = JSON.parse(readFileSync(path.join(repoRoot, "node_modules/typescript/package.json"), "utf8")) as { version: string };
  const types = JSON.parse(readFileSync(path.join(repoRoot, "node_modules/@types/node/package.json"), "utf8")) as { version: string };
  npm(["install", "--save-dev", `typescript@${ts.version}`, `@types/node@${types.version}`]);
}, TEN_MINUTES);

afterAll(() => {
  if (Object.keys(measurements).length > 0) {
    mkdirSync(path.join(repoRoot, "artifacts"), { recursive: true });
    writeFileSync(path.join(repoRoot, "artifacts/consumer-measurements.json"), `${JSON.stringify(measurements, null, 2)}\n`);
    console.log(`consumer measurements: ${JSON.stringify(measurements)}`);
  }
  if (project) rmSync(project, { recursive: true, force: true });
});

describe.sequential("npm install of the packed tarballs in a fresh project", () => {
  it("the tarballs hold only what a user needs (allow-list)", () => {
    const main = tarList(tarballs.main);
    const allowed = [
      /^package\/(package\.json|README\.md|CMakeLists\.txt)$/,
      /^package\/dist\/.+\.(js|cjs|d\.ts)$/,
      /^package\/native\/(include|src)\/.+\.(h|hpp|cc|c)$/,
      /^package\/schema\/[\w.-]+\.json$/,
      /^package\/templates\/[\w-]+\/.+$/,
    ];
    expect(main.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
    // dist/bundle/: the package entry, the bin and the detached PCH builder (scripts/bundle.mjs)
    for (const needed of ["package/CMakeLists.txt", "package/dist/bundle/index.js", "package/dist/bundle/index.cjs", "package/dist/bundle/api.cjs", "package/dist/bundle/cli.js", "package/dist/bundle/pch-worker.js", "package/dist/index.d.ts", "package/dist/internals.d.ts", "package/dist/bundle/internals.js", "package/native/src/addon.cc", "package/schema/manifest.schema.json"]) {
      expect(main).toContain(needed);
    }
    expect(main.some((f) => /\/(test|bench|fuzz|build|artifacts|node_modules|\.orcjit-cache)\//.test(f))).toBe(false);
    expect(tarList(tarballs.platform).sort()).toEqual(["package/README.md", "package/package.json", "package/tvm_ffi_orcjit.node"]);
    const pkg = JSON.parse(execFileSync("tar", ["xzOf", tarballs.main, "package/package.json"], { encoding: "utf8" })) as { version: string; optionalDependencies: Record<string, string> };
    expect(pkg.optionalDependencies).toEqual({ "@tvm-ffi-orcjit/linux-x64-gnu": pkg.version });
    expect(pkg).not.toHaveProperty("scripts"); // nothing runs at install time
    expect(pkg).not.toHaveProperty("devDependencies");
    const plat = JSON.parse(execFileSync("tar", ["xzOf", tarballs.platform, "package/package.json"], { encoding: "utf8" })) as Record<string, unknown>;
    expect(plat).toMatchObject({ name: "@tvm-ffi-orcjit/linux-x64-gnu", version: pkg.version, os: ["linux"], cpu: ["x64"], libc: ["glibc"] });
  });

  it("the prebuilt addon needs only glibc, libstdc++, libgcc_s and libm", () => {
    const addon = path.join(project, "node_modules/@tvm-ffi-orcjit/linux-x64-gnu/tvm_ffi_orcjit.node");
    const needed = [...execFileSync("readelf", ["-d", addon], { encoding: "utf8" }).matchAll(/\(NEEDED\).*\[([^\]]+)\]/g)].map((m) => m[1]).sort();
    expect(needed).toEqual(["ld-linux-x86-64.so.2", "libc.so.6", "libgcc_s.so.1", "libm.so.6", "libstdc++.so.6"]);
    expect(execFileSync("readelf", ["-S", "-W", addon], { encoding: "utf8" })).not.toMatch(/\.symtab|\.debug_info/);
    // the minimum glibc the README states is the one the addon's symbol versions need
    expect(readFileSync(path.join(repoRoot, "README.md"), "utf8")).toContain(`glibc ≥ ${String(measurements.minimumGlibc)} (`);
  });

  it("a strict TypeScript program (skipLibCheck: false) compiles and runs loadInline from the platform package", () => {
    writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(path.join(project, "main.ts"), CONSUMER_TS);
    ok(sh(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."]));
    const r = JSON.parse(ok(sh(process.execPath, ["main.js"]))) as { sum: unknown; addonPath: string; addonSource: string };
    expect(r.sum).toBe(42);
    expect(r.addonSource).toBe("platform package");
    expect(r.addonPath).toBe(path.join(project, "node_modules/@tvm-ffi-orcjit/linux-x64-gnu/tvm_ffi_orcjit.node"));
    // time of the first import of the package in a fresh process (ESM graph + no addon yet)
    const t = ok(sh(process.execPath, ["--input-type=module", "-e",
      "const t = performance.now(); const m = await import('tvm-ffi-orcjit'); const a = performance.now(); m.nativeInfo(); " +
      "console.log(JSON.stringify({ importMs: a - t, addonMs: performance.now() - a }))"]));
    const times = JSON.parse(t) as { importMs: number; addonMs: number };
    measurements.firstImportMs = Math.round(times.importMs);
    measurements.firstAddonLoadMs = Math.round(times.addonMs);
  });

  it("a strict CommonJS TypeScript program require()s the installed package: loadInline and instanceof on its classes", () => {
    // a .cts file compiles to CommonJS (the consumer project is "type": "module"); its import
    // becomes require(), which takes the "require" condition of "." (dist/bundle/index.cjs)
    // and the shared typings (module: nodenext)
    writeFileSync(path.join(project, "tsconfig.cjs.json"), JSON.stringify({ ...TSCONFIG, files: ["main-cjs.cts"] }, null, 2));
    writeFileSync(path.join(project, "main-cjs.cts"), `import { Device, loadInline, nativeInfo } from "tvm-ffi-orcjit";
loadInline({ name: "consumer_cjs_add", cppSources: "int64_t add(int64_t a, int64_t b) { return a + b; }", functions: ["add"] })
  .then((mod) => {
    const sum: unknown = mod.add(40, 2);
    console.log(JSON.stringify({ sum: String(sum), file: require.resolve("tvm-ffi-orcjit"), device: Device.cpu() instanceof Device, addonSource: nativeInfo().addonSource }));
  })
  .catch((e: unknown) => { console.error(e); process.exit(1); });
`);
    ok(sh(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.cjs.json"]));
    expect(readFileSync(path.join(project, "main-cjs.cjs"), "utf8")).toContain('require("tvm-ffi-orcjit")');
    const r = JSON.parse(ok(sh(process.execPath, ["main-cjs.cjs"]))) as Record<string, unknown>;
    expect(r).toEqual({ sum: "42", file: path.join(project, "node_modules/tvm-ffi-orcjit/dist/bundle/index.cjs"), device: true, addonSource: "platform package" });
  });

  it("npx orcjit doctor, init, build, run", () => {
    const doctor = ok(sh("npx", ["orcjit", "doctor"]));
    expect(doctor).toContain(`addon       ${path.join(project, "node_modules/@tvm-ffi-orcjit/linux-x64-gnu/tvm_ffi_orcjit.node")} (platform package)`);
    expect(doctor).toMatch(/jit {9}addon loads; LLVM 22\./);
    ok(sh("npx", ["orcjit", "init", "hello"]));
    const hello = path.join(project, "hello");
    const manifest = readFileSync(path.join(hello, "orcjit.yaml"), "utf8");
    const schema = /\$schema=(\S+)/.exec(manifest)![1]!;
    expect(schema).toBe("../node_modules/tvm-ffi-orcjit/schema/manifest.schema.json");
    expect(existsSync(path.resolve(hello, schema))).toBe(true);
    ok(sh("npx", ["orcjit", "build"], { cwd: hello }));
    expect(ok(sh("npx", ["orcjit", "run", "hello.add", "1", "2"], { cwd: hello })).trim()).toBe("3");
  });

  it("without the platform package: a NativeLoadError naming the fix, then npx orcjit build-addon builds it", () => {
    npm(["install", "--omit=optional"]);
    expect(existsSync(path.join(project, "node_modules/@tvm-ffi-orcjit/linux-x64-gnu"))).toBe(false);
    const failed = sh(process.execPath, ["main.js"]);
    expect(failed.signal).toBeNull();
    expect(failed.status).toBe(3);
    expect(failed.stderr).toContain("NativeLoadError [ORCJIT_NATIVE_LOAD]: tvm-ffi-orcjit native addon not found for linux-x64-gnu");
    expect(failed.stderr).toContain("@tvm-ffi-orcjit/linux-x64-gnu (not installed)");
    expect(failed.stderr).toContain("npx orcjit build-addon");
    expect(ok(sh("npx", ["orcjit", "doctor"]))).toMatch(/jit {9}not loadable: .*npx orcjit build-addon/);

    // a broken platform package (here: truncated) is named with its fix, and is no crash
    const platformDir = path.join(project, "node_modules/@tvm-ffi-orcjit/linux-x64-gnu");
    const brokenPlatform = () => {
      mkdirSync(platformDir, { recursive: true });
      writeFileSync(path.join(platformDir, "package.json"), JSON.stringify({ name: "@tvm-ffi-orcjit/linux-x64-gnu", version: "0.1.0" }));
      writeFileSync(path.join(platformDir, "tvm_ffi_orcjit.node"), readFileSync(path.join(repoRoot, "build/Release/tvm_ffi_orcjit.node")).subarray(0, 100_000));
    };
    brokenPlatform();
    const broken = sh(process.execPath, ["main.js"]);
    expect(broken.signal).toBeNull();
    expect(broken.status).toBe(3);
    expect(broken.stderr).toContain(`'${path.join(platformDir, "tvm_ffi_orcjit.node")}' (platform package): truncated`);
    expect(broken.stderr).toContain("npx orcjit build-addon");
    rmSync(path.join(project, "node_modules/@tvm-ffi-orcjit"), { recursive: true });

    // the source build, from the files the main tarball shipped (ccache, when present, only
    // makes a re-run of this test faster; the build is the same)
    const extra: Record<string, string> = spawnSync("ccache", ["--version"]).status === 0
      ? { CMAKE_CXX_COMPILER_LAUNCHER: "ccache", CCACHE_BASEDIR: project }
      : {};
    const t = performance.now();
    const built = ok(sh("npx", ["orcjit", "build-addon"], { env: userEnv(extra) }));
    measurements.buildAddonMs = Math.round(performance.now() - t);
    const addon = path.join(project, "node_modules/tvm-ffi-orcjit/build/Release/tvm_ffi_orcjit.node");
    expect(built).toContain(`built ${addon}`);
    expect(built).toContain(`the JIT loads ${addon}`);
    const r = JSON.parse(ok(sh(process.execPath, ["main.js"]))) as { sum: unknown; addonPath: string; addonSource: string };
    expect(r).toEqual({ sum: 42, addonPath: addon, addonSource: "source build" });
    expect(ok(sh("npx", ["orcjit", "doctor"]))).toContain(`addon       ${addon} (source build)`);
    // the source build also serves when a platform package is there but cannot load
    brokenPlatform();
    expect(JSON.parse(ok(sh(process.execPath, ["main.js"])))).toEqual({ sum: 42, addonPath: addon, addonSource: "source build" });
  }, TEN_MINUTES);
});
