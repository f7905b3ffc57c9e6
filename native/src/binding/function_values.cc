// JS functions that call a TVM-FFI Function object (values returned by C++, global
// functions, methods): MakeFunctionValue and the call itself.
#include <vector>

#include "binding/async_call.h"
#include "binding/crash_error.h"
#include "binding/js_memory.h"
#include "binding/typed_args.h"
#include "binding/values.h"
#include "binding/values_api.h"
#include "runtime/global_registry.h"

namespace orcjit::binding {

/// One call of a Function object from a JS thread: marked as synchronous ([j16],
/// binding/async_call.h) and through the crash guard ([j15]).
static int MarkedCall(TVMFFIObject* fn, TVMFFIAny* args, size_t n, TVMFFIAny* result) {
  SyncCallMark mark;
  return GuardedFunctionCall(fn, args, static_cast<int32_t>(n), result);
}

/// The JS value of a finished Function-object call: its error or crash thrown, else the result
/// (which holds `pin`).
static Napi::Value FunctionCallResult(Napi::Env env, int rc, TVMFFIAny* result, const char* name,
                               const Pin& pin, uint64_t owner) {
  if (rc == jit::kCrashed)
    ThrowValue(env, FunctionValueCrashError(env, name, pin ? pin->lib.get() : nullptr, owner));
  if (rc != 0) ThrowValue(env, TakeRaisedError(env, rc, name));
  PinSource src(pin, owner);
  return FromAny(env, result, name, src);
}

/// Calls the Function object `fn` with JS arguments (self first if given); the result
/// holds `pin`.
Napi::Value CallFunctionObject(Napi::Env env, TVMFFIObject* fn, const TVMFFIAny* self,
                               const napi_value* argv, size_t argc, const char* name,
                               const Pin& pin, uint64_t owner, const Signature* sig) {
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
  if (sig) {
    // Declared parameter types: checked and converted as getFunction exports' are.
    bool callbacks = false;
    bool ok = argc == sig->kinds.size()
                  ? ConvertTypedArgs(env, *sig, argv, argc, args + k, scratch, &callbacks)
                  : (ThrowArity(env, *sig, argc), false);
    if (!ok) {
      bool is_pending = false;
      napi_is_exception_pending(env, &is_pending);
      if (!is_pending)  // JS could not run (a terminating worker): nothing to rethrow
        throw Napi::Error::New(env, "'" + sig->name + "': its arguments could not be converted");
      napi_value pending = nullptr;
      napi_get_and_clear_last_exception(env, &pending);
      throw Napi::Error(env, pending);
    }
  } else {
    ConvertArgs(env, argv, argc, args + k, scratch, name);
  }
  TVMFFIAny result = NoneAny();
  int rc = MarkedCall(fn, args, n, &result);
  scratch.Release();
  return FunctionCallResult(env, rc, &result, name, pin, owner);
}

namespace {

inline bool NeedsResultCheck(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t != napi_number && t != napi_boolean && t != napi_null && t != napi_undefined;
}

/// [k12t] Declared results that need a check (int beyond 2^53: a bigint) or typing
/// (functions); numbers, booleans and null never do (as Finish in binding/function.cc).
/// Null with a pending exception when the check throws.
napi_value CheckedResult(napi_env env, const Signature* sig, napi_value out) {
  if (sig && sig->result && NeedsResultCheck(env, out) && !ApplyParamChecker(env, sig->result, 0, &out))
    return nullptr;
  return out;
}

/// Number-only arguments (by the declared int/float kinds when there is a signature): true
/// with them converted; false when any argument needs the general path (which then starts
/// over and reports errors). The fast lanes of convert.h, as in function.cc's CallSafe.
inline bool NumbersOnly(napi_env env, const Signature* sig, const napi_value* argv, size_t argc,
                        TVMFFIAny* args) {
  if (sig == nullptr) {
    for (size_t i = 0; i < argc; ++i)
      if (!NumberArg(env, argv[i], &args[i])) return false;
    return true;
  }
  if (argc != sig->kinds.size()) return false;
  for (size_t i = 0; i < argc; ++i) {
    double d;
    int32_t kind = sig->kinds[i];
    if ((kind != kParamInt && kind != kParamFloat) || !NumberValue(env, argv[i], &d)) return false;
    if (kind == kParamFloat) {
      FloatToAny(d, &args[i]);
      continue;
    }
    if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0) ||
        static_cast<double>(static_cast<int64_t>(d)) != d)
      return false;
    args[i].type_index = kTVMFFIInt;
    args[i].zero_padding = 0;
    args[i].v_int64 = static_cast<int64_t>(d);
  }
  return true;
}

