// fn.async is typed like the sync call: a declared kernel's `async` takes the same parameters
// and returns a Promise of the same result; `with({ signal })` too. Type-checks user files
// with the real tsc (the toolkit resolves to src/).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/fixtures.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "orcjit-async-types-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DECL = `declare module "tvm-ffi-orcjit" {
  interface KernelModules { math: { add(a: number | bigint, b: number | bigint): number } }
}
export {};
`;

async function tsc(file: string, body: string): Promise<{ code: number; out: string }> {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "decl.d.ts"), DECL);
  writeFileSync(join(dir, file), body);
  const config = {
    compilerOptions: {
      target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "ESNext.Disposable", "DOM"],
      types: ["node"], typeRoots: [join(ROOT, "node_modules/@types")], strict: true, noEmit: true, skipLibCheck: true,
      baseUrl: ".", paths: { "tvm-ffi-orcjit": [join(ROOT, "src/index.ts")] },
    },
    files: [file, "decl.d.ts"],
  };
  writeFileSync(join(dir, `${file}.json`), JSON.stringify(config));
  try {
    const r = await run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", `${file}.json`], { cwd: dir });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: (err.stdout ?? "") + (err.stderr ?? "") };
  }
}

const HEAD = `import { loadInline, type AsyncFFIFunction, type FFIResult } from "tvm-ffi-orcjit";
const mod = await loadInline({ name: "math", cppSources: "", functions: ["add"] });
`;

describe("fn.async types", () => {
  it("accepts the sync call's arguments and yields its result type", async () => {
    const r = await tsc(
      "ok.ts",
      HEAD +
        `const n: number = await mod.add.async(1, 2n);
const m: number = await mod.add.with({ signal: new AbortController().signal }).async(1, 2);
const f: AsyncFFIFunction = mod.getFunction("other");
const any: FFIResult = await f.async("x", new Float32Array(2), (x: number) => x);
export { n, m, any };
`,
    );
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  }, 120_000);

  it("rejects wrong arguments and a wrong result type", async () => {
    const r = await tsc(
      "bad.ts",
      HEAD +
        `await mod.add.async("x", 2);
const s: string = await mod.add.async(1, 2);
mod.add.with({ signal: 5 });
export { s };
`,
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/bad\.ts\(3,\d+\): error TS2345/);
    expect(r.out).toMatch(/bad\.ts\(4,\d+\): error TS2322/);
    expect(r.out).toMatch(/bad\.ts\(5,\d+\): error TS2322/);
  }, 120_000);
});
