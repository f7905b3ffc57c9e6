// JS <-> TVMFFIAny marshalling for safe calls.
//
// Arguments are borrowed views valid for one call: strings live in an ArgScratch owned by
// the caller's stack frame, byte arrays and typed-array tensors (a DLTensor + shape in the
// scratch, kTVMFFIDLTensorPtr) point into the JS buffer, and the few owned objects (strings
// with an embedded NUL, JS functions wrapped as Function objects) are released by
// ArgScratch::Release after the call.
// Adding a kind: extend ToAny (switch on napi_typeof, then one helper per kind) and
// FromAny (switch on the type index, one helper per kind).
//
// JS wrappers of FFI values (FFIObject, Tensor, functions returned by C++, DataType, Device)
// carry a native Box (napi_wrap + a type tag): the strong object reference and the pin of
// the library that produced it (binding/lifetime.h). Passing such a wrapper back passes the
// object as-is.
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <memory>
#include <string>
#include <vector>

#include "binding/lifetime.h"

namespace orcjit::binding {

/// Arguments handled without heap allocation (beyond long strings).
constexpr size_t kInlineArgs = 8;

class ArgScratch {
 public:
  ArgScratch() = default;
  ArgScratch(const ArgScratch&) = delete;
  ArgScratch& operator=(const ArgScratch&) = delete;
  ~ArgScratch() { Release(); }

  /// Storage for a NUL-terminated string of `len` bytes.
  char* StringBuffer(size_t len);
  /// Storage for one byte-array view.
  TVMFFIByteArray* ByteArray();
  /// Storage for one 1-D DLTensor view (shape points at its own slot).
  DLTensor* Tensor1D();
  /// Remember an owned object reference to drop after the call.
  void Own(TVMFFIObject* obj);
  /// Drops owned references.
  void Release() {
    if (overflow_ || owned_count_) ReleaseSlow();
  }

 private:
  void ReleaseSlow();
  struct TensorSlot {
    DLTensor t;
    int64_t shape;
  };
  // Everything beyond the inline capacity; allocated only when needed, so the common call
  // constructs and destroys this object without touching the heap.
  struct Overflow {
    std::vector<std::string> strings;
    std::vector<std::unique_ptr<TVMFFIByteArray>> arrays;
    std::vector<std::unique_ptr<TensorSlot>> tensors;
    std::vector<TVMFFIObject*> owned;
  };
  Overflow& overflow() {
    if (!overflow_) overflow_.reset(new Overflow());
    return *overflow_;
  }
  char inline_chars_[512];
  size_t inline_used_ = 0;
  TVMFFIByteArray inline_arrays_[kInlineArgs];
  size_t arrays_used_ = 0;
  TensorSlot inline_tensors_[4];
  size_t tensors_used_ = 0;
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

/// A JS number as an argument: integers within int64 go as Int (what C/C++ integer
/// parameters expect), everything else (fractions, NaN, ±Inf, ±2^63 and beyond) as Float.
/// Inline: this is the call path's fast lane (no libm, no N-API).
inline void NumberToAny(double d, TVMFFIAny* out) {
  out->zero_padding = 0;
  // The range test is false for NaN and makes the cast defined; the round trip is exact
  // only for integral values.
  if (d > -9223372036854775808.0 && d < 9223372036854775808.0) {
    int64_t i = static_cast<int64_t>(d);
    if (static_cast<double>(i) == d) {
      out->type_index = kTVMFFIInt;
      out->v_int64 = i;
      return;
    }
  }
  out->type_index = kTVMFFIFloat;
  out->v_float64 = d;
}

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

/// Largest integer a JS number holds exactly (Int results beyond it become bigint).
constexpr int64_t kMaxSafeInteger = (int64_t(1) << 53) - 1;

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

/// Converts a JS value to an owned Any (callback results); views that cannot be owned (a
/// plain typed array) raise TypeError.
void ToOwnedAny(Napi::Env env, napi_value value, TVMFFIAny* out, const char* what);

/// Converts a call result to JS and releases the reference it held (if any).
Napi::Value FromAny(Napi::Env env, TVMFFIAny* value, const char* fn_name);
Napi::Value FromAny(Napi::Env env, TVMFFIAny* value, const char* fn_name, PinSource& pin);
/// Converts a borrowed view (callback arguments, container elements) to JS.
Napi::Value FromAnyView(Napi::Env env, const TVMFFIAny& view, const char* fn_name,
                        PinSource& pin);

/// Moves the pending TVM-FFI error of this thread into a JS value: the original JS error when
/// it was thrown by a JS callback, else a FFIError.
Napi::Value TakeRaisedError(Napi::Env env, int rc, const char* fn_name);

// ---------------------------------------------------------------- boxes
enum class BoxKind : uint8_t { kObject, kDataType, kDevice };

struct JsBuffer;

struct Box {
  BoxKind kind = BoxKind::kObject;
  TVMFFIObject* obj = nullptr;  // strong reference (kObject); null after dispose()
  DLDataType dtype{};
  DLDevice device{};
  Pin pin;
  uint64_t owner = 0;  // retained runtime owner (runtime/global_registry.h), 0 = none
  uint64_t type_owner = 0;  // objects: retained library owning the type's reflection (RetainTypeOwner)
  JsBuffer* buffer = nullptr;  // JS-made tensors: the ArrayBuffer (owned by the tensor object)
  std::string name;            // functions: name used in errors
  ~Box();
};

/// The Box of a tagged JS wrapper, or nullptr.
Box* UnwrapBox(napi_env env, napi_value value);
/// Attaches `box` (ownership passes to the JS object) and tags the object.
void AttachBox(Napi::Env env, napi_value target, Box* box);

/// Per-environment JS factories injected by initValues (src/values/native.ts).
struct ValueClasses {
  Napi::FunctionReference tensor;    // (buffer|null, byteOffset, shape, strides, code, bits, lanes, devType, devId)
  Napi::FunctionReference object;    // (typeIndex, typeKey) -> blank wrapper of the right class
  Napi::FunctionReference dtype;     // (code, bits, lanes)
  Napi::FunctionReference device;    // (type, id)
  Napi::FunctionReference ffi_error; // FFIError class (for error values)
};
ValueClasses* GetValueClasses(napi_env env);

/// Registers the env cleanup hook that restores the global functions an environment's JS
/// replaced; call before the hook that disposes the sessions (hooks run last-in first-out).
void AddLateTeardownHook(napi_env env);

/// Registers the value functions on `exports` (binding/values_api.cc).
void InitValues(Napi::Env env, Napi::Object exports);

/// A JS function calling the Function object `fn` (one strong reference is taken over).
Napi::Value MakeFunctionValue(Napi::Env env, TVMFFIObject* fn, Pin pin, const std::string& name,
                              uint64_t owner = 0);
/// Makes `box` hold `pin` and retain the runtime owner of `src`.
void BoxKeepAlive(Box* box, PinSource& src);

/// Wrap a JS function as a Function object (caller owns the reference).
TVMFFIObject* WrapJsFunction(Napi::Env env, napi_value fn, const std::string& name);

/// A new ffi.Tensor over JS memory (`buffer` is an ArrayBuffer); the tensor keeps the
/// ArrayBuffer alive. Returns the object (owned) and the JsBuffer record via *out_buf.
TVMFFIObject* MakeJsTensor(Napi::Env env, napi_value array_buffer, size_t byte_offset,
                           const DLTensor& proto, JsBuffer** out_buf);

/// True if the JsBuffer's ArrayBuffer was detached (transferred).
bool JsBufferDetached(napi_env env, JsBuffer* buf);

}  // namespace orcjit::binding