napi_value CallFunctionValue(napi_env raw_env, napi_callback_info info) {
  Napi::Env env(raw_env);
  size_t argc = kInlineArgs;
  napi_value inline_argv[kInlineArgs];
  void* data = nullptr;
  napi_get_cb_info(raw_env, info, &argc, inline_argv, nullptr, &data);
  auto* box = static_cast<Box*>(data);  // lives as long as the function object
  TVMFFIAny fast_args[kInlineArgs];
  const Signature* fast_sig = box->sig.get();
  if (argc <= kInlineArgs && box->obj != nullptr &&
      NumbersOnly(raw_env, fast_sig, inline_argv, argc, fast_args)) {
    // The common call: numbers in, and (mostly) a scalar out, without the general converter.
    TVMFFIAny result = NoneAny();
    int rc = MarkedCall(box->obj, fast_args, argc, &result);
    napi_value out;
    if (rc == 0 && ScalarToJs(raw_env, result, &out)) return out;
    try {
      out = FunctionCallResult(env, rc, &result, box->name.c_str(), box->pin, box->owner);
      return CheckedResult(raw_env, fast_sig, out);
    } catch (const Napi::Error& e) {
      e.ThrowAsJavaScriptException();
      return nullptr;
    }
  }
  try {
    std::vector<napi_value> heap_argv;
    napi_value* argv = inline_argv;
    if (argc > kInlineArgs) {
      heap_argv.resize(argc);
      napi_get_cb_info(raw_env, info, &argc, heap_argv.data(), nullptr, nullptr);
      argv = heap_argv.data();
    }
    if (!box->obj) throw Napi::Error::New(env, "function called after dispose()");
    const Signature* sig = box->sig.get();
    napi_value out = CallFunctionObject(env, box->obj, nullptr, argv, argc, box->name.c_str(),
                                        box->pin, box->owner, sig);
    return CheckedResult(raw_env, sig, out);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

}  // namespace

bool ApplyParamChecker(napi_env env, napi_ref checker, size_t index, napi_value* arg) {
  napi_value fn, undefined, argv[2], out;
  napi_get_reference_value(env, checker, &fn);
  napi_get_undefined(env, &undefined);
  argv[0] = *arg;
  napi_create_uint32(env, static_cast<uint32_t>(index), &argv[1]);
  if (napi_call_function(env, undefined, fn, 2, argv, &out) != napi_ok) return false;
  *arg = out;
  return true;
}

napi_ref HoldFor(napi_env env, napi_value owner, napi_value value) {
  napi_valuetype t;
  napi_ref ref = nullptr;
  if (napi_typeof(env, value, &t) != napi_ok || t != napi_function ||
      napi_create_reference(env, value, 1, &ref) != napi_ok)
    return nullptr;
  if (napi_add_finalizer(
          env, owner, ref,
          [](napi_env env, void* d, void*) { napi_delete_reference(env, static_cast<napi_ref>(d)); },
          nullptr, nullptr) != napi_ok) {
    napi_delete_reference(env, ref);
    return nullptr;
  }
  return ref;
}

// setValueSignature(fn, name, kinds: number[], types: string[], deep?, result?): calls of the
// function value `fn` are checked and converted by these declared parameter kinds, as
// setFunctionSignature does for getFunction exports; `name` is the function in errors. Once
// per function.
Napi::Value SetValueSignature(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Box* box = info.Length() >= 4 && info[0].IsFunction() ? UnwrapBox(env, info[0]) : nullptr;
  if (!box || box->kind != BoxKind::kObject || box->sig || !info[1].IsString())
    throw Napi::TypeError::New(env, "setValueSignature: not an unchecked TVM-FFI function value");
  box->sig = MakeSignature(env, info[0], Utf8(info[1]), info[2], info[3], info[4], info[5]);
  return env.Undefined();
}

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
