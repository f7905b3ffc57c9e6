// The one JS value <-> TVMFFIAny converter. Every path that crosses the boundary uses it:
// direct calls (binding/function.cc, whose fast lanes are the inline helpers below), callback
// arguments and results, global functions, object fields and methods (binding/values_api.cc).
// Rules (docs/values.md): numbers cross as Int when integral and within int64 (not -0), else
// Float; a signature (binding/signature.h) or ffi.float() can force Float. JS arrays become
// ffi.Array and Map / plain objects ffi.Map, elements by the same rules.
//
// Arguments are borrowed views valid for one call: strings live in an ArgScratch owned by
// the caller's stack frame, byte arrays and typed-array tensors (a DLTensor + shape in the
// scratch, kTVMFFIDLTensorPtr) point into the JS buffer, and the owned objects (strings with
// an embedded NUL, JS functions wrapped as Function objects, containers) are released by
// ArgScratch::Release after the call.
// Adding a kind: extend ToAny (switch on napi_typeof, then one helper per kind) and FromAny
// (switch on the type index, one helper per kind), in convert.cc.
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "binding/lifetime.h"
#include "binding/v8_lanes.h"

namespace orcjit::binding {

/// Arguments handled without heap allocation (beyond long strings).
constexpr size_t kInlineArgs = 8;

/// Storage of one typed-array view: a 1-D DLTensor (with its shape) or a byte array.
struct ViewSlot {
  DLTensor tensor;
  int64_t shape;
  TVMFFIByteArray bytes;
};

class ArgScratch {
 public:
  ArgScratch() = default;
  ArgScratch(const ArgScratch&) = delete;
  ArgScratch& operator=(const ArgScratch&) = delete;
  ~ArgScratch() { Release(); }

  /// Storage for a NUL-terminated string of `len` bytes.
  char* StringBuffer(size_t len);
  /// Storage for one typed-array view.
  ViewSlot* View();
  /// Remember an owned object reference to drop after the call.
  void Own(TVMFFIObject* obj);
  /// Drops owned references.
  void Release() {
    if (overflow_ || owned_count_) ReleaseSlow();
  }

 private:
  void ReleaseSlow();
  // Everything beyond the inline capacity; allocated only when needed, so the common call
  // constructs and destroys this object without touching the heap.
  struct Overflow {
    std::vector<std::string> strings;
    std::vector<std::unique_ptr<ViewSlot>> views;
    std::vector<TVMFFIObject*> owned;
  };
  Overflow& overflow() {
    if (!overflow_) overflow_.reset(new Overflow());
    return *overflow_;
  }
  char inline_chars_[512];
  size_t inline_used_ = 0;
  ViewSlot inline_views_[4];
  size_t views_used_ = 0;
  TVMFFIObject* owned_[kInlineArgs];
  size_t owned_count_ = 0;
  std::unique_ptr<Overflow> overflow_;
};

/// Where results come from: values that hold objects pin this library (lazily).
class PinSource {
 public:
  PinSource() = default;
  explicit PinSource(const std::shared_ptr<jit::Library>* lib) : lib_(lib) {}
  explicit PinSource(Pin pin, uint64_t owner = 0) : pin_(std::move(pin)), owner_(owner) {}
  Pin Get() {
    if (!pin_ && lib_ && *lib_) pin_ = PinLibrary(*lib_);
    return pin_;
  }
  /// Runtime keep-alive owner (a library-registered global function's library), or 0.
  uint64_t owner() const { return owner_; }

