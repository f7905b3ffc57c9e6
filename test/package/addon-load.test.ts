// Bad addons and unsupported platforms: each gives one NativeLoadError that names the file (or
// the platform) and the fix, and never kills the process. Every attempt runs in a child
// process: a loader that let dlopen see a truncated file would die of SIGBUS there.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot, tempDir } from "../cli/helpers.js";

const addon = path.join(repoRoot, "build/Release/tvm_ffi_orcjit.node");
const dist = path.join(repoRoot, "dist/index.js");

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  error?: { name: string; code: string; message: string };
  info?: { addonPath: string; addonSource: string };
}

/** Calls nativeInfo() in a child with `env`, after `prelude` (e.g. faking process.platform). */
function attempt(env: Record<string, string | undefined>, prelude = ""): Outcome {
  const script = `${prelude}
    const m = await import(${JSON.stringify(dist)});
    try { const i = m.nativeInfo(); console.log(JSON.stringify({ info: i })); }
    catch (e) { console.log(JSON.stringify({ error: { name: e.name, code: e.code, message: e.message } })); }`;
  const childEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: childEnv, encoding: "utf8" });
  const out = r.stdout.trim().split("\n").pop() ?? "";
  return { status: r.status, signal: r.signal, ...(out.startsWith("{") ? (JSON.parse(out) as object) : {}) };
}

function expectLoadError(o: Outcome, ...parts: (string | RegExp)[]): string {
  expect(o.signal).toBeNull();
  expect(o.status).toBe(0);
  expect(o.error?.name).toBe("NativeLoadError");
  expect(o.error?.code).toBe("ORCJIT_NATIVE_LOAD");
  const msg = o.error!.message;
  for (const p of parts) expect(msg).toMatch(p);
  expect(msg).toMatch(/Fix: /);
  return msg;
}

/** A minimal real Node-API addon that reports binding ABI version `abi`. */
function fakeAddon(dir: string, abi: number): string {
  const src = path.join(dir, "fake.c");
  writeFileSync(src, `#include <node_api.h>
NAPI_MODULE_EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value v;
  if (napi_create_int32(env, ${abi}, &v) == napi_ok) napi_set_named_property(env, exports, "abiVersion", v);
  return exports;
}
`);
  const out = path.join(dir, "fake.node");
  execFileSync("gcc", ["-shared", "-fPIC", "-I", path.join(repoRoot, "node_modules/node-api-headers/include"), src, "-o", out]);
  return out;
}

beforeAll(() => ensureBuilt());

describe("addon lookup", () => {
  it("loads the repository's local build in a checkout and reports where it came from", () => {
    const o = attempt({ ORCJIT_ADDON_PATH: undefined });
    expect(o.info).toMatchObject({ addonPath: addon, addonSource: "local build" });
  });

  it("ORCJIT_ADDON_PATH wins, relative paths resolve against the working directory", () => {
    const dir = tempDir("orcjit-addon-");
    copyFileSync(addon, path.join(dir, "copy.node"));
    const r = spawnSync(process.execPath, ["--input-type=module", "-e",
      `const m = await import(${JSON.stringify(dist)}); console.log(JSON.stringify(m.nativeInfo()));`],
      { cwd: dir, env: { ...process.env, ORCJIT_ADDON_PATH: "copy.node" }, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ addonPath: path.join(dir, "copy.node"), addonSource: "ORCJIT_ADDON_PATH" });
  });
});

