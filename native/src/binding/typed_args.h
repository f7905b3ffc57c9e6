// Checked calls (docs/types.md#checked-calls): a function with export metadata has a
// Signature (the declared kind of each parameter, from src/values/signature.ts), and its
// arguments are checked and converted by it before the native call. One implementation for
// every function with a signature: getFunction exports (binding/function.cc) and function
// values (.so exports, module-tree functions, typed function results:
// binding/function_values.cc), sync and async. The hot part (ConvertTypedArgs) is inline;
// the error paths are out of line (typed_args.cc).
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <memory>
#include <string>
#include <vector>

#include "binding/convert.h"
#include "binding/values.h"

namespace orcjit::binding {

/// Declared parameter kinds (from the export's metadata; src/values/signature.ts): calls
/// are checked and converted by them. Kinds the call path does not check itself go through
/// ToAny and are checked by the callee.
enum ParamKind : int32_t { kParamAny = 0, kParamInt = 1, kParamFloat = 2, kParamBool = 3, kParamStr = 4,
                           kParamDeep = 5,  // [k12t] converted by Signature::deep (element types)
                           kParamFloatArray = 6 };  // [k12q] ffi.Array<float>: FloatArrayToAny, else as kParamDeep
constexpr int32_t kParamOptional = 0x100;

struct Signature {
  std::string name;  // the function, as errors name it
  std::vector<int32_t> kinds;
  std::vector<std::string> types;  // declared type of each parameter, for errors
  napi_ref deep = nullptr;  // [k12t] JS (value, i) => value for kParamDeep (checked-args.ts)
  napi_ref result = nullptr;  // [k12t] JS value => value for non-scalar results (checked-args.ts)
};

/// The Signature set by values.setFunctionSignature / setValueSignature: `kinds` and `types`
/// are JS arrays; `deep` and `result` JS functions (or anything else for none), held as long
/// as `owner` (the function they check) lives.
std::unique_ptr<Signature> MakeSignature(Napi::Env env, napi_value owner, std::string name,
                                         Napi::Value kinds, Napi::Value types, Napi::Value deep,
                                         Napi::Value result);

/// [k12q] A JS array of plain numbers as an owned ffi.Array of Floats (integral numbers
/// included: a declared `ffi.Array<float>`), held by `scratch` for the call. False, with
/// nothing converted, for anything else (another value, a bigint or ffi.float element, a
/// sparse or too long array, an array C++ returned): the caller then takes the general path,
/// which converts, passes back or names the culprit.
[[gnu::noinline]] bool FloatArrayToAny(napi_env env, napi_value value, TVMFFIAny* out,
                                       ArgScratch& scratch);

/// A JS value in an error message: strings quoted, short.
std::string Describe(napi_env env, napi_value v);

/// The TypeError of argument #i not matching its declared type (nullptr, pending).
[[gnu::noinline]] napi_value ThrowParam(napi_env env, const Signature& sig, size_t i,
                                        napi_value got, const char* why);
/// The TypeError of a call with the wrong number of arguments (nullptr, pending).
[[gnu::noinline]] napi_value ThrowArity(napi_env env, const Signature& sig, size_t argc);

inline bool Nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_undefined || t == napi_null;
}

/// Checks and converts the arguments of a function with a signature by their declared kinds
/// (argc must be the declared count). False with a pending JS exception. `*callbacks` is set
/// when an argument became a Function object (a JS callback).
[[gnu::always_inline]] inline bool ConvertTypedArgs(napi_env env, const Signature& sig,
                                                    const napi_value* argv, size_t argc,
                                                    TVMFFIAny* args, ArgScratch& scratch,
                                                    bool* callbacks) {
  for (size_t i = 0; i < argc; ++i) {
    int32_t kind = sig.kinds[i];
    napi_value arg = argv[i];
    double d;
    switch (kind & 0xff) {
      case kParamInt:
        if (napi_get_value_double(env, argv[i], &d) == napi_ok) {
          if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0))
            return ThrowParam(env, sig, i, argv[i], ", outside the int64 range"), false;
          int64_t v = static_cast<int64_t>(d);
          if (static_cast<double>(v) != d)
            return ThrowParam(env, sig, i, argv[i], ", not an integer"), false;
          args[i].type_index = kTVMFFIInt;
          args[i].zero_padding = 0;
          args[i].v_int64 = v;
          continue;
        }
        break;
      case kParamFloat:
        if (napi_get_value_double(env, argv[i], &d) == napi_ok) {
          FloatToAny(d, &args[i]);
          continue;
        }
        break;
      case kParamBool: {
        bool b;
        if (napi_get_value_bool(env, argv[i], &b) == napi_ok) {
          args[i].type_index = kTVMFFIBool;
          args[i].zero_padding = 0;
          args[i].v_int64 = b ? 1 : 0;
          continue;
        }
        break;
      }
      case kParamStr: {
        napi_valuetype t;
        napi_typeof(env, argv[i], &t);
        if (t == napi_string) break;  // converted below
        if ((kind & kParamOptional) && (t == napi_undefined || t == napi_null)) break;
        return ThrowParam(env, sig, i, argv[i], ""), false;
      }
      case kParamFloatArray:  // [k12q] numbers straight to Floats; else as kParamDeep
        if (FloatArrayToAny(env, arg, &args[i], scratch)) continue;
        [[fallthrough]];
      case kParamDeep:  // [k12t] arrays/maps of declared element types
        if (!ApplyParamChecker(env, sig.deep, i, &arg)) return false;
        break;
      default: break;  // kParamAny and the kinds the callee checks
    }
    // Not handled above: a bigint or ffi.float for a number, null for an Optional, or a kind
    // converted by the general rules.
    int32_t base = kind & 0xff;
    try {
      Napi::Env e(env);
      if (base != kParamAny && base != kParamStr && (kind & kParamOptional) && Nullish(env, argv[i])) {
        args[i].type_index = kTVMFFINone;
        args[i].zero_padding = 0;
        args[i].v_int64 = 0;
        continue;
      }
      ToAny(e, arg, &args[i], scratch, sig.name.c_str(), i);
    } catch (const Napi::Error& err) {
      err.ThrowAsJavaScriptException();
      return false;
    }
    int32_t ti = args[i].type_index;
    if ((base == kParamInt && ti != kTVMFFIInt) ||
        (base == kParamFloat && ti != kTVMFFIFloat && ti != kTVMFFIInt) ||
        (base == kParamBool && ti != kTVMFFIBool)) {
      return ThrowParam(env, sig, i, argv[i], ""), false;
    }
    if (base == kParamFloat && ti == kTVMFFIInt) FloatToAny(double(args[i].v_int64), &args[i]);
    *callbacks |= ti == kTVMFFIFunction;
  }
  return true;
}

}  // namespace orcjit::binding
