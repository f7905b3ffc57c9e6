#include "binding/function.h"

#include "binding/addon_data.h"
#include "binding/js_memory.h"
#include "binding/lifetime.h"
#include "binding/values.h"
#include "binding/values_state.h"
#include "jit/library.h"
#include "jit/session.h"

// The call path is a raw napi_callback (no Napi::CallbackInfo): one napi_get_cb_info into a
// stack array, numbers converted inline, Int/Float/Bool/None results created directly. Every
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
};

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
  if (__builtin_expect(lib->disposed() || lib->session().disposed(), 0)) return true;
  // Deferred disposals are rare: one relaxed load before the locked lookup.
  return __builtin_expect(g_deferred_disposals.load(std::memory_order_relaxed) != 0, 0) &&
         DisposeRequested(lib);
}

/// Sets the pending JS exception from a Napi::Error (or anything else) thrown by `body`.
template <typename F>
napi_value Guard(napi_env env, F&& body) {
  try {
    return body();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  } catch (...) {
    napi_throw_error(env, nullptr, "unknown C++ exception in the call path");
  }
  return nullptr;
}

[[gnu::noinline]] napi_value ThrowDisposed(napi_env env, const FunctionData* fd) {
  return Guard(env, [&]() -> napi_value {
    Napi::Env e(env);
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
  return Guard(env, [&]() -> napi_value {
    Napi::Env e(env);
    ThrowValue(e, MakeFFIError(e, "InternalError", what, ""));
  });
}

/// Results that are not None/Int/Float/Bool, and failed calls (rc != 0).
[[gnu::noinline]] napi_value FinishSlow(napi_env env, FunctionData* fd, int rc,
                                        TVMFFIAny* result) {
  return Guard(env, [&]() -> napi_value {
    Napi::Env e(env);
    if (rc != 0) ThrowValue(e, TakeRaisedError(e, rc, fd->name.c_str()));
    PinSource pin(&fd->lib);  // objects in the result keep the library's code alive
    return FromAny(e, result, fd->name.c_str(), pin);
  });
}

/// The result of a successful call as JS: the common kinds without leaving this function.
inline napi_value Finish(napi_env env, FunctionData* fd, int rc, TVMFFIAny* result) {
  napi_value out;
  if (__builtin_expect(rc == 0, 1)) {
    switch (result->type_index) {
      case kTVMFFINone: napi_get_null(env, &out); return out;
      case kTVMFFIInt:
        if (result->v_int64 == static_cast<int32_t>(result->v_int64)) {
          napi_create_int32(env, static_cast<int32_t>(result->v_int64), &out);
          return out;
        }
        if (result->v_int64 >= -kMaxSafeInteger && result->v_int64 <= kMaxSafeInteger) {
          napi_create_double(env, static_cast<double>(result->v_int64), &out);
          return out;
        }
        break;  // bigint
      case kTVMFFIFloat: napi_create_double(env, result->v_float64, &out); return out;
      case kTVMFFIBool: napi_get_boolean(env, result->v_int64 != 0, &out); return out;
      default: break;
    }
  }
  return FinishSlow(env, fd, rc, result);
}

inline TVMFFIAny NoneAny() {
  TVMFFIAny a;
  a.type_index = kTVMFFINone;
  a.zero_padding = 0;
  a.v_int64 = 0;
  return a;
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
  LentViews lent(argv, argc, fd->name.c_str());  // [i19n] borrowed typed arrays (js_memory.h)
  TVMFFIAny result = NoneAny();
  int rc;
  try {
    // Function arguments are likely called back: let them share this call's handle scope.
    UnscopedCallbacks budget(callbacks ? CurrentEnvState() : nullptr);
    rc = fd->fn(nullptr, args, static_cast<int32_t>(argc), &result);
  } catch (...) {
    scratch.Release();
    return ThrowEscaped(env, fd);
  }
  scratch.Release();
  return Finish(env, fd, rc, &result);
}

/// A typed-array argument converted in CallSafe itself, into slots on its stack: a 1-D
/// DLTensor view, or Bytes for Uint8Array (as ToAny does). 1: done; 0: not a typed array;
/// -1: a typed array for the general path (no data: maybe detached, which it reports).
struct ViewSlot {
  DLTensor tensor;
  int64_t shape;
  TVMFFIByteArray bytes;
};

inline int TypedArrayArg(napi_env env, napi_value value, TVMFFIAny* out, ViewSlot* slot) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok)
    return 0;
  if (__builtin_expect(data == nullptr && length == 0, 0)) return -1;
  out->zero_padding = 0;
  if (type == napi_uint8_array || type == napi_uint8_clamped_array) {
    slot->bytes.data = static_cast<const char*>(data);
    slot->bytes.size = length;
    out->type_index = kTVMFFIByteArrayPtr;
    out->v_ptr = &slot->bytes;
    return 1;
  }
  DLTensor* t = &slot->tensor;
  if (!TypedArrayDType(type, &t->dtype)) return -1;
  slot->shape = static_cast<int64_t>(length);
  t->data = data;
  t->device = {kDLCPU, 0};
  t->ndim = 1;
  t->shape = &slot->shape;
  t->strides = nullptr;
  t->byte_offset = 0;
  out->type_index = kTVMFFIDLTensorPtr;
  out->v_ptr = t;
  return 1;
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
    for (size_t i = 0; i < argc; ++i) ToAny(e, argv[i], &args[i], scratch, fd->name.c_str(), i);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
  LentViews lent(argv.data(), argc, fd->name.c_str());  // [i19n] (js_memory.h)
  TVMFFIAny result = NoneAny();
  int rc;
  try {
    UnscopedCallbacks budget(CurrentEnvState());
    rc = fd->fn(nullptr, args.data(), static_cast<int32_t>(argc), &result);
  } catch (...) {
    scratch.Release();
    return ThrowEscaped(env, fd);
  }
  scratch.Release();
  return Finish(env, fd, rc, &result);
}

