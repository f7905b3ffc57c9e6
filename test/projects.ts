// The test projects (vitest.config.ts): which test files need what. A file belongs to the
// FIRST project whose globs match it; `other` is the catch-all, so a new test directory
// runs (with the addon and fixtures ready) before anyone files it under a project.
// test/arch/projects.test.ts checks that every test file lands in exactly one project.

/** What a project's global setup prepares (test/global-setup.ts). */
export interface Needs {
  /** The native addon must be built (build/Release or ORCJIT_ADDON_PATH). */
  addon: boolean;
  /** The C/C++ fixtures under test/fixtures are compiled to test/.fixtures. */
  fixtures: boolean;
}

export interface ProjectSpec {
  name: string;
  /** Globs relative to the repository root. */
  include: string[];
  needs: Needs;
}

export const PROJECTS: ProjectSpec[] = [
  {
    // No addon, no compiler, no LLVM: parsing, command lines, layering. `npm run test:unit`.
    name: "unit",
    include: [
      "test/arch/**/*.test.ts",
      "test/manifest/**/*.test.ts",
      "test/compiler/commands.test.ts",
      "test/cache/key.test.ts",
      "test/cache/stamp-rules.test.ts",
      "test/cache/paths.test.ts",
      "test/cache/store.test.ts",
      "test/cli/run-args.test.ts",
      "test/cli/progress.test.ts",
      "test/package/schema-ref.test.ts",
      "test/bench/harness.test.ts",
    ],
    needs: { addon: false, fixtures: false },
  },
  {
    // Real compilers (clang-22, gcc) and the object cache.
    name: "toolchain",
    include: ["test/compiler/**/*.test.ts", "test/cache/**/*.test.ts", "test/runtime/**/*.test.ts"],
    needs: { addon: true, fixtures: false },
  },
  {
    // The addon and the JIT: linking, calling, values, types, inline modules, projects.
    name: "native",
    include: [
      "test/jit/**/*.test.ts",
      "test/values/**/*.test.ts",
      "test/types/**/*.test.ts",
      "test/inline/**/*.test.ts",
      "test/project/**/*.test.ts",
      "test/headers/**/*.test.ts",
      "test/module/**/*.test.ts",
      "test/async/**/*.test.ts",
    ],
    needs: { addon: true, fixtures: true },
  },
  {
    name: "watch",
    include: ["test/watch/**/*.test.ts", "test/cli/watch.test.ts"],
    needs: { addon: true, fixtures: false },
  },
  {
    // Attacks, faults, fuzz and sanitizer runs in child processes.
    name: "reliability",
    include: ["test/reliability/**/*.test.ts", "test/crash/**/*.test.ts"],
    needs: { addon: true, fixtures: true },
  },
  {
    // Catch-all: the CLI end to end, docs, examples, packaging, and any directory not listed above.
    name: "other",
    include: ["test/**/*.test.ts"],
    needs: { addon: true, fixtures: true },
  },
];

/** The globs a project must skip: everything claimed by the projects before it. */
export function excludesOf(index: number): string[] {
  return PROJECTS.slice(0, index).flatMap((p) => p.include);
}
