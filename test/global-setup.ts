// Runs once per test project that has files to run, before them: prepares what the project
// needs (test/projects.ts) — the addon must be built, the C/C++ fixtures compiled
// (test/fixtures → test/.fixtures) with clang-22 and gcc. The `unit` project needs neither,
// so it runs on a machine with no LLVM and no compiler.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { buildFixtures } from "./helpers/fixtures.js";
import { PROJECTS } from "./projects.js";

export default async function setup(project: TestProject): Promise<void> {
  const spec = PROJECTS.find((p) => p.name === project.name);
  if (!spec) throw new Error(`test/global-setup.ts: project '${project.name}' is not listed in test/projects.ts`);
  if (spec.needs.addon) {
    const addon = fileURLToPath(new URL("../build/Release/tvm_ffi_orcjit.node", import.meta.url));
    if (!process.env.ORCJIT_ADDON_PATH && !existsSync(addon)) {
      throw new Error(`native addon not built (${addon}): run 'npm run build:native' or 'bash scripts/setup.sh'`);
    }
  }
  if (spec.needs.fixtures) await buildFixtures();
}
