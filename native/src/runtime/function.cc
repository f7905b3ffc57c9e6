// TVMFFIFunctionCreate / TVMFFIFunctionCall.
#include "runtime/function.h"

#include "runtime/error.h"
#include "runtime/global_registry.h"
#include "runtime/object.h"

namespace orcjit::runtime {
namespace {

// The cell's safe_call receives the function object itself as handle; forward to the user's
// callback with the `self` it registered.
int FunctionTrampoline(void* handle, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
  auto* f = static_cast<FunctionObj*>(handle);
  return f->fn(f->self, args, num_args, result);
}

}  // namespace

FunctionObj::~FunctionObj() {
  if (self_deleter) self_deleter(self);  // user code: before the owner may be unmapped
  ReleaseOwner(owner);
}

TVMFFIObject* NewFunction(void* self, TVMFFISafeCallType fn, void (*self_deleter)(void*)) {
  FunctionObj* f = MakeObject<FunctionObj>(kTVMFFIFunction, 0);
  f->cell.safe_call = &FunctionTrampoline;
  f->cell.cpp_call = nullptr;  // never expose a C++-ABI entry: callers may use another toolchain
  f->self = self;
  f->fn = fn;
  f->self_deleter = self_deleter;
  return Header(f);
}

void SetFunctionOwner(TVMFFIObject* func, uint64_t owner) {
  auto* f = reinterpret_cast<FunctionObj*>(func);
  if (owner == 0 || f->owner != 0) return;
  RetainOwner(owner);
  f->owner = owner;
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int TVMFFIFunctionCreate(void* self, TVMFFISafeCallType safe_call,
                                     void (*deleter)(void* self), TVMFFIObjectHandle* out) {
  ORCJIT_API_BEGIN();
  *out = NewFunction(self, safe_call, deleter);
  // Made by JIT code while its library's constructors run: self/deleter point into that
  // library, which stays mapped while the function lives.
  SetFunctionOwner(static_cast<TVMFFIObject*>(*out), CurrentGlobalOwner());
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFIFunctionCall(TVMFFIObjectHandle func, TVMFFIAny* args, int32_t num_args,
                                   TVMFFIAny* result) {
  auto* obj = static_cast<TVMFFIObject*>(func);
  if (obj == nullptr || obj->type_index != kTVMFFIFunction) {
    RaiseError("TypeError", "TVMFFIFunctionCall: handle is not an ffi.Function");
    return -1;
  }
  return TVMFFIFunctionGetCellPtr(func)->safe_call(func, args, num_args, result);
}

}  // extern "C"
