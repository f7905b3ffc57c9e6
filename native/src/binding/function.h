// getFunction results: plain JS functions whose data holds the resolved safe-call pointer and
// a strong reference to the library, so the code stays mapped while the function is alive.
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <memory>
#include <string>

namespace orcjit::jit {
class Library;
}

namespace orcjit::binding {

/// A callable for `fn` (the address of __tvm_ffi_<name> in `lib`).
Napi::Function MakeSafeCallFunction(Napi::Env env, std::shared_ptr<jit::Library> lib,
                                    const std::string& name, TVMFFISafeCallType fn);

/// values.setFunctionSignature(fn, kinds, types): declared parameter kinds for checked calls.
Napi::Value SetFunctionSignature(const Napi::CallbackInfo& info);

}  // namespace orcjit::binding
