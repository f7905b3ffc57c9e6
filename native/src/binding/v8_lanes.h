// V8 lanes: the call path's number and typed-array reads through V8's own exported functions
// instead of the Node-API wrappers around them.
//
// Why: Node-API learns a typed array's kind by asking V8 "is it an Int8Array? a Uint8Array? …"
// in a fixed order (≈ 216 instructions for a Float32Array, the 8th), and wraps every number
// read in environment checks (≈ 47 instructions where V8's IsInt32 + Int32::Value take ≈ 15).
// Those two costs are most of what a call with a number or a typed array spends on our side
// (docs/values.md, "Cost").
//
// How it stays safe: nothing here is linked against V8. The functions are looked up at run
// time (dlsym in the running node binary), only on Linux x86-64/aarch64 and Node 18–24 (where
// a napi_value is V8's handle pointer, which is what V8's methods take as `this`), and only
// used after a self-test at start-up compared every answer with Node-API's on real values. If
// anything is missing or differs, g_v8_lanes stays null and every call uses Node-API as
// before; ORCJIT_V8_LANES=0 turns the lanes off. Each lane answers exactly what Node-API
// would (same V8 functions underneath), so the choice never changes a result.
#pragma once
#include <node_api.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace orcjit::binding {

struct V8Lanes {
  // v8::Value::IsInt32 / IsNumber, v8::Int32::Value, v8::Number::Value
  bool (*is_int32)(napi_value);
  bool (*is_number)(napi_value);
  int32_t (*int32_value)(napi_value);
  double (*number_value)(napi_value);
  // v8::Value::Is<Kind>Array, indexed by napi_typedarray_type (0..10)
  bool (*is_kind[11])(napi_value);
  // v8::TypedArray::Length, v8::ArrayBufferView::Buffer / ByteOffset, v8::ArrayBuffer::Data
  size_t (*length)(napi_value);
  napi_value (*buffer)(napi_value);
  size_t (*byte_offset)(napi_value);
  void* (*data)(napi_value);
};

/// Null until the self-test passed (and whenever the lanes are turned off). Relaxed loads:
/// every thread that calls reached InitV8Lanes (its std::call_once orders the writes).
extern std::atomic<const V8Lanes*> g_v8_lanes;
inline const V8Lanes* ActiveV8Lanes() { return g_v8_lanes.load(std::memory_order_relaxed); }

/// Looks the functions up and runs the self-test, once per process (on the first
/// environment's JS thread); later calls only report. True when the lanes are on.
bool InitV8Lanes(napi_env env);
/// Turns the lanes on (only if the self-test passed) or off; returns the previous state.
bool SetV8Lanes(bool on);
/// Why the lanes are off ("" when on): for nativeInfo() and the docs' troubleshooting.
const char* V8LanesStatus();

/// JS null as a napi_value valid for the environment's life, or null. V8 answers null with
/// its root slot, the same pointer in every handle scope; that is checked here (two scopes),
/// and only where the lanes are on (same releases, same switch).
napi_value StableNull(napi_env env);

/// A typed array whose kind is probably `hint` (the kind this argument position held on the
/// previous call): one V8 check instead of Node-API's walk over the kinds. True with the
/// element count and data pointer when it is exactly that kind; false otherwise (then the
/// caller asks Node-API). `l` is ActiveV8Lanes(), not null.
inline bool TypedArrayOfKind(const V8Lanes* l, napi_value v, int hint, size_t* length,
                             void** data) {
  if (!l->is_kind[hint](v)) return false;
  *length = l->length(v);
  napi_value buffer = l->buffer(v);
  *data = static_cast<char*>(l->data(buffer)) + l->byte_offset(v);
  return true;
}

}  // namespace orcjit::binding
