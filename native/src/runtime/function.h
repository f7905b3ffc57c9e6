// Function objects made by the runtime (TVMFFIFunctionCreate): FunctionCell at offset 24 with
// cpp_call = NULL, so every caller goes through safe_call (TVM_FFI_ABI.md §3.6).
#pragma once
#include <tvm/ffi/c_api.h>

namespace orcjit::runtime {

struct FunctionObj {
  TVMFFIObject header;
  TVMFFIFunctionCell cell;
  void* self;
  TVMFFISafeCallType fn;
  void (*self_deleter)(void*);
  ~FunctionObj() {
    if (self_deleter) self_deleter(self);
  }
};

/// New Function (strong ref owned by the caller) calling fn(self, ...). Throws std::bad_alloc;
/// on throw self_deleter has NOT been called.
TVMFFIObject* NewFunction(void* self, TVMFFISafeCallType fn, void (*self_deleter)(void*));

}  // namespace orcjit::runtime
