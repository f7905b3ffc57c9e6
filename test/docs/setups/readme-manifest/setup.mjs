// The README's manifest lists a prebuilt object: build it here.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { build } from "tvm-ffi-orcjit";

const [object] = await build({ name: "blas_kernels", sources: ["blas_kernels.c"] });
mkdirSync("prebuilt", { recursive: true });
copyFileSync(object, "prebuilt/blas_kernels.o");

// The manifest is the README's own (its first yaml block), for the blocks that load it.
const readme = readFileSync("node_modules/tvm-ffi-orcjit/README.md", "utf8");
const manifest = /^```yaml\n([\s\S]*?)^```/m.exec(readme);
if (!manifest) throw new Error("README.md has no yaml block");
writeFileSync("orcjit.yaml", manifest[1]);
