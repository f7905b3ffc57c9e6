// The package's root directory (the one holding package.json, schema/, templates/,
// native/include). Computed relative to this module, which sits two levels below the root in
// every build: src/util/ (vitest), dist/util/ (tsc) and dist/bundle/ (the bundled package
// entry, scripts/bundle.mjs, into which this module is inlined). Modules deeper than two
// levels (src/cli/commands/) use this instead of their own "../../../".
import { fileURLToPath } from "node:url";

export const packageRoot: string = fileURLToPath(new URL("../../", import.meta.url));
