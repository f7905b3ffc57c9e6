// JS <-> TVMFFIAny marshalling for safe calls.
//
// Arguments are borrowed views valid for one call: strings live in an ArgScratch owned by
// the caller's stack frame, byte arrays point into the JS buffer, and the few owned objects
// (strings with an embedded NUL) are released by ArgScratch::Release after the call.
// Adding a kind: extend ToAny (switch on napi_typeof, then one helper per kind) and
// FromAny (switch on the type index, one helper per kind).
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <memory>
#include <string>
#include <vector>

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
    std::vector<std::unique_ptr<TVMFFIByteArray>> arrays;
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
  TVMFFIObject* owned_[kInlineArgs];
  size_t owned_count_ = 0;
  std::unique_ptr<Overflow> overflow_;
};

/// Converts argument #index (0-based) of `fn_name`. Throws a JS TypeError naming both when
/// the value has no TVM-FFI representation.
void ToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
           const char* fn_name, size_t index);

/// Converts a call result to JS and releases the reference it held (if any).
Napi::Value FromAny(Napi::Env env, TVMFFIAny* value, const char* fn_name);

/// Moves the pending TVM-FFI error of this thread into a JS FFIError value.
Napi::Value TakeRaisedError(Napi::Env env, int rc, const char* fn_name);

}  // namespace orcjit::binding
