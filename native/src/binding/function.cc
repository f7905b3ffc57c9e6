#include "binding/function.h"

#include "binding/async_call.h"
#include "binding/js_memory.h"
#include "binding/convert.h"
#include "binding/lifetime.h"
#include "binding/typed_args.h"
#include "binding/values.h"
#include "binding/addon_state.h"
#include "binding/crash_error.h"
#include "jit/crash_guard.h"
#include "jit/library.h"
#include "jit/perf_map.h"
#include "jit/session.h"

#include <vector>

// The call path is a raw napi_callback (no Napi::CallbackInfo): one napi_get_cb_info into a
// stack array, numbers and typed arrays converted inline, Int/Float/Bool/None results created
// directly, all with the inline lanes of the one converter (binding/convert.h). Every
// other case (more than kInlineArgs arguments, a disposed library, non-number arguments,
// other results, errors) leaves through an out-of-line helper, so the hot function stays
// small and allocation-free.
namespace orcjit::binding {
namespace {

struct FunctionData {
  std::shared_ptr<jit::Library> lib;
  std::string name;
  TVMFFISafeCallType fn;
  // Bit i: argument #i was not a number on the previous call (a typed array, most likely),
  // so the next call converts it without first probing for a number. A hint only.
  uint32_t object_args = 0;
  // The typed-array kind (napi_typedarray_type) argument #i held on the previous call, -1
  // none yet: with the V8 lanes the same kind again is one check (convert.h TypedArrayArg).
  int8_t arg_kinds[kInlineArgs] = {-1, -1, -1, -1, -1, -1, -1, -1};
  std::unique_ptr<Signature> sig;  // null: untyped (no metadata)
  // The Addon of the JS thread that made this function (the only one that can call it):
  // lent typed arrays are registered there without a thread-local lookup per call.
  Addon* addon = nullptr;
  // That environment's null for None results (addon_state.h null_value), or null: ask N-API.
  napi_value null_value = nullptr;
};

const napi_type_tag kFunctionTag = {0x6f72636a69742d66ULL, 0x756e6374696f6e31ULL};

inline bool ObjectArgHint(const FunctionData* fd, size_t i) {
  return i < 32 && ((fd->object_args >> i) & 1u);
}
inline void SetObjectArgHint(FunctionData* fd, size_t i, const TVMFFIAny& converted) {
  if (i >= 32) return;
  bool number = converted.type_index == kTVMFFIInt || converted.type_index == kTVMFFIFloat;
  if (number)
    fd->object_args &= ~(1u << i);
  else
    fd->object_args |= 1u << i;
}

inline bool Unusable(const FunctionData* fd) {
  jit::Library* lib = fd->lib.get();
  // [i15] crashed(): poisoned by a contained fault (ThrowCrash below).
  if (__builtin_expect(lib->disposed_or_crashed() || lib->session().disposed(), 0))
    return true;
  // Deferred disposals are rare: one relaxed load before the locked lookup.
  return __builtin_expect(g_deferred_disposals.load(std::memory_order_relaxed) != 0, 0) &&
         DisposeRequested(lib);
}

/// [i15] A NativeCrashError (src/errors.ts) with the crash details as properties.
napi_value MakeCrashError(napi_env env, const FunctionData* fd, const std::string& message,
                          const jit::CrashInfo* crash) {
  return MakeNativeCrashError(Napi::Env(env), fd->lib->name(), fd->name, message, crash);  // [j15]
}

/// [i15] The kernel faulted and the crash guard unwound it: poison the library, throw.
[[gnu::noinline]] napi_value ThrowCrash(napi_env env, const FunctionData* fd,
                                        const jit::CrashInfo& crash) {
  fd->lib->MarkCrashed();
  return GuardRaw(env, [&]() -> napi_value {
    // [j15] message built in binding/crash_error.cc (with the source line when known)
    std::string msg = CrashMessage("'" + fd->name + "' of library '" + fd->lib->name() + "'", crash) +
                      "; the library may be corrupt and refuses further calls: reload or dispose it";
    ThrowValue(Napi::Env(env), Napi::Value(env, MakeCrashError(env, fd, msg, &crash)));
  });
}

[[gnu::noinline]] napi_value ThrowDisposed(napi_env env, const FunctionData* fd) {
  return GuardRaw(env, [&]() -> napi_value {
    Napi::Env e(env);
    if (fd->lib->crashed() && !fd->lib->disposed())  // [i15]
      ThrowValue(e, Napi::Value(env, MakeCrashError(env, fd,
                                                    "library '" + fd->lib->name() +
                                                        "' crashed earlier (in a call of '" +
                                                        fd->name + "' or another function); "
                                                        "reload or dispose it",
                                                    nullptr)));
    ThrowValue(e, MakeJitError(e, jit::JitError(jit::ErrorKind::kDisposed,
                                                "function '" + fd->name + "' of library '" +
                                                    fd->lib->name() + "' called after dispose")));
  });
}

/// Called from a catch block around fd->fn: the safe-call let a C++ exception escape.
[[gnu::noinline]] napi_value ThrowEscaped(napi_env env, const FunctionData* fd) {
  std::string what;
  try {
    throw;
  } catch (const std::exception& e) {
    what = std::string("C++ exception escaped '") + fd->name +
           "' (safe-call functions must return an error code): " + e.what();
  } catch (...) {
    what = "unknown C++ exception escaped '" + fd->name + "'";
  }
  return GuardRaw(env, [&]() -> napi_value {
    Napi::Env e(env);
    ThrowValue(e, MakeFFIError(e, "InternalError", what, ""));
  });
}

/// [i15] Every kernel call of this file: through the crash guard unless it is turned off.
inline int CallKernel(FunctionData* fd, const TVMFFIAny* args, size_t argc, TVMFFIAny* result) {
  SyncCallMark mark;  // [j16] kernel threads' callbacks must not wait for this thread
  if (__builtin_expect(!jit::CrashGuardEnabled(), 0))
    return fd->fn(nullptr, args, static_cast<int32_t>(argc), result);
  return jit::GuardedSafeCall(fd->fn, nullptr, args, static_cast<int32_t>(argc), result);
}

/// Results that are not None/Int/Float/Bool, and failed calls (rc != 0).
[[gnu::noinline]] napi_value FinishSlow(napi_env env, FunctionData* fd, int rc,
                                        TVMFFIAny* result) {
  if (rc == jit::kCrashed) return ThrowCrash(env, fd, jit::LastCrash());  // [i15]
  return GuardRaw(env, [&]() -> napi_value {
    Napi::Env e(env);
    if (rc != 0) ThrowValue(e, TakeRaisedError(e, rc, fd->name.c_str()));
    PinSource pin(&fd->lib);  // objects in the result keep the library's code alive
    napi_value out = FromAny(e, result, fd->name.c_str(), pin);
    // [k12t] Declared results that need a check (int beyond 2^53) or typing (functions).
    if (fd->sig && fd->sig->result && !ApplyParamChecker(env, fd->sig->result, 0, &out))
      return nullptr;  // its exception is pending
    return out;
  });
}

/// The result of a successful call as JS: the common kinds without leaving this function.
inline napi_value Finish(napi_env env, FunctionData* fd, int rc, TVMFFIAny* result) {
  napi_value out;
  if (__builtin_expect(rc == 0, 1)) {
    if (result->type_index == kTVMFFINone && fd->null_value != nullptr)
      return fd->null_value;  // addon_state.h: valid for the environment's life
    if (ScalarToJs(env, *result, &out)) return out;
  }
  return FinishSlow(env, fd, rc, result);
}

/// What CallSafe already found argv[first] is not.
enum class Probed { kNothing, kNotNumber, kNotTypedArray };

/// Arguments from #first on include a non-number: full conversion with scratch storage
/// (strings, byte arrays, tensor views, objects, callbacks), then the call.
[[gnu::noinline]] napi_value CallMixed(napi_env env, FunctionData* fd, const napi_value* argv,
                                       size_t argc, TVMFFIAny* args, size_t first,
                                       Probed probed) {
  ArgScratch scratch;
  try {
    Napi::Env e(env);
    const char* name = fd->name.c_str();
    for (size_t i = first; i < argc; ++i) {
      if (i == first && probed == Probed::kNotNumber)
        ToAnyNonNumber(e, argv[i], &args[i], scratch, name, i);
      else if (i == first && probed == Probed::kNotTypedArray)
        ToAnyNotTypedArray(e, argv[i], &args[i], scratch, name, i);
      else if (ObjectArgHint(fd, i))
        ToAnyTypedArrayFirst(e, argv[i], &args[i], scratch, name, i);
      else
        ToAny(e, argv[i], &args[i], scratch, name, i);
      SetObjectArgHint(fd, i, args[i]);
    }
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
  bool callbacks = false;
  for (size_t i = first; i < argc; ++i) callbacks |= args[i].type_index == kTVMFFIFunction;
  LentViews lent(fd->addon, argv, argc, fd->name.c_str());  // [i19n] borrowed typed arrays (js_memory.h)
  TVMFFIAny result = NoneAny();
  int rc;
  try {
    // Function arguments are likely called back: let them share this call's handle scope.
    UnscopedCallbacks budget(callbacks ? Addon::Current() : nullptr);
    rc = CallKernel(fd, args, argc, &result);
  } catch (...) {
    scratch.Release();
    return ThrowEscaped(env, fd);
  }
  scratch.Release();
  return Finish(env, fd, rc, &result);
}

/// More than kInlineArgs arguments: the same conversion over heap arrays.
[[gnu::noinline]] napi_value CallMany(napi_env env, napi_callback_info info, FunctionData* fd,
                                      size_t argc) {
  std::vector<napi_value> argv(argc);
  napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr);
  std::vector<TVMFFIAny> args(argc);
  ArgScratch scratch;
  try {
    Napi::Env e(env);
    ConvertArgs(e, argv.data(), argc, args.data(), scratch, fd->name.c_str());
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
  LentViews lent(fd->addon, argv.data(), argc, fd->name.c_str());  // [i19n] (js_memory.h)
  TVMFFIAny result = NoneAny();
  int rc;
  try {
    UnscopedCallbacks budget(Addon::Current());
    rc = CallKernel(fd, args.data(), argc, &result);
  } catch (...) {
    scratch.Release();
    return ThrowEscaped(env, fd);
  }
  scratch.Release();
  return Finish(env, fd, rc, &result);
}

/// A function with a signature: each argument checked and converted by its declared kind
/// before the native call (a `double` parameter takes 2 as 2.0; an `int64_t` one refuses
/// 2.5, strings and numbers beyond int64).
[[gnu::noinline]] napi_value CallTyped(napi_env env, napi_callback_info info, FunctionData* fd,
                                       size_t argc, const napi_value* inline_argv) {
  const Signature& sig = *fd->sig;
  if (__builtin_expect(argc != sig.kinds.size(), 0)) return ThrowArity(env, sig, argc);
  std::vector<napi_value> heap_argv;
  const napi_value* argv = inline_argv;
  TVMFFIAny inline_args[kInlineArgs];
  std::vector<TVMFFIAny> heap_args;
  TVMFFIAny* args = inline_args;
  if (argc > kInlineArgs) {
    heap_argv.resize(argc);
    napi_get_cb_info(env, info, &argc, heap_argv.data(), nullptr, nullptr);
    argv = heap_argv.data();
    heap_args.resize(argc);
    args = heap_args.data();
  }
  ArgScratch scratch;
  bool callbacks = false;
  if (!ConvertTypedArgs(env, sig, argv, argc, args, scratch, &callbacks)) return nullptr;
  // Typed arrays are lent for the call (js_memory.h), as on the untyped paths: a JS callback
  // that transfers one cannot free memory the kernel is reading.
  LentViews lent(fd->addon, argv, argc, fd->name.c_str());
  TVMFFIAny result = NoneAny();
  int rc;
  try {
    UnscopedCallbacks budget(callbacks ? Addon::Current() : nullptr);
    rc = CallKernel(fd, args, argc, &result);
  } catch (...) {
    scratch.Release();
    return ThrowEscaped(env, fd);
  }
  scratch.Release();
  return Finish(env, fd, rc, &result);
}

/// A function with a signature, at most kInlineArgs arguments: declared int/float
/// parameters given fitting numbers convert here; anything else (other kinds, wrong values,
/// errors) goes through CallTyped, which starts over. Out of line, so that the untyped path
/// of CallSafe stays small.
[[gnu::noinline]] napi_value CallSigned(napi_env env, napi_callback_info info, FunctionData* fd,
                                        size_t argc, const napi_value* argv) {
  TVMFFIAny args[kInlineArgs];
  const Signature& sig = *fd->sig;
  if (argc != sig.kinds.size()) return CallTyped(env, info, fd, argc, argv);
  const V8Lanes* lanes = ActiveV8Lanes();
  for (size_t i = 0; i < argc; ++i) {
    int32_t kind = sig.kinds[i];
    napi_value arg = argv[i];
    if (kind == kParamInt && lanes != nullptr && lanes->is_int32(arg)) {  // the common case
      args[i].type_index = kTVMFFIInt;
      args[i].zero_padding = 0;
      args[i].v_int64 = lanes->int32_value(arg);
      continue;
    }
    double d;
    if ((kind != kParamInt && kind != kParamFloat) || !NumberValue(env, arg, &d))
      return CallTyped(env, info, fd, argc, argv);
    if (kind == kParamFloat) {
      FloatToAny(d, &args[i]);
      continue;
    }
    if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0) ||
        static_cast<double>(static_cast<int64_t>(d)) != d)
      return CallTyped(env, info, fd, argc, argv);
    args[i].type_index = kTVMFFIInt;
    args[i].zero_padding = 0;
    args[i].v_int64 = static_cast<int64_t>(d);
  }
  TVMFFIAny result = NoneAny();
  int rc;
  try {
    rc = CallKernel(fd, args, argc, &result);  // through the crash guard (i15)
  } catch (...) {
    return ThrowEscaped(env, fd);
  }
  return Finish(env, fd, rc, &result);
}

/// How many argument slots CallSafe asks napi_get_cb_info to fill: the most arguments a call
/// on this thread had so far. N-API fills every slot beyond the arguments with undefined, and
/// asking for none (a call without arguments) skips the copy altogether; a call with more
/// arguments than this asks again, once per new maximum.
__attribute__((tls_model("initial-exec"))) thread_local size_t t_argv_capacity = 0;

napi_value CallSafe(napi_env env, napi_callback_info info) {
  napi_value argv[kInlineArgs];
  size_t capacity = t_argv_capacity;
  size_t argc = capacity;
  void* data = nullptr;
  napi_get_cb_info(env, info, &argc, capacity ? argv : nullptr, nullptr, &data);
  if (__builtin_expect(argc > capacity, 0)) {
    size_t all = kInlineArgs;
    napi_get_cb_info(env, info, &all, argv, nullptr, nullptr);
    t_argv_capacity = argc < kInlineArgs ? argc : kInlineArgs;
  }
  auto* fd = static_cast<FunctionData*>(data);
  if (Unusable(fd)) return ThrowDisposed(env, fd);
  if (__builtin_expect(argc > kInlineArgs, 0))
    return fd->sig ? CallTyped(env, info, fd, argc, argv) : CallMany(env, info, fd, argc);
  if (fd->sig) return CallSigned(env, info, fd, argc, argv);
  TVMFFIAny args[kInlineArgs];
  ViewSlot views[kInlineArgs];  // only the typed-array positions are written
  bool lends = false;
  for (size_t i = 0; i < argc; ++i) {
    if ((fd->object_args >> i) & 1u) {
      // Held a non-number last time: most likely the same kind of typed array again.
      int got = TypedArrayArg(env, argv[i], &args[i], &views[i], &fd->arg_kinds[i]);
      lends |= got > 0;
      if (got > 0) continue;
      return CallMixed(env, fd, argv, argc, args, i,
                       got == 0 ? Probed::kNotTypedArray : Probed::kNothing);
    }
    if (!NumberArg(env, argv[i], &args[i]))
      return CallMixed(env, fd, argv, argc, args, i, Probed::kNotNumber);
  }
  // [i19n] Typed arrays are lent for the call (js_memory.h); number-only calls skip this.
  LentViews lent(fd->addon, lends ? argv : nullptr, argc, fd->name.c_str());
  TVMFFIAny result = NoneAny();
  int rc;
  try {
    rc = CallKernel(fd, args, argc, &result);
  } catch (...) {
    return ThrowEscaped(env, fd);
  }
  return Finish(env, fd, rc, &result);
}

}  // namespace

