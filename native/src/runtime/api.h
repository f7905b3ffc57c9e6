// C++ helpers over the runtime's C API for the node binding and the JIT engine.
// Thin wrappers: ownership follows the C ABI (functions returning TVMFFIObject* / TVMFFIAny
// hand the caller one strong reference; release it with ObjectDecRef / AnyRelease).
// Failures surface as orcjit::runtime::FFIError (kind, message, backtrace).
#pragma once
#include <tvm/ffi/c_api.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace orcjit::runtime {

// ---------------------------------------------------------------- errors
struct ErrorInfo {
  std::string kind;
  std::string message;
  std::string backtrace;  // most recent call first
};

/// A TVM-FFI error as a C++ exception.
class FFIError : public std::exception {
 public:
  explicit FFIError(ErrorInfo info);
  FFIError(std::string kind, std::string message, std::string backtrace = "");
  const ErrorInfo& info() const { return info_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  ErrorInfo info_;
  std::string what_;  // "Kind: message"
};

/// Throw from a CppFunction after the error was already stored with TVMFFIErrorSetRaised: the
/// function returns -1 and leaves the raised slot untouched (lets the binding attach
/// extra_context / cause_chain itself).
struct ErrorAlreadyRaised {};

/// kind/message/backtrace of an Error object (borrowed; no refcount change).
ErrorInfo ReadError(TVMFFIObject* error);
/// Move this thread's raised error out; false (and *out untouched) if the slot is empty.
bool TakeRaisedError(ErrorInfo* out);
/// Move the raised error out and throw it as FFIError (InternalError if the slot is empty).
[[noreturn]] void ThrowRaisedError();
/// New Error object (caller owns the reference).
TVMFFIObject* MakeError(const ErrorInfo& info);
/// Store a new error in this thread's raised slot (never throws).
void SetRaisedError(const ErrorInfo& info);

// ---------------------------------------------------------------- objects and values
inline void ObjectIncRef(TVMFFIObject* obj) { TVMFFIObjectIncRef(obj); }
inline void ObjectDecRef(TVMFFIObject* obj) { TVMFFIObjectDecRef(obj); }

/// An Any holding None.
TVMFFIAny AnyNone();
/// Owned String value: SmallStr for <= 7 bytes, else a Str object.
TVMFFIAny MakeString(std::string_view s);
/// Owned Bytes value: SmallBytes for <= 7 bytes, else a Bytes object.
TVMFFIAny MakeBytes(const void* data, std::size_t size);
/// Bytes of a string-like value (RawStr, ByteArrayPtr, SmallStr/Bytes, Str/Bytes objects);
/// the view borrows from `v`. False if not string-like.
bool AnyAsBytes(const TVMFFIAny& v, std::string_view* out);
/// Retain an owned or viewed value (IncRef if it holds an object).
void AnyRetain(const TVMFFIAny& v);
/// Release an owned value (DecRef if object) and reset it to None.
void AnyRelease(TVMFFIAny* v);
/// Owned copy of a borrowed view (TVMFFIAnyViewToOwnedAny); throws FFIError.
TVMFFIAny AnyViewToOwned(const TVMFFIAny& view);
/// Registered type key of a type index ("int", "ffi.String", "my.IntPair", ...); a
/// placeholder for unregistered indices (never aborts).
std::string TypeKey(int32_t type_index);

// ---------------------------------------------------------------- functions
/// A C++ callable exposed as an ffi.Function. `args` are borrowed views; write an owned value
/// to *result (pre-set to None). Throw FFIError (kind kept), ErrorAlreadyRaised, or any
/// std::exception (becomes InternalError).
using CppFunction =
    std::function<void(const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result)>;

/// New Function object wrapping fn (caller owns the reference). cpp_call is NULL.
TVMFFIObject* CreateFunction(CppFunction fn);
/// Call a Function; *result is set to None first and owned by the caller after. Throws FFIError.
void CallFunction(TVMFFIObject* func, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result);
/// New reference to a global function, or nullptr.
TVMFFIObject* GetGlobalFunction(std::string_view name);
/// Register a global function (registry keeps its own reference). Throws FFIError on duplicate
/// name unless allow_override.
void SetGlobalFunction(std::string_view name, TVMFFIObject* func, bool allow_override);
/// Names of all global functions, sorted.
std::vector<std::string> ListGlobalFunctionNames();
/// Remove a global function; false if absent.
bool RemoveGlobalFunction(std::string_view name);

// ---------------------------------------------------------------- shapes and tensors
/// New ffi.Shape object (copies the dims).
TVMFFIObject* CreateShape(const int64_t* dims, std::size_t ndim);
/// New ffi.Tensor over external memory described by `proto` (shape/strides are copied; NULL
/// strides become compact row-major). release(ctx) runs when the tensor dies (may be NULL).
TVMFFIObject* CreateTensorFromExternal(const DLTensor& proto, void* ctx, void (*release)(void*));

}  // namespace orcjit::runtime
