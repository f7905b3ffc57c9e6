// The __tvm_ffi__library_bin decoder on its own (native/src/runtime/library_bin.cc, built with
// g++ and ASan/UBSan into a small driver): edge cases that objects rarely reach.
import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let dir: string;
let driver: string;

const u64 = (v: number | bigint): string => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b.toString("hex");
};
const str = (s: string): string => u64(Buffer.byteLength(s)) + Buffer.from(s).toString("hex");
/** nbytes + payload (hex). */
const framed = (payload: string): string => u64(payload.length / 2) + payload;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orcjit-libbin-parser-"));
  driver = join(dir, "driver");
  await execa("g++", [
    "-std=c++17", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
    "-I", join(ROOT, "native/src"), "-I", join(ROOT, "native/include"),
    join(ROOT, "test/module/library-bin-parser.cc"), join(ROOT, "native/src/runtime/library_bin.cc"), "-o", driver,
  ]);
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("parses valid trees and rejects every malformed shape with the offset", async () => {
  const cases: [string, string][] = [
    // valid: _lib importing a "demo" module
    [framed(u64(3) + u64(0) + u64(1) + u64(1) + u64(1) + u64(1) + str("_lib") + str("demo") + str("xyz")), "ok 2 _lib:0@56 demo:3@68"],
    ["0102", "error __tvm_ffi__library_bin: truncated header (the symbol has 2 bytes, the nbytes field needs 8) at offset 0"],
    [framed(u64(0) + u64(0)), "error __tvm_ffi__library_bin: import tree indptr is empty (no modules) at offset 8"],
    [framed(u64(1) + u64(0) + u64(0)), "error __tvm_ffi__library_bin: the blob declares no modules at offset 8"],
    [framed(u64(2) + u64(1) + u64(1) + u64(0) + str("_lib")), "error __tvm_ffi__library_bin: import tree indptr[0] is 1, not 0 at offset 16"],
    [framed(u64(3) + u64(0) + u64(2) + u64(1) + u64(1) + u64(0) + str("_lib") + str("_lib")),
      "error __tvm_ffi__library_bin: import tree indptr decreases at index 2 (2 then 1) at offset 32"],
    [framed(u64(3) + u64(0) + u64(0) + u64(0) + u64(0) + str("_lib") + str("_lib")),
      "error __tvm_ffi__library_bin: the blob has 2 '_lib' entries (at most one: it is the library itself) at offset 8"],
    [framed(u64(2) + u64(0) + u64(0) + u64(0) + str("")), "error __tvm_ffi__library_bin: module 0 has an empty kind at offset 40"],
    [framed(u64(2) + u64(0) + u64(1) + u64(1) + u64(0) + str("_lib")),
      "error __tvm_ffi__library_bin: cycle in the import tree through module 0 (kind '_lib') at offset 8"],
    [framed(u64(2) + u64(0) + u64(0) + u64(0) + str("demo") + u64(100)),
      "error __tvm_ffi__library_bin: module bytes length 100 runs past the end of the blob (0 bytes left) at offset 52"],
    [u64(2n ** 63n) + u64(0), "error __tvm_ffi__library_bin: nbytes 9223372036854775808 runs past the end of the symbol (8 bytes follow it) at offset 0"],
  ];
  const r = await execa(driver, [], { input: cases.map(([hex]) => hex).join("\n") + "\n", reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stderr).toBe(""); // no sanitizer report
  expect(r.stdout.trim().split("\n")).toEqual(cases.map(([, want]) => want));
}, 120_000);
