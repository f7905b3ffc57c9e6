// The parsing libraries manifests need, loaded on first use: importing the package must not
// pay for yaml (≈20–40 ms) and ajv (≈50–100 ms) when no manifest is read (loadInline, the JIT
// API). Both are CommonJS packages, so a synchronous require keeps parseManifest synchronous.
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type Ajv2020Module from "ajv/dist/2020.js";

type Ajv2020 = (typeof Ajv2020Module)["default"];

const require = createRequire(import.meta.url);

let yamlLib: typeof Yaml | undefined;
/** The `yaml` package. */
export function yaml(): typeof Yaml {
  return (yamlLib ??= require("yaml") as typeof Yaml);
}

/** The draft 2020-12 Ajv class. */
export function ajv2020(): Ajv2020 {
  return (require("ajv/dist/2020.js") as { default: Ajv2020 }).default;
}
