// Seed corpus for the object-loader fuzzer: real relocatable objects from both compilers
// (the test fixtures in test/fixtures, plus extra sources below that reach init/fini sections,
// COMDATs, TLS, __tvm_ffi__library_ctx), plus truncations.
// Every object is compiled here from a relative file name in its own directory, so the corpus is
// byte-identical on any checkout path: with a fixed -seed and -runs the fuzz run is repeatable.
//   node fuzz/build-corpus.mjs <out-dir>
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = process.argv[2];
if (!out) throw new Error("usage: build-corpus.mjs <out-dir>");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const seeds = [];
const compile = (src, extraFlags = []) => {
  const cxx = /\.(cc|cpp)$/.test(src);
  const cwd = dirname(src);
  const include = relative(cwd, join(root, "native/include"));
  const text = readFileSync(src, "utf8");
  const fixtureFlags = /fixture-flags:\s*([^\n*]+)/.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
  for (const cc of cxx ? ["clang++-22", "g++"] : ["clang-22", "gcc"]) {
    for (const opt of ["-O0", "-O2"]) {
      const obj = join(tmp, `${basename(src)}.${cc}${opt}.o`);
      const std = cxx ? ["-std=c++17"] : [];
      try {
        execFileSync(cc, [...std, opt, "-fPIC", "-c", `-I${include}`, ...fixtureFlags, ...extraFlags, basename(src), "-o", obj], { cwd, stdio: "ignore" });
        seeds.push(readFileSync(obj));
      } catch {
        // a fixture meant for one compiler, or a compiler missing: the others still seed
      }
    }
  }
};
const tmp = join(out, "..", "corpus-src");
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
for (const sub of ["c", "cc"]) {
  const dir = join(root, "test/fixtures", sub);
  for (const f of readdirSync(dir).sort()) if (/\.(c|cc)$/.test(f)) compile(join(dir, f));
}

// Extra sources that reach less common loader paths; compiled with both compilers.
const extra = {
  "ctx.c": "void* __tvm_ffi__library_ctx = 0; int get(void){ return __tvm_ffi__library_ctx != 0; }",
  "ctx_func.c": "void __tvm_ffi__library_ctx(void) {} int f(void){ return 1; }",
  "ctor.c": "static int x; __attribute__((constructor(200))) static void c(void){ x = 1; }\n" +
    "__attribute__((destructor)) static void d(void){ x = 0; } int get(void){ return x; }",
  "cxx.cc": "#include <string>\n#include <vector>\nstd::vector<std::string> v{\"a\",\"b\"};\n" +
    "inline int iv = 3; int f(int i){ if (i < 0) throw 42; return (int)v.size() + iv; }",
  "tls.c": "_Thread_local int t; int g(void){ return t; }",
  "data.c": "const char* names[] = {\"a\", \"b\"}; int (*fp)(const char*, ...) = 0;\n" +
    "extern int printf(const char*, ...); int h(void){ fp = printf; return names[1][0]; }",
};
// __tvm_ffi__library_bin (native/src/runtime/library_bin.h): a valid tree (_lib importing a
// "demo" module), so mutations of the blob reach the decoder.
{
  const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
  const str = (s) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
  const body = Buffer.concat([u64(3), u64(0), u64(1), u64(1), u64(1), u64(1), str("_lib"), str("demo"), str("payload bytes")]);
  const bin = Buffer.concat([u64(body.length), body]);
  extra["library_bin.c"] = `const unsigned char __tvm_ffi__library_bin[${bin.length}] = {${[...bin].join(",")}};\n` +
    "void* __tvm_ffi__library_ctx = 0; int get(void){ return __tvm_ffi__library_bin[8]; }";
}
for (const [name, text] of Object.entries(extra)) {
  const src = join(tmp, name);
  writeFileSync(src, text);
  compile(src);
}

let n = 0;
const put = (buf) => {
  const name = createHash("sha1").update(buf).digest("hex");
  writeFileSync(join(out, name), buf);
  n++;
};
for (const s of seeds) {
  put(s);
  // Truncations: inside the header, the section table, and the middle of the file.
  for (const len of [16, 63, 64, 65, Math.floor(s.length / 2), s.length - 1]) {
    if (len > 0 && len < s.length) put(s.subarray(0, len));
  }
}
console.log(`fuzz corpus: ${seeds.length} objects, ${n} seeds in ${out}`);
