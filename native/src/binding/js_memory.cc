#include "binding/js_memory.h"

#include <string>

#include "binding/addon_state.h"
#include "runtime/api.h"

namespace orcjit::binding {

namespace {
size_t ElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;  // float64, bigint64, biguint64
  }
}

const char* TypedArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

/// The ArrayBuffer (or SharedArrayBuffer) of a typed array, or nullptr.
napi_value BufferOf(napi_env env, napi_value view) {
  bool is = false;
  if (napi_is_typedarray(env, view, &is) != napi_ok || !is) return nullptr;
  napi_value ab = nullptr;
  if (napi_get_typedarray_info(env, view, nullptr, nullptr, nullptr, &ab, nullptr) != napi_ok)
    return nullptr;
  return ab;
}
}  // namespace

void LentViews::Push(Addon* st, const napi_value* argv, size_t argc, const char* fn_name) {
  if (!st) st = Addon::Current();
  if (!st) return;
  st_ = st;
  argv_ = argv;
  argc_ = argc;
  fn_name_ = fn_name;
  pinned_ = false;
  prev_ = st->lent;
  st->lent = this;
}

bool PinArrayBuffer(napi_env env, napi_value array_buffer) {
  bool is_ab = false;
  napi_is_arraybuffer(env, array_buffer, &is_ab);
  if (!is_ab) return true;  // a SharedArrayBuffer: never detached, never shrinks
  Addon* st = Addon::Current();
  napi_value lend = nullptr, global = nullptr, out = nullptr;
  if (!st || !st->factories.lend_buffer || napi_get_reference_value(env, st->factories.lend_buffer, &lend) != napi_ok ||
      !lend)
    return true;  // values not initialized (no JS layer): nothing to pin with
  napi_get_global(env, &global);
  if (napi_call_function(env, global, lend, 1, &array_buffer, &out) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
    return false;
  }
  bool ok = false;
  napi_get_value_bool(env, out, &ok);
  return ok;
}

bool PinLentViews(Addon* st, const char* callback_name) {
  for (LentViews* f = st->lent; f && !f->pinned_; f = f->prev_) {
    f->pinned_ = true;
    for (size_t i = 0; i < f->argc_; ++i) {
      napi_value ab = BufferOf(st->env, f->argv_[i]);
      if (ab && !PinArrayBuffer(st->env, ab)) {
        f->pinned_ = false;  // check again at the next callback
        runtime::SetRaisedError(
            {"TypeError",
             std::string("a JS callback ('") + callback_name + "') cannot run while argument #" +
                 std::to_string(i) + " of '" + f->fn_name_ +
                 "' (a typed array over a resizable ArrayBuffer) is lent to native code: JS "
                 "could resize() it and free memory the native code reads. Pass a copy over a "
                 "fixed-length ArrayBuffer",
             ""});
        return false;
      }
    }
  }
  return true;
}

namespace {
// viewInfo(x): the engine's view of a typed array, DataView or ArrayBuffer (never its
// overridable JS properties), or null for anything else.
Napi::Value ViewInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) return env.Null();
  napi_value v = info[0];
  napi_value ab = nullptr;
  size_t offset = 0, bytes = 0;
  const char* type = nullptr;
  bool is = false;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type t;
    size_t length = 0;
    napi_get_typedarray_info(env, v, &t, &length, nullptr, &ab, &offset);
    bytes = length * ElementSize(t);
    type = TypedArrayName(t);
  } else if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_get_dataview_info(env, v, &bytes, nullptr, &ab, &offset);
    type = "DataView";
  } else if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    ab = v;
    napi_get_arraybuffer_info(env, v, nullptr, &bytes);
    type = "ArrayBuffer";
  } else {
    return env.Null();
  }
  bool detached = false, is_ab = false;
  napi_is_arraybuffer(env, ab, &is_ab);
  if (is_ab) napi_is_detached_arraybuffer(env, ab, &detached);
  Napi::Object o = Napi::Object::New(env);
  o.Set("buffer", Napi::Value(env, ab));
  o.Set("byteOffset", Napi::Number::New(env, double(offset)));
  o.Set("byteLength", Napi::Number::New(env, double(bytes)));
  o.Set("type", Napi::String::New(env, type));
  o.Set("detached", Napi::Boolean::New(env, detached));
  o.Set("shared", Napi::Boolean::New(env, !is_ab));
  return o;
}
}  // namespace

void InitJsMemory(Napi::Env env, Napi::Object values) {
  values.Set("viewInfo", Napi::Function::New(env, ViewInfo, "viewInfo"));
}

}  // namespace orcjit::binding
