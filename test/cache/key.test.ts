// The object cache key (src/cache/key.ts) is pinned: these values were computed by the code
// before the key moved into one module (compile.ts baseKeyOf, store.ts fullKey, the racy key
// in compile.ts). A change here invalidates every user's cache: bump TOOLKIT_ABI_VERSION
// instead when generated code changes, and change these values only on purpose.
import { describe, expect, test } from "vitest";
import { fullKey, objectBaseKey, racyKey, type ObjectKeyInputs } from "../../src/cache/key.js";

const clang: ObjectKeyInputs["compiler"] = { kind: "clang", prefixArgs: [], resolvedPath: "/usr/lib/llvm-22/bin/clang", version: "Debian clang version 22.0.0", target: "x86_64-pc-linux-gnu" };

const plain: ObjectKeyInputs = {
  toolkit: "0.1.0/abi1",
  bundledHeaders: "a".repeat(64),
  compiler: clang,
  language: "c++",
  args: ["-O2", "-std=c++17", "-c", "<src>"],
  source: "/src/a.cc",
  text: Buffer.from("int f() { return 1; }\n"),
  env: {},
  flagFiles: [],
};

// nvcc with a prefix, toolchain + caller environment, a missing response file, cwd-relative flags.
const busy: ObjectKeyInputs = {
  toolkit: "0.1.0/abi1",
  bundledHeaders: "b".repeat(64),
  compiler: { kind: "nvcc", prefixArgs: ["-ccbin", "g++"], resolvedPath: "/usr/local/cuda/bin/nvcc", version: "Cuda compilation tools, release 12.4", target: "x86_64-linux" },
  language: "cuda",
  args: ["-O3", "-Irel/dir", "@/nonexistent/k18/flags.rsp"],
  source: "/src/k.cu",
  text: Buffer.from([0, 1, 2, 255]),
  env: { CPATH: "/cpath", SDKROOT: "", PATH: "/bin", INCLUDE: "/msvc/include" },
  flagFiles: [{ path: "/nonexistent/k18/flags.rsp" }],
  cwd: "/home/u/proj",
};

const gccC: ObjectKeyInputs = {
  ...plain,
  bundledHeaders: "c".repeat(64),
  compiler: { ...clang, kind: "gcc", prefixArgs: ["-m64"] },
  language: "c",
  args: ["-O2", "-I", "inc"],
  source: "/src/b.c",
  text: Buffer.from(""),
  env: { CCC_OVERRIDE_OPTIONS: "+-O0" },
  cwd: "/w",
};

describe("object cache key", () => {
  test("base keys are the ones earlier versions computed", () => {
    expect(objectBaseKey(plain)).toBe("1b1878c0d7565049299043a5adf4c8a803d492fa599a4b427ec90e7f05f3fb84");
    expect(objectBaseKey(busy)).toBe("61d1d0c8a6a54db6b5c8a9fa9ee8b7d6df8330bb21a8f7055a0cf0d036627f98");
    expect(objectBaseKey(gccC)).toBe("f3a54168559fd4c17221b4106526c815a8cec5b1a4a01a31391d1b0b17087468");
  });

  test("full and racy keys are the ones earlier versions computed", () => {
    const base = objectBaseKey(plain);
    const full = fullKey(base, [{ path: "/inc/z.h", sha256: "1".repeat(64) }, { path: "/inc/a.h", sha256: "2".repeat(64) }]);
    expect(full).toBe("0be9a068e1d9a7e37c1b5215405b3b810ad09b4ae5b755be5baacad2c778e4e6");
    expect(fullKey(objectBaseKey(busy), [])).toBe("d53f7686d7a3b51798ed0b5cde2d73dc926efa6cda1f8130f011b2235a0ca1c3");
    expect(racyKey(full, 1764000000000, "/cache/v1/objects/ab/abcd.o")).toBe("3523553c6fed9aea36512b3fc25e7408d4f9640bfacbf101d9696a16089eea02");
  });

  test("every input changes the key; dependency order does not", () => {
    const base = objectBaseKey(plain);
    const variants: ObjectKeyInputs[] = [
      { ...plain, toolkit: "0.1.1/abi1" },
      { ...plain, compiler: { ...clang, version: "other" } },
      { ...plain, args: [...plain.args, "-DX"] },
      { ...plain, text: Buffer.from("int f() { return 2; }\n") },
      { ...plain, env: { CPATH: "/x" } },
      { ...plain, env: { PATH: "/x", HOME: "/y" } }, // not a key variable: same key
      { ...plain, flagFiles: [{ path: "/f.rsp", text: Buffer.from("-O0") }] },
      { ...plain, cwd: "/elsewhere" },
    ];
    expect(variants.map((v) => objectBaseKey(v) !== base)).toEqual([true, true, true, true, true, false, true, true]);
    const deps = [{ path: "/a.h", sha256: "1".repeat(64) }, { path: "/b.h", sha256: "2".repeat(64) }];
    expect(fullKey(base, deps)).toBe(fullKey(base, [...deps].reverse()));
    expect(fullKey(base, deps)).not.toBe(fullKey(base, [deps[0]!]));
  });
});
