// Function objects made by the runtime (TVMFFIFunctionCreate): FunctionCell at offset 24 with
// cpp_call = NULL, so every caller goes through safe_call (TVM_FFI_ABI.md §3.6).
#pragma once
#include <cstdint>
#include <tvm/ffi/c_api.h>

namespace orcjit::runtime {

struct FunctionObj {
  TVMFFIObject header;
  TVMFFIFunctionCell cell;
  void* self;
  TVMFFISafeCallType fn;
  void (*self_deleter)(void*);
  // The JIT library whose constructors created this function (0 = none): retained so its
  // code stays mapped while the function lives (runtime/global_registry.h).
  uint64_t owner = 0;
  ~FunctionObj();
};

/// Makes `func` (a FunctionObj) keep the JIT library `owner` mapped while it lives
/// (RetainOwner now, ReleaseOwner when destroyed). No-op for owner 0 or if already owned.
void SetFunctionOwner(TVMFFIObject* func, uint64_t owner);

/// New Function (strong ref owned by the caller) calling fn(self, ...). Throws std::bad_alloc;
/// on throw self_deleter has NOT been called.
TVMFFIObject* NewFunction(void* self, TVMFFISafeCallType fn, void (*self_deleter)(void*));

}  // namespace orcjit::runtime
