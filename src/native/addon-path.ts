// Where the native addon comes from, in one documented order (README "Install"):
//   1. ORCJIT_ADDON_PATH (a .node file; when set, nothing else is tried)
//   2. a local build of this repository (<checkout>/build/Release), for development
//   3. the platform package (@tvm-ffi-orcjit/<platform>, an optionalDependency)
//   4. a source build inside the installed package (`npx orcjit build-addon`)
//   5. a NativeLoadError naming the platform, what was tried and the command that fixes it.
// A candidate that exists but cannot load falls through to the next (src/native/binding.ts).
// 2 and 4 are the same directory (<package>/build/Release); which one applies depends on
// whether the package sits in a node_modules folder (installed) or not (a checkout).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const ADDON_FILE = "tvm_ffi_orcjit.node";

/** Platforms with a prebuilt platform package (os-cpu-libc). */
export const PREBUILT_PLATFORMS: readonly string[] = ["linux-x64-gnu"];

export type AddonSource = "ORCJIT_ADDON_PATH" | "local build" | "platform package" | "source build";

export interface AddonCandidate {
  path: string;
  source: AddonSource;
}

/** Path of the package root (works from src/ under vitest and from dist/ when built). */
export function packageRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url));
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** True when this package was installed by a package manager (it sits in node_modules). */
export function isInstalledPackage(root = packageRoot()): boolean {
  return root.split(/[\\/]/).includes("node_modules");
}

/** os-cpu-libc of this process, e.g. "linux-x64-gnu" (libc only on Linux). */
export function platformKey(platform: string = process.platform, arch: string = process.arch): string {
  if (platform !== "linux") return `${platform}-${arch}`;
  // musl systems have their dynamic loader at /lib/ld-musl-<arch>.so.1; one stat, no report
  const muslArch = arch === "x64" ? "x86_64" : arch === "arm64" ? "aarch64" : arch;
  const libc = platform === process.platform && existsSync(`/lib/ld-musl-${muslArch}.so.1`) ? "musl" : "gnu";
  return `${platform}-${arch}-${libc}`;
}

/** npm name of the platform package for `key`. */
export function platformPackageName(key = platformKey()): string {
  return `@tvm-ffi-orcjit/${key}`;
}

/** The platform package's addon, or undefined when the package is not installed. */
function platformPackageAddon(key: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve(`${platformPackageName(key)}/package.json`);
    return path.join(path.dirname(pkg), ADDON_FILE);
  } catch {
    return undefined;
  }
}

/**
 * Candidate addons in lookup order (whether or not they exist), produced one at a time: the
 * platform package is resolved (a walk through node_modules, 1–5 ms) only when the loader gets
 * that far, i.e. not in a checkout whose local build loads (src/native/binding.ts).
 */
export function* addonCandidatesInOrder(): Generator<AddonCandidate> {
  const env = process.env.ORCJIT_ADDON_PATH;
  if (env) {
    yield { path: path.resolve(env), source: "ORCJIT_ADDON_PATH" };
    return;
  }
  const root = packageRoot();
  const build = path.join(root, "build", "Release", ADDON_FILE);
  const installed = isInstalledPackage(root);
  if (!installed) yield { path: build, source: "local build" };
  const key = platformKey();
  const fromPackage = platformPackageAddon(key);
  yield { path: fromPackage ?? `${platformPackageName(key)} (not installed)`, source: "platform package" };
  if (installed) yield { path: build, source: "source build" };
}

/** Candidate addons in lookup order (whether or not they exist). */
export function addonCandidateList(): AddonCandidate[] {
  return [...addonCandidatesInOrder()];
}

/** The command that fixes a missing or broken addon from `source` (one line, for messages). */
export function addonFix(source: AddonSource | "none"): string {
  const key = platformKey();
  switch (source) {
    case "ORCJIT_ADDON_PATH":
      return `point ORCJIT_ADDON_PATH at a working ${ADDON_FILE} (built by 'npx orcjit build-addon'), or unset it`;
    case "local build":
      return "rebuild it with 'npm run build:native' (or 'bash scripts/setup.sh')";
    case "platform package":
      return `reinstall the platform package: 'npm install ${platformPackageName(key)}@${packageVersion()}', ` +
        "or build from source with 'npx orcjit build-addon' (used when the platform package cannot load)";
    case "source build":
      return "rebuild it with 'npx orcjit build-addon'";
    case "none":
      break;
  }
  if (!isInstalledPackage()) return "build it with 'npm run build:native' (or 'bash scripts/setup.sh')";
  if (PREBUILT_PLATFORMS.includes(key)) {
    return `install the platform package (it is an optional dependency: do not omit optional dependencies): ` +
      `'npm install ${platformPackageName(key)}@${packageVersion()}', or build from source with 'npx orcjit build-addon'`;
  }
  return `build it from source with 'npx orcjit build-addon' (needs LLVM 22; ${key} is untested)`;
}

/**
 * Why this platform cannot run the JIT at all, or undefined. The JIT loads ELF objects and
 * calls them with the System V ABI, so only Linux can work.
 */
export function unsupportedPlatform(platform: string = process.platform, arch: string = process.arch): string | undefined {
  if (platform === "linux") return undefined;
  return `tvm-ffi-orcjit does not support ${platform}-${arch} yet: its JIT loads ELF objects, which only Linux runs ` +
    `(prebuilt for ${PREBUILT_PLATFORMS.join(", ")}; see "Platforms" in the README). ` +
    "Fix: run it on Linux x86-64 (glibc), e.g. in a container or WSL 2";
}
