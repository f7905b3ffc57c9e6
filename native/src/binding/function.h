// getFunction results: plain JS functions whose data holds the resolved safe-call pointer and
// a strong reference to the library, so the code stays mapped while the function is alive.
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <memory>
#include <string>

#include "binding/convert.h"

namespace orcjit::jit {
class Library;
struct CrashInfo;
}

namespace orcjit::binding {

/// A callable for `fn` (the address of __tvm_ffi_<name> in `lib`).
Napi::Function MakeSafeCallFunction(Napi::Env env, std::shared_ptr<jit::Library> lib,
                                    const std::string& name, TVMFFISafeCallType fn);

/// [i16] What an async call (binding/async_call.cc) calls: a getFunction export (its library,
/// kept alive, and safe-call address) or a Function object (functions C++ returned, global
/// and shared-library functions: `func` holds a reference, `pin` its library if any).
struct CallTarget {
  std::shared_ptr<jit::Library> lib;
  std::string name;
  TVMFFISafeCallType fn = nullptr;
  TVMFFIObject* func = nullptr;
  Pin pin;
};

/// [i16] Checks and converts argv for a call of `fn` (any TVM-FFI function value) exactly as a sync
/// call does, and fills `target`. False with a pending JS exception (bad argument, disposed).
bool ConvertCallArgs(napi_env env, napi_value fn, const napi_value* argv, size_t argc,
                     TVMFFIAny* args, ArgScratch& scratch, CallTarget* target);

/// [j16] The error a sync call of `target` (a getFunction export) throws after a contained
/// fault: with `crash`, the NativeCrashError of that fault (the library is marked crashed);
/// without, the "crashed earlier" one. For async calls, which settle later on the JS thread.
napi_value CrashErrorValue(napi_env env, const CallTarget& target, const jit::CrashInfo* crash);

/// values.setFunctionSignature(fn, kinds, types): declared parameter kinds for checked calls.
Napi::Value SetFunctionSignature(const Napi::CallbackInfo& info);

}  // namespace orcjit::binding
