// JS functions as TVM-FFI Function objects (callbacks): called on their JS thread only; from
// a pool thread during an async call, through that thread (binding/async_call.h).
#include <atomic>
#include <cstdio>
#include <memory>
#include <vector>

#include "binding/addon_state.h"
#include "binding/async_call.h"
#include "binding/js_memory.h"
#include "binding/values.h"
#include "binding/values_api.h"
#include "jit/session.h"
#include "runtime/api.h"
#include "runtime/function.h"

namespace orcjit::binding {

namespace {

struct JsCallback {
  napi_env env;
  napi_ref fn;
  std::string name;
  ~JsCallback() {
    Addon* st = Addon::Current();
    if (st && st->env == env) napi_delete_reference(env, fn);
  }
};

/// Callback arguments as JS: the scalar kinds directly, the rest through FromAnyView.
inline napi_value ArgToJs(Napi::Env env, const TVMFFIAny& a, const char* name) {
  napi_value v;
  if (ScalarToJs(env, a, &v)) return v;
  PinSource none;
  return FromAnyView(env, a, name, none);
}

/// Calls the JS function; errors are raised (TVM-FFI error slot) and reported as -1.
int InvokeJs(const JsCallback& cb, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  Napi::Env env(cb.env);
  try {
    napi_value inline_argv[kInlineArgs];
    std::vector<napi_value> heap_argv;
    napi_value* argv = inline_argv;
    if (n > int32_t(kInlineArgs)) {
      heap_argv.resize(size_t(n));
      argv = heap_argv.data();
    }
    for (int32_t i = 0; i < n; ++i) argv[i] = ArgToJs(env, args[i], cb.name.c_str());
    napi_value fn, undefined, ret = nullptr;
    napi_get_reference_value(cb.env, cb.fn, &fn);
    napi_get_undefined(cb.env, &undefined);
    napi_status status = napi_call_function(cb.env, undefined, fn, size_t(n), argv, &ret);
    if (__builtin_expect(status != napi_ok, 0)) {
      if (status == napi_pending_exception) {
        napi_value exc;
        napi_get_and_clear_last_exception(cb.env, &exc);
        RaiseJsError(env, exc);
        return -1;
      }
      runtime::SetRaisedError({"InternalError",
                               "cannot call JS function '" + cb.name + "' (N-API status " +
                                   std::to_string(int(status)) + ")",
                               ""});
      return -1;
    }
    ResultToOwnedAny(env, ret, result, cb.name);
    return 0;
  } catch (const Napi::Error& e) {
    try {
      RaiseJsError(env, e.Value());
    } catch (const std::exception& e2) {
      runtime::SetRaisedError({"InternalError", e2.what(), ""});
    }
  } catch (const runtime::FFIError& e) {
    runtime::SetRaisedError(e.info());
  } catch (const std::bad_alloc&) {
    runtime::SetRaisedError({"MemoryError", "out of memory", ""});
  } catch (const std::exception& e) {
    runtime::SetRaisedError({"InternalError", e.what(), ""});
  } catch (...) {
    runtime::SetRaisedError({"InternalError", "unknown C++ exception", ""});
  }
  return -1;
}

/// safe_call of a wrapped JS function (self = JsCallback): a plain function pointer, so a
/// call is TVMFFIFunctionCall -> trampoline -> here, with no std::function in between.
int JsCallbackSafeCall(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  auto* cb = static_cast<JsCallback*>(self);
  Addon* st = Addon::Current();
  if ((!st && cb->env == Addon::TornDownEnv()) || jit::ProcessExiting()) {
    // [i19n] The JS environment is shutting down (e.g. a library finalizer at exit or at
    // worker.terminate() calls app.log): JS cannot run any more. An error here would be
    // thrown from a C++ destructor (std::terminate, the process aborts), so the call fails
    // softly: it is skipped, returns None, and says so once on stderr.
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true))
      std::fprintf(stderr,
                   "tvm-ffi-orcjit: JS function '%s' was called while its JavaScript environment "
                   "was shutting down (from a library finalizer?); JS cannot run any more, so the "
                   "call was skipped and returned None. Dispose libraries before exit to run such "
                   "finalizers while JS is usable.\n",
                   cb->name.c_str());
    result->type_index = kTVMFFINone;
    result->zero_padding = 0;
    result->v_int64 = 0;
    return 0;
  }
  if (!st) {
    // [i16] A pool thread (or a kernel's own thread) during an async call: the callback runs
    // on its JS thread while this thread waits (binding/async_call.h).
    int rc = -1;
    if (RunCallbackOnJsThread(cb->env, &JsCallbackSafeCall, self, args, n, result, cb->name.c_str(), &rc))
      return rc;
  }
  if (!st || st->env != cb->env) {
    runtime::SetRaisedError(
        {"RuntimeError",
         "JS function '" + cb->name +
             "' was called from a thread that is not its JavaScript thread; JS callbacks can "
             "only be called synchronously, on the thread that runs the calling JS code",
         ""});
    return -1;
  }
  // [i19n] Memory lent to the calls in flight must not move while JS runs (js_memory.h).
  if (st->lent && !PinLentViews(st, cb->name.c_str())) return -1;
  // [i19n] JIT code is on the stack while the callback runs: disposals wait (lifetime.cc).
  struct Depth {
    Addon* st;
    explicit Depth(Addon* s) : st(s) { ++st->callback_depth; }
    ~Depth() { --st->callback_depth; }
  } depth(st);
  if (st->unscoped_callbacks > 0) {
    // Inside a JS -> C++ call with budget left: its scope takes this call's handles.
    --st->unscoped_callbacks;
    return InvokeJs(*cb, args, n, result);
  }
  // Handles made for this call die with it (loops of callbacks would otherwise grow the
  // caller's scope).
  napi_handle_scope scope;
  if (napi_open_handle_scope(cb->env, &scope) != napi_ok) {
    runtime::SetRaisedError({"InternalError", "cannot open a handle scope", ""});
    return -1;
  }
  int rc = InvokeJs(*cb, args, n, result);
  napi_close_handle_scope(cb->env, scope);
  return rc;
}

}  // namespace

TVMFFIObject* WrapJsFunction(Napi::Env env, napi_value fn, const std::string& name) {
  auto cb = std::make_unique<JsCallback>();
  cb->env = env;
  cb->name = name;
  Napi::Value nm = Napi::Value(env, fn).As<Napi::Object>().Get("name");
  if (nm.IsString() && !Utf8(nm).empty()) cb->name = Utf8(nm);
  napi_create_reference(env, fn, 1, &cb->fn);
  TVMFFIObject* f = runtime::NewFunction(cb.get(), &JsCallbackSafeCall,
                                         [](void* self) { delete static_cast<JsCallback*>(self); });
  cb.release();  // owned by the function object now
  return f;
}

}  // namespace orcjit::binding
