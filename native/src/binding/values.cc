#include "binding/values.h"

#include <cmath>
#include <cstring>

#include "binding/addon_data.h"

namespace orcjit::binding {

char* ArgScratch::StringBuffer(size_t len) {
  if (inline_used_ + len + 1 <= sizeof(inline_chars_)) {
    char* p = inline_chars_ + inline_used_;
    inline_used_ += len + 1;
    return p;
  }
  auto& strings = overflow().strings;
  strings.emplace_back(len, '\0');
  return strings.back().data();
}

TVMFFIByteArray* ArgScratch::ByteArray() {
  if (arrays_used_ < kInlineArgs) return &inline_arrays_[arrays_used_++];
  auto& arrays = overflow().arrays;
  arrays.push_back(std::make_unique<TVMFFIByteArray>());
  return arrays.back().get();
}

void ArgScratch::Own(TVMFFIObject* obj) {
  if (owned_count_ < kInlineArgs)
    owned_[owned_count_++] = obj;
  else
    overflow().owned.push_back(obj);
}

void ArgScratch::ReleaseSlow() {
  for (size_t i = 0; i < owned_count_; ++i) TVMFFIObjectDecRef(owned_[i]);
  owned_count_ = 0;
  if (overflow_) {
    for (TVMFFIObject* obj : overflow_->owned) TVMFFIObjectDecRef(obj);
    overflow_->owned.clear();
  }
}

namespace {

[[noreturn]] void ArgTypeError(Napi::Env env, const char* fn_name, size_t index,
                               const std::string& what) {
  throw Napi::TypeError::New(env, std::string("argument #") + std::to_string(index) + " of '" +
                                      fn_name + "': " + what);
}

void SetNone(TVMFFIAny* out) {
  out->type_index = kTVMFFINone;
  out->zero_padding = 0;
  out->v_int64 = 0;
}

void DoubleToAny(double d, TVMFFIAny* out) {
  out->zero_padding = 0;
  // Integers that fit int64 go as Int (what C/C++ integer parameters expect).
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9223372036854775808.0) {
    out->type_index = kTVMFFIInt;
    out->v_int64 = static_cast<int64_t>(d);
  } else {
    out->type_index = kTVMFFIFloat;
    out->v_float64 = d;
  }
}

void BigIntToAny(Napi::Env env, napi_value value, TVMFFIAny* out, const char* fn, size_t i) {
  int64_t v;
  bool lossless = false;
  napi_get_value_bigint_int64(env, value, &v, &lossless);
  if (!lossless) {
    throw Napi::RangeError::New(env, std::string("argument #") + std::to_string(i) + " of '" +
                                         fn + "': bigint out of the int64 range");
  }
  out->type_index = kTVMFFIInt;
  out->zero_padding = 0;
  out->v_int64 = v;
}

void StringToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch) {
  size_t len = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &len);
  if (len <= 7) {
    out->type_index = kTVMFFISmallStr;
    out->small_str_len = static_cast<uint32_t>(len);
    out->v_int64 = 0;
    char buf[8];
    size_t got = 0;
    napi_get_value_string_utf8(env, value, buf, sizeof(buf), &got);
    std::memcpy(out->v_bytes, buf, got);
    return;
  }
  char* buf = scratch.StringBuffer(len);
  size_t got = 0;
  napi_get_value_string_utf8(env, value, buf, len + 1, &got);
  if (std::memchr(buf, '\0', got) == nullptr) {
    out->type_index = kTVMFFIRawStr;
    out->zero_padding = 0;
    out->v_c_str = buf;
    return;
  }
  // An embedded NUL cannot travel as a C string: make a Str object.
  TVMFFIByteArray bytes{buf, got};
  if (TVMFFIStringFromByteArray(&bytes, out) != 0) {
    TVMFFIObjectHandle err = nullptr;
    TVMFFIErrorMoveFromRaised(&err);
    if (err) TVMFFIObjectDecRef(err);
    throw Napi::Error::New(env, "cannot allocate a string argument");
  }
  if (out->type_index >= kTVMFFIStaticObjectBegin) scratch.Own(out->v_obj);
}

bool BufferToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return false;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr);
  if (type != napi_uint8_array && type != napi_uint8_clamped_array) return false;
  TVMFFIByteArray* arr = scratch.ByteArray();
  arr->data = static_cast<const char*>(data);
  arr->size = length;
  out->type_index = kTVMFFIByteArrayPtr;
  out->zero_padding = 0;
  out->v_ptr = arr;
  return true;
}

