// Per-environment state of the addon: the JS error classes injected by `initialize`, the
// constructors of the wrapped classes, and the sessions to dispose at environment teardown.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "jit/jit_error.h"

namespace orcjit::jit {
class Library;
class Session;
}

namespace orcjit::binding {

struct AddonData {
  Napi::FunctionReference session_ctor;
  Napi::FunctionReference library_ctor;
  // Injected from src/errors.ts through initialize({...}).
  Napi::FunctionReference ffi_error;            // new (kind, message, backtrace)
  Napi::FunctionReference link_error;           // new (message)
  Napi::FunctionReference object_file_error;    // new (message)
  Napi::FunctionReference symbol_not_found;     // new (message)
  Napi::FunctionReference disposed_error;       // new (message)
  Napi::FunctionReference native_crash_error;   // [i15] new (message, details)
  std::vector<std::weak_ptr<jit::Session>> sessions;
  // Hand-off from LibraryWrap::New to the constructor it invokes (so JS cannot construct a
  // Library itself). Per environment: an environment runs on one thread, so no lock is
  // needed, and workers creating libraries at once never see each other's pointer.
  std::shared_ptr<jit::Library>* pending_library = nullptr;

  static AddonData* Get(Napi::Env env) { return env.GetInstanceData<AddonData>(); }
};

/// A JS error object for a JitError, using the injected classes (plain Error before init).
Napi::Value MakeJitError(Napi::Env env, const jit::JitError& err);
/// A JS FFIError(kind, message, backtrace) with the backtrace appended to its stack.
Napi::Value MakeFFIError(Napi::Env env, const std::string& kind, const std::string& message,
                         const std::string& backtrace);
/// Throws `value` as a JS exception (NAPI_CPP_EXCEPTIONS).
[[noreturn]] void ThrowValue(Napi::Env env, Napi::Value value);

/// Runs `body`, turning JitError into the typed JS error.
template <typename F>
auto Guard(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const jit::JitError& e) {
    ThrowValue(env, MakeJitError(env, e));
  }
}

}  // namespace orcjit::binding