napi_value CallSafe(napi_env env, napi_callback_info info) {
  size_t argc = kInlineArgs;
  napi_value argv[kInlineArgs];
  void* data = nullptr;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  auto* fd = static_cast<FunctionData*>(data);
  if (Unusable(fd)) return ThrowDisposed(env, fd);
  if (__builtin_expect(argc > kInlineArgs, 0)) return CallMany(env, info, fd, argc);
  TVMFFIAny args[kInlineArgs];
  ViewSlot views[kInlineArgs];  // only the typed-array positions are written
  bool lends = false;
  for (size_t i = 0; i < argc; ++i) {
    if ((fd->object_args >> i) & 1u) {
      // Held a non-number last time: most likely the same kind of typed array again.
      int got = TypedArrayArg(env, argv[i], &args[i], &views[i]);
      lends |= got > 0;
      if (got > 0) continue;
      return CallMixed(env, fd, argv, argc, args, i,
                       got == 0 ? Probed::kNotTypedArray : Probed::kNothing);
    }
    double d;
    if (napi_get_value_double(env, argv[i], &d) != napi_ok)
      return CallMixed(env, fd, argv, argc, args, i, Probed::kNotNumber);
    NumberToAny(d, &args[i]);
  }
  // [i19n] Typed arrays are lent for the call (js_memory.h); number-only calls skip this.
  LentViews lent(lends ? argv : nullptr, argc, fd->name.c_str());
  TVMFFIAny result = NoneAny();
  int rc;
  try {
    rc = fd->fn(nullptr, args, static_cast<int32_t>(argc), &result);
  } catch (...) {
    return ThrowEscaped(env, fd);
  }
  return Finish(env, fd, rc, &result);
}

}  // namespace

Napi::Function MakeSafeCallFunction(Napi::Env env, std::shared_ptr<jit::Library> lib,
                                    const std::string& name, TVMFFISafeCallType fn) {
  auto* fd = new FunctionData{std::move(lib), name, fn};
  napi_value out;
  napi_status st = napi_create_function(env, name.c_str(), name.size(), CallSafe, fd, &out);
  if (st != napi_ok) {
    delete fd;
    NAPI_THROW_IF_FAILED(env, st, Napi::Function());
  }
  Napi::Function f(env, out);
  st = napi_add_finalizer(
      env, out, fd, [](napi_env, void* d, void*) { delete static_cast<FunctionData*>(d); },
      nullptr, nullptr);
  if (st != napi_ok) {
    delete fd;
    NAPI_THROW_IF_FAILED(env, st, Napi::Function());
  }
  return f;
}

}  // namespace orcjit::binding