 private:
  const std::shared_ptr<jit::Library>* lib_ = nullptr;
  Pin pin_;
  uint64_t owner_ = 0;
};

// ---------------------------------------------------------------- scalars (inline fast lanes)

/// An Any holding None (a call's result before the call).
inline TVMFFIAny NoneAny() {
  TVMFFIAny a;
  a.type_index = kTVMFFINone;
  a.zero_padding = 0;
  a.v_int64 = 0;
  return a;
}

inline void FloatToAny(double d, TVMFFIAny* out) {
  out->type_index = kTVMFFIFloat;
  out->zero_padding = 0;
  out->v_float64 = d;
}

/// A JS number as an argument: integers within int64 go as Int (what C/C++ integer
/// parameters expect), everything else (fractions, NaN, ±Inf, -0, ±2^63 and beyond) as Float.
/// Inline: this is the call path's fast lane (no libm, no N-API).
inline void NumberToAny(double d, TVMFFIAny* out) {
  out->zero_padding = 0;
  // The range test is false for NaN and makes the cast defined; the round trip is exact
  // only for integral values. -0 round-trips as 0: it keeps its sign only as a Float.
  if (d > -9223372036854775808.0 && d < 9223372036854775808.0) {
    int64_t i = static_cast<int64_t>(d);
    if (static_cast<double>(i) == d && (i != 0 || !std::signbit(d))) {
      out->type_index = kTVMFFIInt;
      out->v_int64 = i;
      return;
    }
  }
  out->type_index = kTVMFFIFloat;
  out->v_float64 = d;
}

/// Largest integer a JS number holds exactly (Int results beyond it become bigint).
constexpr int64_t kMaxSafeInteger = (int64_t(1) << 53) - 1;

/// None, safe-range Int, Float and Bool as JS without leaving the caller (results and
/// callback arguments). False for every other kind.
inline bool ScalarToJs(napi_env env, const TVMFFIAny& a, napi_value* out) {
  switch (a.type_index) {
    case kTVMFFINone: napi_get_null(env, out); return true;
    case kTVMFFIInt:
      if (a.v_int64 == static_cast<int32_t>(a.v_int64)) {
        napi_create_int32(env, static_cast<int32_t>(a.v_int64), out);
        return true;
      }
      if (a.v_int64 >= -kMaxSafeInteger && a.v_int64 <= kMaxSafeInteger) {
        napi_create_double(env, static_cast<double>(a.v_int64), out);
        return true;
      }
      return false;  // bigint
    case kTVMFFIFloat: napi_create_double(env, a.v_float64, out); return true;
    case kTVMFFIBool: napi_get_boolean(env, a.v_int64 != 0, out); return true;
    default: return false;
  }
}

// ---------------------------------------------------------------- typed arrays

/// dtype of a typed-array kind (Uint8 is passed as Bytes, not through this).
inline bool TypedArrayDType(napi_typedarray_type type, DLDataType* out) {
  switch (type) {
    case napi_int8_array: *out = {kDLInt, 8, 1}; return true;
    case napi_uint8_array:
    case napi_uint8_clamped_array: *out = {kDLUInt, 8, 1}; return true;
    case napi_int16_array: *out = {kDLInt, 16, 1}; return true;
    case napi_uint16_array: *out = {kDLUInt, 16, 1}; return true;
    case napi_int32_array: *out = {kDLInt, 32, 1}; return true;
    case napi_uint32_array: *out = {kDLUInt, 32, 1}; return true;
    case napi_float32_array: *out = {kDLFloat, 32, 1}; return true;
    case napi_float64_array: *out = {kDLFloat, 64, 1}; return true;
    case napi_bigint64_array: *out = {kDLInt, 64, 1}; return true;
    case napi_biguint64_array: *out = {kDLUInt, 64, 1}; return true;
    default: return false;
  }
}

/// The zero-copy view of a typed array's elements in `slot`: Bytes for Uint8Array (and
/// Uint8ClampedArray), a 1-D CPU DLTensor for every other kind. False for an unknown kind.
inline bool FillTypedArrayView(napi_typedarray_type type, size_t length, void* data,
                               TVMFFIAny* out, ViewSlot* slot) {
  out->zero_padding = 0;
  if (type == napi_uint8_array || type == napi_uint8_clamped_array) {
    slot->bytes.data = static_cast<const char*>(data);
    slot->bytes.size = length;
    out->type_index = kTVMFFIByteArrayPtr;
    out->v_ptr = &slot->bytes;
    return true;
  }
  DLTensor* t = &slot->tensor;
  if (!TypedArrayDType(type, &t->dtype)) return false;
  slot->shape = static_cast<int64_t>(length);
  t->data = data;
  t->device = {kDLCPU, 0};
  t->ndim = 1;
  t->shape = &slot->shape;
  t->strides = nullptr;
  t->byte_offset = 0;
  out->type_index = kTVMFFIDLTensorPtr;
  out->v_ptr = t;
  return true;
}

/// The call path's typed-array lane. 1: converted into `slot`; 0: not a typed array;
/// -1: a typed array for ToAny (no data: maybe detached, which ToAny reports). `hint` is the
/// kind this argument position held last time (-1: none yet), updated here: with the V8
/// lanes (v8_lanes.h) the same kind again costs one V8 check instead of Node-API's walk.
inline int TypedArrayArg(napi_env env, napi_value value, TVMFFIAny* out, ViewSlot* slot,
                         int8_t* hint) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  const V8Lanes* lanes = ActiveV8Lanes();
  if (lanes != nullptr && *hint >= 0 && TypedArrayOfKind(lanes, value, *hint, &length, &data)) {
    type = static_cast<napi_typedarray_type>(*hint);
  } else {
    if (napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok)
      return 0;
    // Only kinds the lanes know (a newer Node may report more, e.g. Float16Array): the
    // hint indexes V8Lanes::is_kind.
    *hint = type <= napi_biguint64_array ? static_cast<int8_t>(type) : -1;
  }
  if (__builtin_expect(data == nullptr && length == 0, 0)) return -1;
  return FillTypedArrayView(type, length, data, out, slot) ? 1 : -1;
}

