// Builds objects that embed __tvm_ffi__library_bin (format in native/src/runtime/library_bin.h)
// with real compilers, for test/module/library-bin.test.ts.
import { execa } from "execa";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const INCLUDE = fileURLToPath(new URL("../../native/include", import.meta.url));

const u64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const str = (s: string | Uint8Array): Buffer => {
  const bytes = typeof s === "string" ? Buffer.from(s) : Buffer.from(s);
  return Buffer.concat([u64(bytes.length), bytes]);
};

export interface BlobSpec {
  indptr: number[];
  children: number[];
  modules: { kind: string; bytes?: Uint8Array }[];
  /** Added to the honest nbytes (a lie about the length). */
  nbytesDelta?: number;
  /** Bytes appended after the last module (inside nbytes). */
  trailing?: Uint8Array;
  /** Cut the payload (after nbytes) to this many bytes, keeping nbytes. */
  truncateTo?: number;
}

export function blob(spec: BlobSpec): Buffer {
  const parts = [u64(spec.indptr.length), ...spec.indptr.map(u64), u64(spec.children.length), ...spec.children.map(u64)];
  for (const m of spec.modules) {
    parts.push(str(m.kind));
    if (m.kind !== "_lib") parts.push(str(m.bytes ?? new Uint8Array()));
  }
  if (spec.trailing) parts.push(Buffer.from(spec.trailing));
  let payload = Buffer.concat(parts);
  const nbytes = payload.length + (spec.nbytesDelta ?? 0);
  if (spec.truncateTo !== undefined) payload = payload.subarray(0, spec.truncateTo);
  return Buffer.concat([u64(nbytes), payload]);
}

/** C source of a library that embeds `bin` and exports call_child(a, b), which looks up
 * child_add through its imports (TVMFFIEnvModLookupFromImports on __tvm_ffi__library_ctx). */
export function parentSource(bin: Buffer): string {
  return `#include <tvm/ffi/c_api.h>
#include <tvm/ffi/extra/c_env_api.h>
const unsigned char __tvm_ffi__library_bin[${bin.length}] = {${[...bin].join(",")}};
void* __tvm_ffi__library_ctx = 0;
TVM_FFI_DLL_EXPORT int __tvm_ffi_call_child(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  TVMFFIObjectHandle f = 0;
  (void)self;
  if (TVMFFIEnvModLookupFromImports(__tvm_ffi__library_ctx, "child_add", &f) != 0) return -1;
  return TVMFFIFunctionCall(f, (TVMFFIAny*)args, n, result);
}
TVM_FFI_DLL_EXPORT int __tvm_ffi_parent_one(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  (void)self; (void)args; (void)n;
  result->type_index = kTVMFFIInt; result->zero_padding = 0; result->v_int64 = 1;
  return 0;
}
`;
}

/** C source of the module an embedded entry carries: child_add(a, b) = a + b. */
export const CHILD_SOURCE = `#include <tvm/ffi/c_api.h>
TVM_FFI_DLL_EXPORT int __tvm_ffi_child_add(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  (void)self;
  if (n != 2) { TVMFFIErrorSetRaisedFromCStr("TypeError", "child_add takes 2 arguments"); return -1; }
  result->type_index = kTVMFFIInt; result->zero_padding = 0; result->v_int64 = args[0].v_int64 + args[1].v_int64;
  return 0;
}
`;

export async function compileC(dir: string, name: string, source: string, cc = "clang-22"): Promise<string> {
  const src = join(dir, `${name}.c`);
  const obj = join(dir, `${name}.o`);
  writeFileSync(src, source);
  await execa(cc, ["-O2", "-fPIC", "-c", "-I", INCLUDE, src, "-o", obj]);
  return obj;
}
