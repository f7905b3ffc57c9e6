// The objects the README's Object API example loads, built from test/fixtures/c.
import { copyFileSync } from "node:fs";
import { build } from "tvm-ffi-orcjit";

for (const [source, object] of [["impl_v1.c", "implementation_v1.o"], ["impl_v2.c", "implementation_v2.o"], ["caller.c", "caller.o"]]) {
  const [built] = await build({ name: object.replace(".o", ""), sources: [source] });
  copyFileSync(built, object);
}
