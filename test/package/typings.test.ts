// The published .d.ts compile on their own: a strict consumer with skipLibCheck: false checks
// every declaration file of dist/ (stripInternal must not leave a public declaration pointing
// at a stripped @internal name). The installed-package variant runs in consumer.test.ts.
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { ensureBuilt, repoRoot, tempDir } from "../cli/helpers.js";

function declarations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? declarations(p) : e.name.endsWith(".d.ts") ? [p] : [];
  });
}

beforeAll(() => ensureBuilt());

it("every dist/**/*.d.ts compiles under strict with skipLibCheck: false", () => {
  const dir = tempDir("orcjit-typings-");
  writeFileSync(path.join(dir, "consumer.ts"), `import * as orcjit from ${JSON.stringify(path.join(repoRoot, "dist/index.js"))};
const info: orcjit.NativeInfo | undefined = undefined;
export const used: unknown[] = [orcjit.loadInline, orcjit.NativeLoadError, info];
`);
  const dts = declarations(path.join(repoRoot, "dist"));
  expect(dts.length).toBeGreaterThan(20);
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "ESNext.Disposable"],
      types: ["node"], typeRoots: [path.join(repoRoot, "node_modules/@types")],
      strict: true, skipLibCheck: false, noEmit: true, exactOptionalPropertyTypes: true,
    },
    files: ["consumer.ts", ...dts],
  }));
  const r = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});