Napi::Function MakeSafeCallFunction(Napi::Env env, std::shared_ptr<jit::Library> lib,
                                    const std::string& name, TVMFFISafeCallType fn) {
  auto* fd = new FunctionData{std::move(lib), name, fn};
  fd->addon = Addon::Current();
  fd->null_value = fd->addon != nullptr ? fd->addon->null_value : nullptr;
  napi_value out;
  napi_status st = napi_create_function(env, name.c_str(), name.size(), CallSafe, fd, &out);
  if (st != napi_ok) {
    delete fd;
    NAPI_THROW_IF_FAILED(env, st, Napi::Function());
  }
  Napi::Function f(env, out);
  // Wrapped (not just finalized) so setFunctionSignature can find the data again.
  st = napi_wrap(
      env, out, fd, [](napi_env, void* d, void*) { delete static_cast<FunctionData*>(d); },
      nullptr, nullptr);
  if (st != napi_ok) {
    delete fd;
    NAPI_THROW_IF_FAILED(env, st, Napi::Function());
  }
  napi_type_tag_object(env, out, &kFunctionTag);
  return f;
}

// setFunctionSignature(fn, kinds: number[], types: string[]): calls of `fn` (from
// getFunction) are checked and converted by these declared parameter kinds from now on.
Napi::Value SetFunctionSignature(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool tagged = false;
  if (info.Length() < 3 || !info[0].IsFunction() ||
      napi_check_object_type_tag(env, info[0], &kFunctionTag, &tagged) != napi_ok || !tagged)
    throw Napi::TypeError::New(env, "setFunctionSignature: not a function from getFunction");
  void* p = nullptr;
  napi_unwrap(env, info[0], &p);
  auto* fd = static_cast<FunctionData*>(p);
  // [k12t] (fn, kinds, types, deep?: (value, i) => value, result?: (value) => value)
  auto sig = MakeSignature(env, info[0], fd->name, info[1], info[2], info[3], info[4]);
  fd->sig = std::move(sig);
  return env.Undefined();
}

