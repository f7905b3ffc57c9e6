// Per-environment state of the value layer. Each napi_env lives on one thread, so the state
// is reached through a thread_local pointer: CurrentEnvState() is also the "am I on a JS
// thread, and which one" test used by callbacks.
#pragma once
#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "binding/values.h"

namespace orcjit::binding {

class LentViews;

struct EnvState {
  napi_env env = nullptr;
  ValueClasses classes;
  // JS callbacks that may still run without a handle scope of their own. A scope per
  // callback costs a heap allocation inside N-API (about a sixth of a round trip); a call
  // from JS that can call back sets a budget (UnscopedCallbacks), so its callbacks' few
  // handles collect in that call's own scope, bounded by the budget, and freed when it returns.
  uint32_t unscoped_callbacks = 0;
  // JS callbacks running on this thread (JsCallbackSafeCall): while > 0, JIT code is on the
  // stack, so disposals wait (binding/lifetime.cc).
  uint32_t callback_depth = 0;
  // Actions (releases of pins) that wait for the event loop: run by a setImmediate.
  std::vector<std::function<void()>> parked;
  bool idle_scheduled = false;
  napi_ref set_immediate = nullptr;  // the global setImmediate, captured at load
  // Typed arrays lent to the JS -> C++ calls in flight, and the JS function that pins an
  // ArrayBuffer (src/values/memory.ts): binding/js_memory.h.
  LentViews* lent = nullptr;
  napi_ref lend_buffer = nullptr;
  // Global functions this environment registered with a JS function of its own (which dies
  // with it), and the entry each replaced (owned reference, or null): restored at teardown.
  struct JsGlobal {
    std::string name;
    TVMFFIObject* func;      // identity only (the registry holds it)
    TVMFFIObject* previous;  // owned
  };
  std::vector<JsGlobal> js_globals;
};

/// Callbacks per JS -> C++ call that skip their own handle scope (a few handles each).
constexpr uint32_t kUnscopedCallbackBudget = 1024;

/// RAII: gives the callbacks made during one JS -> C++ call the budget above (restoring the
/// enclosing call's budget after). `st` may be null (not a JS thread: nothing to do).
class UnscopedCallbacks {
 public:
  explicit UnscopedCallbacks(EnvState* st) : st_(st) {
    if (st_) {
      saved_ = st_->unscoped_callbacks;
      st_->unscoped_callbacks = kUnscopedCallbackBudget;
    }
  }
  ~UnscopedCallbacks() {
    if (st_) st_->unscoped_callbacks = saved_;
  }
  UnscopedCallbacks(const UnscopedCallbacks&) = delete;
  UnscopedCallbacks& operator=(const UnscopedCallbacks&) = delete;

 private:
  EnvState* st_;
  uint32_t saved_ = 0;
};

/// The state of the environment running on this thread, or nullptr (not a JS thread).
EnvState* CurrentEnvState();

/// Raise `error` (a JS exception value) as this thread's TVM-FFI error; it comes back out
/// in JS as the same object (TakeRaisedError).
void RaiseJsError(Napi::Env env, napi_value error);

}  // namespace orcjit::binding
