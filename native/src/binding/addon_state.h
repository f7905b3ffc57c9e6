// The addon's one per-environment state (`Addon`): what `initialize({ errors, factories })`
// injected, the constructors of the wrapped classes, the sessions to dispose at teardown and
// the bookkeeping of JS callbacks. The main thread and every worker thread each have their
// own environment, hence their own Addon.
//
// Two ways to reach it:
//  - Addon::Get(env): from anything that has the env (an N-API callback);
//  - Addon::Current(): the Addon of the JS thread this code runs on, or nullptr (a pool
//    thread, a kernel's own thread, or an environment whose teardown began). This is also
//    the "am I on a live JS thread" test of callbacks and deleters.
//
// Lifetime: created by Install (module init), set as the env's instance data (freed by
// Node after the cleanup hooks). Teardown runs in three cleanup hooks (last-in first-out):
// Current() becomes nullptr (JS can no longer be called back), the sessions' finalizers run,
// then the global functions this environment's JS registered are restored.
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace orcjit::jit {
class Library;
class Session;
}  // namespace orcjit::jit

namespace orcjit::binding {

class LentViews;

/// The JS error classes of src/errors.ts (`initialize({ errors })`); binding/js_errors.cc
/// is the one user.
struct JsErrorClasses {
  Napi::FunctionReference ffi;                 // FFIError: new (kind, message, backtrace)
  Napi::FunctionReference link;                // LinkError: new (message)
  Napi::FunctionReference object_file;         // ObjectFileError: new (message)
  Napi::FunctionReference symbol_not_found;    // SymbolNotFoundError: new (message)
  Napi::FunctionReference disposed;            // DisposedError: new (message)
  Napi::FunctionReference native_crash;        // NativeCrashError: new (message, details)
};

/// The JS factories that build wrappers of C++ values (`initialize({ factories })`,
/// src/values/native.ts).
struct ValueFactories {
  Napi::FunctionReference tensor;  // (buffer|null, byteOffset, shape, strides, code, bits, lanes, devType, devId)
  Napi::FunctionReference object;  // (typeIndex, typeKey) -> blank wrapper of the right class
  Napi::FunctionReference dtype;   // (code, bits, lanes)
  Napi::FunctionReference device;  // (type, id)
  Napi::FunctionReference map;     // () -> an empty FFIMap (returned maps)
  napi_ref lend_buffer = nullptr;  // (ArrayBuffer) -> pinned? (binding/js_memory.h)
};

struct Addon {
  napi_env env = nullptr;
  bool initialized = false;  // initialize() ran
  JsErrorClasses errors;
  ValueFactories factories;
  Napi::FunctionReference library_ctor;
  std::vector<std::weak_ptr<jit::Session>> sessions;  // disposed at teardown
  // Hand-off from LibraryWrap::New to the constructor it invokes (so JS cannot construct a
  // Library itself). Per environment: an environment runs on one thread, so no lock is
  // needed, and workers creating libraries at once never see each other's pointer.
  std::shared_ptr<jit::Library>* pending_library = nullptr;

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
  // Typed arrays lent to the JS -> C++ calls in flight (binding/js_memory.h).
  LentViews* lent = nullptr;
  // JS null as a napi_value that stays valid for the environment's life (V8 hands out its
  // root slot): the call path returns it for None results instead of asking napi_get_null.
  // Null when not verified (binding/v8_lanes.h StableNull).
  napi_value null_value = nullptr;
  // Global functions this environment registered with a JS function of its own (which dies
  // with it), and the entry each replaced (owned reference, or null): restored at teardown.
  struct JsGlobal {
    std::string name;
    TVMFFIObject* func;      // identity only (the registry holds it)
    TVMFFIObject* previous;  // owned
  };
  std::vector<JsGlobal> js_globals;

  /// The Addon of `env` (nullptr only while the module initializes).
  static Addon* Get(napi_env env);
  /// The Addon of the live JS environment running on this thread, or nullptr.
  static Addon* Current();
  /// The environment of this thread whose teardown began (its callbacks fail softly), or null.
  static napi_env TornDownEnv();
  /// Creates the Addon of `env` and registers its teardown (module init, once per env).
  static Addon* Install(Napi::Env env);
};

/// Callbacks per JS -> C++ call that skip their own handle scope (a few handles each).
constexpr uint32_t kUnscopedCallbackBudget = 1024;

/// RAII: gives the callbacks made during one JS -> C++ call the budget above (restoring the
/// enclosing call's budget after). `st` may be null (not a JS thread: nothing to do).
class UnscopedCallbacks {
 public:
  explicit UnscopedCallbacks(Addon* st) : st_(st) {
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
  Addon* st_;
  uint32_t saved_ = 0;
};

/// exports.initialize({ errors, factories }): src/native/binding.ts calls it once per
/// environment, right after loading the addon.
Napi::Value Initialize(const Napi::CallbackInfo& info);

/// Restores the global functions `addon`'s JS registered (binding/global_functions.cc).
void RestoreJsGlobals(Addon* addon);

}  // namespace orcjit::binding