/// The call path's number lane: a JS number as an argument (NumberToAny's rules), false when
/// `value` is not a number. Int32 values (the common integer arguments) skip the double.
inline bool NumberArg(napi_env env, napi_value value, TVMFFIAny* out) {
  if (const V8Lanes* lanes = ActiveV8Lanes()) {
    if (lanes->is_int32(value)) {
      out->type_index = kTVMFFIInt;
      out->zero_padding = 0;
      out->v_int64 = lanes->int32_value(value);
      return true;
    }
    if (!lanes->is_number(value)) return false;
    NumberToAny(lanes->number_value(value), out);
    return true;
  }
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok) return false;
  NumberToAny(d, out);
  return true;
}

/// A JS number as a double (false when not a number): the V8 lane when on.
inline bool NumberValue(napi_env env, napi_value value, double* out) {
  if (const V8Lanes* lanes = ActiveV8Lanes()) {
    if (!lanes->is_number(value)) return false;
    *out = lanes->number_value(value);
    return true;
  }
  return napi_get_value_double(env, value, out) == napi_ok;
}

// ---------------------------------------------------------------- JS -> Any

/// Converts argument #index (0-based) of `fn_name`. Throws a JS TypeError naming both when
/// the value has no TVM-FFI representation.
void ToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
           const char* fn_name, size_t index);
/// ToAny for a value the caller already found not to be a number (napi_get_value_double
/// failed): saves that call.
void ToAnyNonNumber(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
                    const char* fn_name, size_t index);
/// ToAny for a value the caller already found not to be a typed array.
void ToAnyNotTypedArray(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
                        const char* fn_name, size_t index);
/// ToAny trying typed arrays before numbers: for argument positions that held a non-number
/// on the previous call (saves the failing number probe on tensor arguments).
void ToAnyTypedArrayFirst(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
                          const char* fn_name, size_t index);

/// ToAny over `argc` arguments (argument #i into args[i]).
void ConvertArgs(Napi::Env env, const napi_value* argv, size_t argc, TVMFFIAny* args,
                 ArgScratch& scratch, const char* fn_name);

/// Converts a JS value to an owned Any (callback results, container elements); a typed array
/// becomes an owned Tensor over its memory.
void ToOwnedAny(Napi::Env env, napi_value value, TVMFFIAny* out, const char* what);

/// The result of JS callback `callback` as an owned Any (errors name it as the result of
/// that function); ResultToOwnedAny's out-of-line part.
void CallbackResultToOwnedAny(Napi::Env env, napi_value value, TVMFFIAny* out,
                              const std::string& callback);

/// CallbackResultToOwnedAny with undefined/null/number/boolean handled inline.
inline void ResultToOwnedAny(Napi::Env env, napi_value value, TVMFFIAny* out,
                             const std::string& callback) {
  napi_valuetype t = napi_undefined;
  napi_typeof(env, value, &t);
  switch (t) {
    case napi_undefined:
    case napi_null:
      out->type_index = kTVMFFINone;
      out->zero_padding = 0;
      out->v_int64 = 0;
      return;
    case napi_number: {
      double d = 0;
      napi_get_value_double(env, value, &d);
      return NumberToAny(d, out);
    }
    case napi_boolean: {
      bool b = false;
      napi_get_value_bool(env, value, &b);
      out->type_index = kTVMFFIBool;
      out->zero_padding = 0;
      out->v_int64 = b ? 1 : 0;
      return;
    }
    default: CallbackResultToOwnedAny(env, value, out, callback);
  }
}

// ---------------------------------------------------------------- Any -> JS

/// Converts a call result to JS and releases the reference it held (if any).
Napi::Value FromAny(Napi::Env env, TVMFFIAny* value, const char* fn_name);
Napi::Value FromAny(Napi::Env env, TVMFFIAny* value, const char* fn_name, PinSource& pin);
/// Converts a borrowed view (callback arguments, container elements) to JS.
Napi::Value FromAnyView(Napi::Env env, const TVMFFIAny& view, const char* fn_name,
                        PinSource& pin);

}  // namespace orcjit::binding