describe("bad addons give a NativeLoadError naming the file and the fix", () => {
  it("ORCJIT_ADDON_PATH pointing at nothing", () => {
    const msg = expectLoadError(attempt({ ORCJIT_ADDON_PATH: "/nonexistent/tvm_ffi_orcjit.node" }), "/nonexistent/tvm_ffi_orcjit.node", /names no file/);
    expect(msg).toContain("unset it");
  });

  it("ORCJIT_ADDON_PATH pointing at a directory", () => {
    const dir = tempDir("orcjit-addon-");
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: dir }), dir, /not a file/);
  });

  it("a truncated .node (would be SIGBUS inside dlopen)", () => {
    const dir = tempDir("orcjit-addon-");
    const f = path.join(dir, "truncated.node");
    writeFileSync(f, readFileSync(addon).subarray(0, 200_000));
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: f }), f, /truncated: 200000 bytes/);
  });

  it("a corrupt .node: not ELF at all, and empty", () => {
    const dir = tempDir("orcjit-addon-");
    const garbage = path.join(dir, "garbage.node");
    writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff)));
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: garbage }), garbage, /not an ELF shared object \(4096 bytes\)/);
    const empty = path.join(dir, "empty.node");
    writeFileSync(empty, "");
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: empty }), empty, /not an ELF shared object \(0 bytes\)/);
  });

  it("an addon built for another CPU", () => {
    const dir = tempDir("orcjit-addon-");
    const f = path.join(dir, "arm64.node");
    const bytes = readFileSync(addon);
    bytes.writeUInt16LE(183, 18); // e_machine: AArch64
    writeFileSync(f, bytes);
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: f }), f, /built for arm64, this process is x64/);
  });

  it("an ELF file dlopen rejects (an object file, not a shared object)", () => {
    const dir = tempDir("orcjit-addon-");
    const src = path.join(dir, "x.c");
    writeFileSync(src, "int x(void) { return 1; }\n");
    const f = path.join(dir, "object.node");
    execFileSync("gcc", ["-c", src, "-o", f]);
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: f }), f, /not a shared object/);
  });

  it("a shared object that is not a Node addon (dlopen/require fails)", () => {
    const dir = tempDir("orcjit-addon-");
    const src = path.join(dir, "x.c");
    writeFileSync(src, "int x(void) { return 1; }\n");
    const f = path.join(dir, "plain.node");
    execFileSync("gcc", ["-shared", "-fPIC", src, "-o", f]);
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: f }), f, /cannot load the tvm-ffi-orcjit native addon/);
  });

  it("an addon of another binding ABI version", () => {
    const dir = tempDir("orcjit-addon-");
    const f = fakeAddon(dir, 999);
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: f }), f, /binding ABI version 999, this package needs 1/);
  });

  it("a broken local build names the rebuild command", () => {
    // A copy of the package layout (dist + package.json) whose build/Release holds a truncated addon.
    const root = tempDir("orcjit-pkg-");
    execFileSync("cp", ["-r", path.join(repoRoot, "dist"), path.join(repoRoot, "package.json"), root]);
    symlinkSync(path.join(repoRoot, "node_modules"), path.join(root, "node_modules"));
    mkdirSync(path.join(root, "build/Release"), { recursive: true });
    const f = path.join(root, "build/Release/tvm_ffi_orcjit.node");
    writeFileSync(f, readFileSync(addon).subarray(0, 64));
    const r = spawnSync(process.execPath, ["--input-type=module", "-e",
      `const m = await import(${JSON.stringify(path.join(root, "dist/index.js"))});
       try { m.nativeInfo(); } catch (e) { console.log(e.name + ": " + e.message); }`],
      { env: { ...process.env, ORCJIT_ADDON_PATH: "" }, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`NativeLoadError: cannot load the tvm-ffi-orcjit native addon '${f}' (local build)`);
    expect(r.stdout).toContain("npm run build:native");
  });
});

describe("unsupported platforms get the clear error at first use, not a crash", () => {
  const fake = (platform: string, arch: string) =>
    `Object.defineProperty(process, "platform", { value: ${JSON.stringify(platform)} });
     Object.defineProperty(process, "arch", { value: ${JSON.stringify(arch)} });`;

  it.each([["darwin", "arm64"], ["win32", "x64"], ["freebsd", "x64"]])("%s-%s", (platform, arch) => {
    const msg = expectLoadError(attempt({ ORCJIT_ADDON_PATH: undefined }, fake(platform, arch)), `${platform}-${arch}`, /loads ELF objects/);
    expect(msg).toContain("linux-x64-gnu");
  });

  it("linux-arm64: the x86-64 local build is refused by name, not dlopened", () => {
    expectLoadError(attempt({ ORCJIT_ADDON_PATH: undefined }, fake("linux", "arm64")), addon, /built for x64, this process is arm64/);
  });
});
