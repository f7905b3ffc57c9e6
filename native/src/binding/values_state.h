// Per-environment state of the value layer. Each napi_env lives on one thread, so the state
// is reached through a thread_local pointer: CurrentEnvState() is also the "am I on a JS
// thread, and which one" test used by callbacks.
#pragma once
#include <napi.h>

#include "binding/values.h"

namespace orcjit::binding {

struct EnvState {
  napi_env env = nullptr;
  ValueClasses classes;
};

/// The state of the environment running on this thread, or nullptr (not a JS thread).
EnvState* CurrentEnvState();

/// Raise `error` (a JS exception value) as this thread's TVM-FFI error; it comes back out
/// in JS as the same object (TakeRaisedError).
void RaiseJsError(Napi::Env env, napi_value error);

}  // namespace orcjit::binding
