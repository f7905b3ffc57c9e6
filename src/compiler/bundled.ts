// The header tree shipped with the package (native/include) and the toolkit version: both go
// into every cache key. Each is computed once per process.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sha256Tree } from "../util/hash.js";

/** Bumped when generated code or flags change in a way the other key fields do not capture. */
export const TOOLKIT_ABI_VERSION = 1;

// src/compiler/*.ts and dist/compiler/*.js are both two levels below the package root.
const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/** native/include of this package ($ORCJIT_INCLUDE_DIR overrides, for development). */
export function bundledIncludeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ORCJIT_INCLUDE_DIR ?? fileURLToPath(new URL("../../native/include", import.meta.url));
}

let toolkitVersion: string | undefined;
/** "<package version>/abi<N>". */
export function toolkitId(): string {
  if (!toolkitVersion) {
    let v = "unknown";
    try {
      v = (JSON.parse(readFileSync(`${packageRoot}package.json`, "utf8")) as { version?: string }).version ?? v;
    } catch {
      // running from an unusual layout: the ABI number still guards the key
    }
    toolkitVersion = `${v}/abi${TOOLKIT_ABI_VERSION}`;
  }
  return toolkitVersion;
}

const treeHashes = new Map<string, Promise<string>>();
/** sha256 of the bundled header tree (paths + contents), once per process per directory. */
export function bundledHeaderHash(dir: string): Promise<string> {
  let p = treeHashes.get(dir);
  if (!p) {
    p = sha256Tree(dir);
    treeHashes.set(dir, p);
  }
  return p;
}
