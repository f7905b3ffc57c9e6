// Builds the bench's native artifacts into node_modules/.cache/orcjit-bench when missing or stale:
// the baseline addon (cmake-js, offline), the plain .so for koffi/dlopen, the TVM-FFI kernel objects.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Outside build/ (which other tasks clean): the conventional ignored tool-cache location.
export const OUT = path.join(ROOT, "node_modules", ".cache", "orcjit-bench");
const K = path.join(ROOT, "bench", "kernels");
export const CC = process.env.CC ?? "cc";

export const artifacts = {
  dir: OUT,
  addon: path.join(OUT, "baseline", "Release", "bench_baseline.node"),
  plainSo: path.join(OUT, "libbench_plain.so"),
  plainC: path.join(K, "plain.c"),
  ffiCallsO: path.join(OUT, "ffi_calls.o"),
  ffiCallbackO: path.join(OUT, "ffi_callback.o"),
  ffiCallsSo: path.join(OUT, "libbench_ffi_calls.so"),
  // The same kernels with their metadata exports, for loadModule (which resolves TVMFFI*).
  ffiCallsTypedSo: path.join(OUT, "libbench_ffi_calls_typed.so"),
  linkO: path.join(OUT, "link.o"),
  linkSo: path.join(OUT, "libbench_link.so"),
};

function stale(out, inputs) {
  if (!existsSync(out)) return true;
  const t = statSync(out).mtimeMs;
  return inputs.some((i) => statSync(i).mtimeMs > t);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout ?? ""}${r.stderr ?? ""}`);
  }
  return r;
}

export function buildArtifacts(log = () => {}) {
  mkdirSync(OUT, { recursive: true });
  const inc = ["-I", path.join(ROOT, "native", "include")];
  const baseDir = path.join(ROOT, "bench", "baseline");
  if (stale(artifacts.addon, [path.join(baseDir, "addon.cc"), artifacts.plainC, path.join(baseDir, "CMakeLists.txt")])) {
    log("building bench/baseline addon (cmake-js)");
    run("npx", ["cmake-js", "compile", "-d", baseDir, "-O", path.join(OUT, "baseline"), "-G", "Ninja", "-l", "error"]);
  }
  if (stale(artifacts.plainSo, [artifacts.plainC])) {
    run(CC, ["-O2", "-fPIC", "-shared", artifacts.plainC, "-o", artifacts.plainSo]);
  }
  if (stale(artifacts.ffiCallsSo, [path.join(K, "ffi_calls.c"), path.join(K, "link.c")])) {
    // dlopen'ed (RTLD_NOW) by the baselines with no runtime to resolve TVMFFI* against: without
    // the two metadata exports (BENCH_PLAIN_SO), the only functions that call into the runtime.
    run(CC, ["-O2", "-fPIC", "-shared", "-DBENCH_PLAIN_SO", ...inc, path.join(K, "ffi_calls.c"), "-o", artifacts.ffiCallsSo]);
  }
  if (stale(artifacts.ffiCallsTypedSo, [path.join(K, "ffi_calls.c"), path.join(K, "link.c")])) {
    run(CC, ["-O2", "-fPIC", "-shared", ...inc, path.join(K, "ffi_calls.c"), "-o", artifacts.ffiCallsTypedSo]);
  }
  if (stale(artifacts.linkSo, [path.join(K, "link.c")])) {
    run(CC, ["-O2", "-fPIC", "-shared", ...inc, path.join(K, "link.c"), "-o", artifacts.linkSo]);
  }
  for (const [o, c] of [
    [artifacts.ffiCallsO, "ffi_calls.c"],
    [artifacts.ffiCallbackO, "ffi_callback.c"],
    [artifacts.linkO, "link.c"],
  ]) {
    const src = path.join(K, c);
    if (stale(o, [src, path.join(K, "link.c"), path.join(ROOT, "native/include/tvm/ffi/c_api.h")])) {
      run(CC, ["-O2", "-fPIC", "-Wall", "-Wno-unused-parameter", ...inc, "-c", src, "-o", o]);
    }
  }
  return artifacts;
}
