// The functions of `exports.values` (the table: binding/values_api.cc), by the file that
// holds them, and what those files share.
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <string>

#include "binding/lifetime.h"

namespace orcjit::binding {

struct Signature;

inline std::string Utf8(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }

// binding/function_values.cc
/// Calls the Function object `fn` with JS arguments (self first if given); the result
/// holds `pin` and retains `owner`. With `sig` (no self), the arguments are checked and
/// converted by it (binding/typed_args.h).
Napi::Value CallFunctionObject(Napi::Env env, TVMFFIObject* fn, const TVMFFIAny* self,
                               const napi_value* argv, size_t argc, const char* name,
                               const Pin& pin, uint64_t owner, const Signature* sig = nullptr);

// binding/box_exports.cc
Napi::Value BoxDataType(const Napi::CallbackInfo& info);
Napi::Value BoxDevice(const Napi::CallbackInfo& info);
Napi::Value BoxFloat(const Napi::CallbackInfo& info);
Napi::Value BoxTensor(const Napi::CallbackInfo& info);
Napi::Value DTypeParse(const Napi::CallbackInfo& info);
Napi::Value DTypeToString(const Napi::CallbackInfo& info);
Napi::Value DisposeValue(const Napi::CallbackInfo& info);
Napi::Value ValueTypeIndex(const Napi::CallbackInfo& info);
Napi::Value SameObject(const Napi::CallbackInfo& info);

// binding/global_functions.cc
Napi::Value GetGlobalFunc(const Napi::CallbackInfo& info);
Napi::Value ListGlobalFuncs(const Napi::CallbackInfo& info);
Napi::Value RegisterGlobalFunc(const Napi::CallbackInfo& info);
Napi::Value RemoveGlobalFunc(const Napi::CallbackInfo& info);

// binding/reflection.cc
Napi::Value TypeKeyToIndex(const Napi::CallbackInfo& info);
Napi::Value TypeInfoFn(const Napi::CallbackInfo& info);
Napi::Value GetField(const Napi::CallbackInfo& info);
Napi::Value SetField(const Napi::CallbackInfo& info);
Napi::Value CallMethod(const Napi::CallbackInfo& info);
Napi::Value CallStatic(const Napi::CallbackInfo& info);

// binding/shared_libraries.cc
Napi::Value OpenShared(const Napi::CallbackInfo& info);
Napi::Value SharedGetFunction(const Napi::CallbackInfo& info);

}  // namespace orcjit::binding