// [i16] Async calls (binding/async_call.cc): the same checks and conversion as a sync call of
// `fn`, through the one converter. Not on the sync path.
bool ConvertCallArgs(napi_env env, napi_value fn, const napi_value* argv, size_t argc,
                     TVMFFIAny* args, ArgScratch& scratch, CallTarget* target) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, fn, &kFunctionTag, &tagged) != napi_ok || !tagged) {
    Box* box = UnwrapBox(env, fn);
    if (!box || box->kind != BoxKind::kObject || !box->obj ||
        box->obj->type_index != kTVMFFIFunction) {
      napi_throw_type_error(env, nullptr, "async: not a TVM-FFI function");
      return false;
    }
    target->name = box->name;
    target->pin = box->pin;
    TVMFFIObjectIncRef(box->obj);
    target->func = box->obj;
    if (box->sig) {  // [k12q] declared types (binding/typed_args.h), as for exports below
      if (argc != box->sig->kinds.size()) return ThrowArity(env, *box->sig, argc), false;
      bool callbacks = false;
      return ConvertTypedArgs(env, *box->sig, argv, argc, args, scratch, &callbacks);
    }
    try {
      ConvertArgs(Napi::Env(env), argv, argc, args, scratch, box->name.c_str());
    } catch (const Napi::Error& e) {
      e.ThrowAsJavaScriptException();
      return false;
    }
    return true;
  }
  void* p = nullptr;
  napi_unwrap(env, fn, &p);
  auto* fd = static_cast<FunctionData*>(p);
  if (Unusable(fd)) return ThrowDisposed(env, fd), false;
  target->lib = fd->lib;
  target->name = fd->name;
  target->fn = fd->fn;
  if (fd->sig) {
    if (argc != fd->sig->kinds.size()) return ThrowArity(env, *fd->sig, argc), false;
    bool callbacks = false;
    return ConvertTypedArgs(env, *fd->sig, argv, argc, args, scratch, &callbacks);
  }
  try {
    ConvertArgs(Napi::Env(env), argv, argc, args, scratch, fd->name.c_str());
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

napi_value CrashErrorValue(napi_env env, const CallTarget& target, const jit::CrashInfo* crash) {
  // The sync call's own error path (ThrowCrash / ThrowDisposed), caught as a value.
  FunctionData fd{target.lib, target.name, target.fn};
  if (crash)
    ThrowCrash(env, &fd, *crash);
  else
    ThrowDisposed(env, &fd);
  napi_value err = nullptr;
  napi_get_and_clear_last_exception(env, &err);
  return err;
}

}  // namespace orcjit::binding
