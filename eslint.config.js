// ESLint (flat config): typescript-eslint's syntax-only rules (no type information, so
// `npm run lint` stays fast) plus the import boundaries that keep the layers of
// docs/architecture.md:
//
//   cli → public API (src/index.ts, src/internals.ts) → watch → project
//       → {manifest, compiler, jit, values, module} → {cache, native} → {util, errors, types}
//
// Each rule below is "files in layer X may not import layer Y", written with ESLint's
// built-in no-restricted-imports on the relative import string. Sources only import each
// other with relative paths, so the string names the layer it reaches.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const LAYERS = ["cache", "cli", "compiler", "jit", "manifest", "module", "native", "project", "util", "values", "watch"];

/** A no-restricted-imports pattern: any relative import that climbs into one of `layers`. */
function into(layers, why) {
  return { regex: `^(\\.\\./)+(${layers.join("|")})(/|$)`, message: why };
}

/** Files of one layer may not import the listed layers. */
function layer(name, forbidden, why) {
  const others = forbidden.filter((l) => l !== "cli"); // the CLI has its own message below
  return {
    files: [`src/${name}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...(others.length ? [into(others, `${why} (docs/architecture.md#layers)`)] : []),
            into(["cli"], "nothing imports the CLI: it sits on top of the public API (docs/architecture.md#layers)"),
            { regex: "^(\\.\\./)+index\\.js$", message: "only the CLI imports the public API barrel; import the module you need (docs/architecture.md#layers)" },
          ],
        },
      ],
    },
  };
}

const TOP = ["cli", "watch", "project"];

export default tseslint.config(
  { ignores: ["dist/**", "build/**", "node_modules/**", "test/.fixtures/**", "bench/**", "fuzz/**", "npm/**", "scripts/**", "templates/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Unused bindings are errors, but a leading underscore marks "intentionally unused".
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Every eslint-disable must say why (`-- reason`) and must still be needed.
      "no-warning-comments": "off",
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  // Layers, bottom up. "Above" layers are always forbidden; peers are forbidden where an
  // import would create a cycle or mix concerns (compiler/manifest never touch the JIT).
  layer("util", LAYERS.filter((l) => l !== "util"), "util is the bottom layer"),
  layer("native", LAYERS.filter((l) => !["native", "util"].includes(l)), "the native binding only loads the addon"),
  layer("cache", LAYERS.filter((l) => !["cache", "util"].includes(l)), "the cache imports nothing above it"),
  layer("manifest", [...TOP, "compiler", "jit", "native", "values", "module", "cache"], "manifest parsing never compiles, links or loads the addon"),
  layer("compiler", [...TOP, "manifest", "jit", "native", "values", "module"], "the compiler never imports the JIT or the native binding"),
  layer("values", [...TOP, "manifest", "compiler", "jit", "module", "cache"], "values sit under the JIT"),
  layer("jit", [...TOP, "manifest", "compiler", "module", "cache"], "the JIT never imports the compiler"),
  layer("module", [...TOP, "manifest", "compiler", "cache"], "modules only load and call"),
  layer("project", ["cli", "watch"], "project is below watch"),
  layer("watch", ["cli"], "watch is below the public API"),
  {
    files: ["src/errors.ts", "src/types.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^\\./(?!types\\.js$)", message: "errors.ts and types.ts are shared leaves: they import nothing but each other" }] }],
    },
  },
  {
    files: ["src/index.ts", "src/internals.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^\\./cli(/|$)", message: "nothing imports the CLI" }] }],
    },
  },
  // The CLI uses only what a user can import (the package root and its documented subpaths), plus
// src/util, the leaf layer of helpers with no project concepts (e.g. util/package-root.ts).
  {
    files: ["src/cli/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^\\.\\./(?!index\\.js$|internals\\.js$|util/)", message: "the CLI imports only the public API (../index.js, ../internals.js) and the leaf helpers in ../util/ (docs/architecture.md#layers)" }] },
      ],
    },
  },
  {
    files: ["src/cli/commands/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^\\.\\./\\.\\./(?!index\\.js$|internals\\.js$|util/)", message: "the CLI imports only the public API (../../index.js, ../../internals.js) and the leaf helpers in ../../util/ (docs/architecture.md#layers)" }] },
      ],
    },
  },
  // Tests may reach into any layer (that is what unit tests are for).
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
