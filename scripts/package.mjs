#!/usr/bin/env node
// npm run package: writes every tarball a user installs into artifacts/:
//   tvm-ffi-orcjit-<v>.tgz                 the main package (TypeScript build + native sources)
//   tvm-ffi-orcjit-<platform>-<v>.tgz      the platform package with the prebuilt addon
// from the already-built addon (building it if missing) and the TypeScript build (rebuilt
// when src/ is newer). Also writes artifacts/packages.json (names, sizes, minimum glibc).
//
// The main package's optionalDependencies on the platform packages are added here, in the
// staged copy, not in the repository's package.json: npm ci fails on an optional dependency
// that the registry does not have yet, and the repository must install before publishing.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const out = path.join(root, "artifacts");
const stage = path.join(out, ".stage");
const addon = path.join(root, "build/Release/tvm_ffi_orcjit.node");
// What the prebuilt addon may need at run time (README "Platforms").
const ALLOWED_NEEDED = new Set(["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"]);

const log = (m) => process.stderr.write(`package: ${m}\n`);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], ...opts });
const readJson = (f) => JSON.parse(readFileSync(f, "utf8"));

const main = readJson(path.join(root, "package.json"));

// 1. TypeScript build (serialised with the test suite's rebuilds of dist/)
const buildDist = path.join(root, "test/cli/build-dist.mjs");
if (existsSync(buildDist)) run("flock", ["/tmp/tvm-ffi-orcjit-tsbuild.lock", process.execPath, buildDist]);
else run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"]);

// 2. The addon: build it if missing, then check it is a Release build with only allowed libraries
if (!existsSync(addon)) {
  log("build/Release/tvm_ffi_orcjit.node is missing: npm run build:native");
  run("npm", ["run", "build:native"], { stdio: ["ignore", "inherit", "inherit"] });
}
const needed = [...run("readelf", ["-d", addon]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
const extra = needed.filter((n) => !ALLOWED_NEEDED.has(n));
if (extra.length) {
  throw new Error(`${addon} needs ${extra.join(", ")} at run time; the prebuilt addon may only need ${[...ALLOWED_NEEDED].join(", ")} ` +
    "(install zlib1g-dev and libzstd-dev so CMake links them statically, then npm run build:native)");
}
const glibc = [...run("readelf", ["--dyn-syms", "-W", addon]).matchAll(/@GLIBC_(\d+)\.(\d+)/g)]
  .map((m) => [Number(m[1]), Number(m[2])])
  .reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a), [0, 0])
  .join(".");
const info = JSON.parse(run(process.execPath, ["-e", `process.stdout.write(JSON.stringify(require(${JSON.stringify(addon)}).nativeInfo()))`]));
if (info.buildType !== "Release" || info.sanitize) {
  throw new Error(`${addon} is a ${info.buildType}${info.sanitize ? " sanitizer" : ""} build; package a Release build (npm run build:native)`);
}

// 3. Stage and pack
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const pack = (dir) => {
  const [r] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", out], { cwd: dir }));
  log(`${r.filename}: ${(r.size / 1e6).toFixed(2)} MB packed, ${(r.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${r.entryCount} files`);
  return { name: r.name, version: r.version, file: r.filename, size: r.size, unpackedSize: r.unpackedSize, files: r.entryCount };
};

const results = [];
const optional = {};
const platforms = readdirSync(path.join(root, "npm"));
// os-cpu-libc of this machine, as src/native/addon-path.ts computes it
const muslArch = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : process.arch;
const hostKey = `${process.platform}-${process.arch}-${existsSync(`/lib/ld-musl-${muslArch}.so.1`) ? "musl" : "gnu"}`;
if (!platforms.includes(hostKey)) throw new Error(`no platform package folder npm/${hostKey}/ for this machine (have: ${platforms.join(", ")})`);
for (const key of platforms) {
  const pkg = readJson(path.join(root, "npm", key, "package.json"));
  if (pkg.version !== main.version) {
    throw new Error(`npm/${key}/package.json has version ${pkg.version}, the main package ${main.version}: they must match exactly`);
  }
  optional[pkg.name] = main.version;
  if (key !== hostKey) {
    log(`skipping ${pkg.name}: it can only be packaged on ${key}`);
    continue;
  }
  const dir = path.join(stage, key);
  cpSync(path.join(root, "npm", key), dir, { recursive: true });
  cpSync(addon, path.join(dir, "tvm_ffi_orcjit.node"));
  results.push(pack(dir));
}

const mainDir = path.join(stage, "main");
mkdirSync(mainDir);
for (const f of [...main.files.filter((f) => !f.startsWith("!")), "README.md"]) {
  cpSync(path.join(root, f), path.join(mainDir, f), { recursive: true });
}
// Published without the repository's scripts (nothing runs at install time; inside
// node_modules the addon is built with `npx orcjit build-addon`) and dev dependencies.
const { scripts: _scripts, devDependencies: _dev, ...published } = main;
writeFileSync(path.join(mainDir, "package.json"), `${JSON.stringify({ ...published, optionalDependencies: optional }, null, 2)}\n`);
results.unshift(pack(mainDir));
rmSync(stage, { recursive: true, force: true });

writeFileSync(path.join(out, "packages.json"), `${JSON.stringify({ glibc, needed, addonBytes: readFileSync(addon).length, tarballs: results }, null, 2)}\n`);
log(`addon: ${(readFileSync(addon).length / 1e6).toFixed(1)} MB, needs glibc >= ${glibc} and ${needed.join(", ")}`);
process.stdout.write(`${results.map((r) => path.join(out, r.file)).join("\n")}\n`);
