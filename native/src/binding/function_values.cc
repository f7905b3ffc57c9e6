// JS functions that call a TVM-FFI Function object (values returned by C++, global
// functions, methods): MakeFunctionValue and the call itself.
#include <vector>

#include "binding/async_call.h"
#include "binding/crash_error.h"
#include "binding/js_memory.h"
#include "binding/values.h"
#include "binding/values_api.h"
#include "runtime/global_registry.h"

namespace orcjit::binding {

/// Calls the Function object `fn` with JS arguments (self first if given); the result
/// holds `pin`.
Napi::Value CallFunctionObject(Napi::Env env, TVMFFIObject* fn, const TVMFFIAny* self,
                               const napi_value* argv, size_t argc, const char* name,
                               const Pin& pin, uint64_t owner) {
  size_t n = argc + (self ? 1 : 0);
  TVMFFIAny inline_args[kInlineArgs];
  std::vector<TVMFFIAny> heap_args;
  TVMFFIAny* args = inline_args;
  if (n > kInlineArgs) {
    heap_args.resize(n);
    args = heap_args.data();
  }
  size_t k = 0;
  if (self) args[k++] = *self;
  LentViews lent(argv, argc, name);  // [i19n] typed arrays lent for the call (js_memory.h)
  ArgScratch scratch;
  ConvertArgs(env, argv, argc, args + k, scratch, name);
  TVMFFIAny result;
  result.type_index = kTVMFFINone;
  result.zero_padding = 0;
  result.v_int64 = 0;
  int rc;
  {
    SyncCallMark mark;  // [j16] (binding/async_call.h)
    rc = GuardedFunctionCall(fn, args, static_cast<int32_t>(n), &result);  // [j15] crash guard
  }
  scratch.Release();
  if (rc == jit::kCrashed)
    ThrowValue(env, FunctionValueCrashError(env, name, pin ? pin->lib.get() : nullptr, owner));
  if (rc != 0) ThrowValue(env, TakeRaisedError(env, rc, name));
  PinSource src(pin, owner);
  return FromAny(env, &result, name, src);
}

namespace {

napi_value CallFunctionValue(napi_env raw_env, napi_callback_info info) {
  Napi::Env env(raw_env);
  size_t argc = kInlineArgs;
  napi_value inline_argv[kInlineArgs];
  void* data = nullptr;
  napi_get_cb_info(raw_env, info, &argc, inline_argv, nullptr, &data);
  auto* box = static_cast<Box*>(data);  // lives as long as the function object
  try {
    std::vector<napi_value> heap_argv;
    napi_value* argv = inline_argv;
    if (argc > kInlineArgs) {
      heap_argv.resize(argc);
      napi_get_cb_info(raw_env, info, &argc, heap_argv.data(), nullptr, nullptr);
      argv = heap_argv.data();
    }
    if (!box->obj) throw Napi::Error::New(env, "function called after dispose()");
    return CallFunctionObject(env, box->obj, nullptr, argv, argc, box->name.c_str(), box->pin,
                              box->owner);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

}  // namespace

Napi::Value MakeFunctionValue(Napi::Env env, TVMFFIObject* fn, Pin pin, const std::string& name,
                              uint64_t owner) {
  auto* box = new Box();
  box->obj = fn;  // takes over the reference
  box->pin = std::move(pin);
  if (owner) {
    runtime::RetainOwner(owner);
    box->owner = owner;
  }
  box->name = name;
  napi_value out;
  napi_status st = napi_create_function(env, name.c_str(), name.size(), CallFunctionValue, box, &out);
  if (st != napi_ok) {
    delete box;
    NAPI_THROW_IF_FAILED(env, st, Napi::Value());
  }
  AttachBox(env, out, box);
  return Napi::Value(env, out);
}

}  // namespace orcjit::binding