const char* TypeName(napi_valuetype t) {
  switch (t) {
    case napi_object: return "an object";
    case napi_function: return "a function";
    case napi_symbol: return "a symbol";
    case napi_external: return "an external";
    default: return "a value";
  }
}

}  // namespace

void ToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
           const char* fn_name, size_t index) {
  // Fast path: numbers need one N-API call instead of typeof + get.
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok) return DoubleToAny(d, out);
  napi_valuetype t;
  napi_typeof(env, value, &t);
  switch (t) {
    case napi_boolean: {
      bool b = false;
      napi_get_value_bool(env, value, &b);
      out->type_index = kTVMFFIBool;
      out->zero_padding = 0;
      out->v_int64 = b ? 1 : 0;
      return;
    }
    case napi_undefined:
    case napi_null: return SetNone(out);
    case napi_string: return StringToAny(env, value, out, scratch);
    case napi_bigint: return BigIntToAny(env, value, out, fn_name, index);
    case napi_object:
      if (BufferToAny(env, value, out, scratch)) return;
      ArgTypeError(env, fn_name, index,
                   "unsupported object (supported: number, bigint, boolean, string, "
                   "Uint8Array/Buffer, null, undefined)");
    default:
      ArgTypeError(env, fn_name, index,
                   std::string("cannot pass ") + TypeName(t) +
                       " (supported: number, bigint, boolean, string, Uint8Array/Buffer, null, "
                       "undefined)");
  }
}

namespace {

Napi::Value IntToJs(Napi::Env env, int64_t v) {
  constexpr int64_t kMaxSafe = (int64_t(1) << 53) - 1;
  if (v >= -kMaxSafe && v <= kMaxSafe) return Napi::Number::New(env, static_cast<double>(v));
  return Napi::BigInt::New(env, v);
}

Napi::Value BytesToJs(Napi::Env env, const char* data, size_t size) {
  auto ab = Napi::ArrayBuffer::New(env, size);
  if (size) std::memcpy(ab.Data(), data, size);
  return Napi::Uint8Array::New(env, size, ab, 0);
}

/// Releases the reference an owned result holds.
struct ResultRef {
  TVMFFIObject* obj;
  ~ResultRef() {
    if (obj) TVMFFIObjectDecRef(obj);
  }
};

}  // namespace

Napi::Value FromAny(Napi::Env env, TVMFFIAny* value, const char* fn_name) {
  ResultRef ref{value->type_index >= kTVMFFIStaticObjectBegin ? value->v_obj : nullptr};
  switch (value->type_index) {
    case kTVMFFINone: return env.Null();
    case kTVMFFIInt: return IntToJs(env, value->v_int64);
    case kTVMFFIBool: return Napi::Boolean::New(env, value->v_int64 != 0);
    case kTVMFFIFloat: return Napi::Number::New(env, value->v_float64);
    case kTVMFFISmallStr:
      return Napi::String::New(env, value->v_bytes, value->small_str_len);
    case kTVMFFIRawStr: return Napi::String::New(env, value->v_c_str ? value->v_c_str : "");
    case kTVMFFISmallBytes: return BytesToJs(env, value->v_bytes, value->small_str_len);
    case kTVMFFIStr: {
      TVMFFIByteArray* b = TVMFFIBytesGetByteArrayPtr(value->v_obj);
      return Napi::String::New(env, b->data, b->size);
    }
    case kTVMFFIBytes: {
      TVMFFIByteArray* b = TVMFFIBytesGetByteArrayPtr(value->v_obj);
      return BytesToJs(env, b->data, b->size);
    }
    default:
      throw Napi::TypeError::New(env, std::string("result of '") + fn_name +
                                          "' has TVM-FFI type index " +
                                          std::to_string(value->type_index) +
                                          ", which cannot be converted to JS yet");
  }
}

Napi::Value TakeRaisedError(Napi::Env env, int rc, const char* fn_name) {
  TVMFFIObjectHandle err = nullptr;
  TVMFFIErrorMoveFromRaised(&err);
  if (!err) {
    return MakeFFIError(env, "InternalError",
                        std::string("'") + fn_name + "' returned " + std::to_string(rc) +
                            " without raising an error",
                        "");
  }
  TVMFFIErrorCell* cell = TVMFFIErrorGetCellPtr(err);
  std::string kind(cell->kind.data, cell->kind.size);
  std::string message(cell->message.data, cell->message.size);
  std::string backtrace(cell->backtrace.data, cell->backtrace.size);
  TVMFFIObjectDecRef(err);
  return MakeFFIError(env, kind, message, backtrace);
}

}  // namespace orcjit::binding
