// Every JS error the addon makes, in one place (binding/js_errors.cc), and the TVM-FFI error
// slot in both directions:
//  - JIT engine failures (jit::JitError) become the class its ErrorKind names (LinkError,
//    ObjectFileError, SymbolNotFoundError, DisposedError); the kind is chosen where the
//    failure happens, never from its message text;
//  - TVM-FFI errors raised by native code become FFIError(kind, message, backtrace), or the
//    original JS error when a JS callback threw it (RaiseJsError -> TakeRaisedError);
//  - contained crashes become NativeCrashError.
// The classes are the ones src/errors.ts passed to initialize (binding/addon_state.h).
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <string>

#include "jit/jit_error.h"

namespace orcjit::binding {

/// Throws `value` as a JS exception (NAPI_CPP_EXCEPTIONS).
[[noreturn]] void ThrowValue(Napi::Env env, Napi::Value value);

/// The typed JS error of a JitError (plain Error before initialize).
Napi::Value MakeJitError(Napi::Env env, const jit::JitError& err);
/// FFIError(kind, message, backtrace), with the backtrace appended to its stack.
Napi::Value MakeFFIError(Napi::Env env, const std::string& kind, const std::string& message,
                         const std::string& backtrace);
/// NativeCrashError(message, details): `details` holds library, function, signal, ...
Napi::Value MakeNativeCrashError(Napi::Env env, const std::string& message,
                                 Napi::Object details);

/// Moves the pending TVM-FFI error of this thread into a JS value: the original JS error when
/// a JS callback threw it, else a FFIError. `rc`/`fn_name` explain a call that failed without
/// raising one.
Napi::Value TakeRaisedError(Napi::Env env, int rc, const char* fn_name);
/// An ffi.Error object (borrowed) as JS: the original JS error if it carries one.
Napi::Value ErrorObjectToJs(Napi::Env env, TVMFFIObject* err);
/// Raises `error` (a JS exception value) as this thread's TVM-FFI error; it comes back out
/// in JS as the same object (TakeRaisedError).
void RaiseJsError(Napi::Env env, napi_value error);

/// For node-addon-api callbacks: runs `body`, turning a JitError into its typed JS error
/// (thrown as Napi::Error, which node-addon-api hands to JS).
template <typename F>
auto Guard(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const jit::JitError& e) {
    ThrowValue(env, MakeJitError(env, e));
  }
}

/// For raw napi_callbacks (the call path): runs `body` under Guard and leaves whatever it
/// throws as the pending JS exception (returning nullptr), since no C++ exception may cross
/// a raw N-API boundary.
template <typename F>
napi_value GuardRaw(napi_env env, F&& body) {
  try {
    return Guard(Napi::Env(env), body);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  } catch (...) {
    napi_throw_error(env, nullptr, "unknown C++ exception in the call path");
  }
  return nullptr;
}

}  // namespace orcjit::binding
