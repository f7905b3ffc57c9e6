// Runs once before all test files: makes sure the addon is built and compiles the C/C++
// fixtures (test/fixtures → test/.fixtures) with clang-22 and gcc.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildFixtures } from "./helpers/fixtures.js";

export default async function setup(): Promise<void> {
  const addon = fileURLToPath(new URL("../build/Release/tvm_ffi_orcjit.node", import.meta.url));
  if (!process.env.ORCJIT_ADDON_PATH && !existsSync(addon)) {
    throw new Error(`native addon not built (${addon}): run 'npm run build:native' or 'bash scripts/setup.sh'`);
  }
  await buildFixtures();
}
