// Seed corpus of the library_bin decoder fuzzer (fuzz/library_bin_fuzzer.cc): valid blobs (one
// _lib, a chain, a diamond, empty payloads, no _lib) and malformed ones (truncations, counts
// and lengths past the end, a bad indptr, an index out of range, a cycle, trailing bytes).
// Byte-identical on every run, so a seeded fuzz run is repeatable.
// Usage: node fuzz/build-library-bin-corpus.mjs <out-dir>
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2];
if (!out) throw new Error("usage: build-library-bin-corpus.mjs <out-dir>");
mkdirSync(out, { recursive: true });

const u64 = (v) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
  return b;
};
const str = (s) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
const vec = (xs) => Buffer.concat([u64(xs.length), ...xs.map(u64)]);
/** A blob: imports[i] = children of module i; modules = [kind, bytes?]. */
function blob(imports, modules, { nbytes, tail = Buffer.alloc(0) } = {}) {
  const indptr = [0];
  for (const c of imports) indptr.push(indptr[indptr.length - 1] + c.length);
  const body = Buffer.concat([vec(indptr), vec(imports.flat()), ...modules.map(([k, b]) => (k === "_lib" ? str(k) : Buffer.concat([str(k), str(b ?? "")]))), tail]);
  return Buffer.concat([u64(nbytes ?? body.length), body]);
}

const seeds = {
  "lib-only": blob([[]], [["_lib"]]),
  "lib-imports-one": blob([[1], []], [["_lib"], ["demo", "payload bytes"]]),
  "chain": blob([[1], [2], []], [["_lib"], ["a", "x"], ["b", "yy"]]),
  "diamond": blob([[1, 2], [3], [3], []], [["_lib"], ["a", "1"], ["b", "2"], ["c", "3"]]),
  "no-lib-root": blob([[1], []], [["cuda", "\u0000\u0001binary"], ["_lib"]]),
  "empty-payload": blob([[1], []], [["_lib"], ["empty", ""]]),
  // malformed
  "empty": Buffer.alloc(0),
  "nbytes-only": u64(0),
  "nbytes-past-end": blob([[]], [["_lib"]], { nbytes: 1 << 20 }),
  "count-huge": Buffer.concat([u64(24), u64(0xffffffffffff), u64(0), u64(0)]),
  "kind-length-huge": Buffer.concat([u64(40), vec([0, 0]), vec([]), u64(0x7fffffffffffffff)]),
  "indptr-not-zero": Buffer.concat([u64(32), vec([1, 1]), vec([])]),
  "indptr-decreasing": blob([[1], []], [["_lib"], ["a", "x"]]).fill(0, 24, 32),
  "child-out-of-range": blob([[5], []], [["_lib"], ["a", "x"]]),
  "cycle": blob([[1], [0]], [["_lib"], ["a", "x"]]),
  "self-cycle": blob([[0]], [["_lib"]]),
  "two-libs": blob([[1], []], [["_lib"], ["_lib"]]),
  "trailing-bytes": blob([[]], [["_lib"]], { tail: Buffer.from("junk") }),
};
const full = seeds["diamond"];
for (const n of [7, 8, 15, 16, 31, 47, full.length - 1]) seeds[`diamond-truncated-${n}`] = full.subarray(0, n);
for (const [name, bytes] of Object.entries(seeds)) writeFileSync(join(out, name), bytes);
console.log(`${Object.keys(seeds).length} library_bin seeds in ${out}`);
