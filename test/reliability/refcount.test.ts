// Reference counting across the boundary: create and drop many strings, bytes, errors,
// tensors, functions and opaque objects — made by JIT code through the C API, made by the
// binding from JS arguments, and returned to JS — then check that the runtime's live-object
// count (OrcjitDebugLiveObjects, a debug counter of runtime/object.cc) is back to baseline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, FFIError, loadInline, type InlineModule } from "../../src/index.js";
import { record, thrown, tmp } from "./helpers.js";

const C = `
#include <string.h>
#include <tvm/ffi/extra/c_env_api.h>
extern int64_t OrcjitDebugLiveObjects(void);
static void ret_int(TVMFFIAny* r, int64_t v) { r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = v; }
static int64_t arg_int(const TVMFFIAny* a) { return a->type_index == kTVMFFIInt ? a->v_int64 : 0; }
int __tvm_ffi_live(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) { ret_int(r, OrcjitDebugLiveObjects()); return 0; }
/* returns a heap string (ffi.String) of n 'x' */
int __tvm_ffi_make_str(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  static char buf[256]; int64_t len = arg_int(&a[0]); memset(buf, 'x', sizeof buf);
  TVMFFIByteArray b = { buf, (size_t)len }; return TVMFFIStringFromByteArray(&b, r);
}
int __tvm_ffi_make_bytes(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  static char buf[256]; int64_t len = arg_int(&a[0]); memset(buf, 7, sizeof buf);
  TVMFFIByteArray b = { buf, (size_t)len }; return TVMFFIBytesFromByteArray(&b, r);
}
int __tvm_ffi_raise(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  TVMFFIErrorSetRaisedFromCStr("RuntimeError", "refcount probe"); return -1;
}
/* an argument's length: JS strings with a NUL arrive as ffi.String objects */
int __tvm_ffi_arg_len(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  if (a[0].type_index == kTVMFFIStr) { ret_int(r, (int64_t)TVMFFIBytesGetByteArrayPtr(a[0].v_obj)->size); return 0; }
  if (a[0].type_index == kTVMFFIRawStr) { ret_int(r, (int64_t)strlen(a[0].v_c_str)); return 0; }
  ret_int(r, a[0].small_str_len); return 0;
}
static int add_one(void* self, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) { ret_int(r, arg_int(&a[0]) + 1); return 0; }
/* creates a function, calls it, drops it */
int __tvm_ffi_func_cycle(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  TVMFFIObjectHandle f = 0;
  if (TVMFFIFunctionCreate(0, add_one, 0, &f) != 0) return -1;
  TVMFFIAny out; out.type_index = kTVMFFINone; out.v_int64 = 0;
  int rc = TVMFFIFunctionCall(f, a, 1, &out);
  TVMFFIObjectDecRef(f);
  if (rc) return rc;
  *r = out; return 0;
}
/* allocates a 1-D float32 tensor through the env allocator and drops it */
int __tvm_ffi_tensor_cycle(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  int64_t shape[1] = { arg_int(&a[0]) };
  DLTensor proto; memset(&proto, 0, sizeof proto);
  proto.device.device_type = kDLCPU; proto.ndim = 1; proto.shape = shape;
  proto.dtype.code = kDLFloat; proto.dtype.bits = 32; proto.dtype.lanes = 1;
  TVMFFIObjectHandle t = 0;
  if (TVMFFIEnvTensorAlloc(&proto, &t) != 0) return -1;
  DLTensor* dl = TVMFFITensorGetDLTensorPtr(t);
  ((float*)dl->data)[0] = 1.5f;
  int64_t ok = dl->shape[0] == shape[0];
  TVMFFIObjectDecRef(t);
  ret_int(r, ok); return 0;
}
/* deliberately leaks one ffi.String: proves the counter sees leaks */
int __tvm_ffi_leak_one(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  TVMFFIByteArray b = { "leaked string!", 14 }; TVMFFIAny o;
  if (TVMFFIStringFromByteArray(&b, &o) != 0) return -1;
  ret_int(r, 0); return 0;
}
static void noop_deleter(void* h) { (void)h; }
int __tvm_ffi_opaque_cycle(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  TVMFFIObjectHandle o = 0;
  if (TVMFFIObjectCreateOpaque((void*)1, kTVMFFIOpaquePyObject, noop_deleter, &o) != 0) return -1;
  TVMFFIObjectIncRef(o); TVMFFIObjectDecRef(o); TVMFFIObjectDecRef(o);
  ret_int(r, 1); return 0;
}
`;

let mod: InlineModule;
let session: ExecutionSession;
let live: () => number;

beforeAll(async () => {
  session = new ExecutionSession();
  mod = await loadInline({ name: "refcount", cSources: C, cacheDir: tmp("refcount"), session });
  live = mod.getFunction("live") as () => number;
});
afterAll(() => session.dispose());

describe("runtime object refcounts return to baseline", () => {
  const N = 2000;
  const f = (name: string) => mod.getFunction(name);
  const cases: [string, () => void][] = [
    ["strings returned to JS (ffi.String, 8..200 chars)", () => expect(f("make_str")(8 + (N % 190))).toMatch(/^x+$/)],
    ["bytes returned to JS", () => expect(f("make_bytes")(100)).toBeInstanceOf(Uint8Array)],
    ["errors raised to JS", () => expect(thrown(() => f("raise")())).toBeInstanceOf(FFIError)],
    ["JS strings with NUL → ffi.String arguments", () => expect(f("arg_len")("ab\0cdefghij")).toBe(11)],
    ["long JS strings → arguments", () => expect(f("arg_len")("y".repeat(5000))).toBe(5000)],
    ["functions created, called, dropped in JIT code", () => expect(f("func_cycle")(41)).toBe(42)],
    ["tensors allocated and dropped in JIT code", () => expect(f("tensor_cycle")(64)).toBe(1)],
    ["opaque objects (inc/dec)", () => expect(f("opaque_cycle")()).toBe(1)],
  ];
  it("the counter detects a leak (control)", () => {
    const before = live();
    f("leak_one")();
    f("leak_one")();
    expect(live() - before).toBe(2);
  });
  for (const [name, once] of cases) {
    it(name, () => {
      once(); // warm-up: lazily created singletons (type infos, caches) are not leaks
      const before = live();
      for (let i = 0; i < N; i++) once();
      const after = live();
      expect(after - before).toBe(0);
      record("refcount", { door: "refcounts", input: name, count: N, held: `live runtime objects ${before} → ${after}` });
    });
  }
});
