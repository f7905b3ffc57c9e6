// Checked calls: the signature's construction and the error paths (binding/typed_args.h).
#include "binding/typed_args.h"

#include <tvm/ffi/container/array.h>

#include "binding/js_errors.h"

namespace orcjit::binding {

std::unique_ptr<Signature> MakeSignature(Napi::Env env, napi_value owner, std::string name,
                                         Napi::Value kinds_value, Napi::Value types_value,
                                         Napi::Value deep, Napi::Value result) {
  if (!kinds_value.IsArray() || !types_value.IsArray())
    throw Napi::TypeError::New(env, "signature: 'kinds' and 'types' must be arrays");
  auto kinds = kinds_value.As<Napi::Array>();
  auto types = types_value.As<Napi::Array>();
  auto sig = std::make_unique<Signature>();
  sig->name = std::move(name);
  for (uint32_t i = 0; i < kinds.Length(); ++i) {
    sig->kinds.push_back(kinds.Get(i).As<Napi::Number>().Int32Value());
    sig->types.push_back(i < types.Length() ? types.Get(i).ToString().Utf8Value() : "Any");
  }
  // [k12t] deep?: (value, i) => value; result?: (value) => value (src/values/checked-args.ts)
  if (!deep.IsEmpty()) sig->deep = HoldFor(env, owner, deep);
  if (!result.IsEmpty()) sig->result = HoldFor(env, owner, result);
  return sig;
}

bool FloatArrayToAny(napi_env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch) {
  // What convert.cc's general path refuses (more elements than that) is left to it.
  constexpr uint32_t kMaxElements = uint32_t(1) << 24;
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, value, &n) != napi_ok || n > kMaxElements)
    return false;
  // An array C++ returned (it carries its ffi.Array) passes back as it is, uncopied.
  if (UnwrapBoxOfObject(env, value)) return false;
  // The element path of the general converter (a box unwrapped per integral element, since
  // checked-args.ts marks them as ffi.float) cost ≈ 0.4 µs an element: here one
  // napi_get_element and one napi_get_value_double.
  auto arr = tvm::ffi::ArrayObj::Empty(n);
  for (uint32_t i = 0; i < n; ++i) {
    napi_value el;
    double d;
    if (napi_get_element(env, value, i, &el) != napi_ok ||
        napi_get_value_double(env, el, &d) != napi_ok)
      return false;  // `arr` is freed
    arr->EmplaceUnchecked(tvm::ffi::Any(d));
  }
  TVMFFIObject* obj = tvm::ffi::details::ObjectUnsafe::MoveObjectPtrToHandle(std::move(arr));
  scratch.Own(obj);
  out->type_index = obj->type_index;
  out->zero_padding = 0;
  out->v_obj = obj;
  return true;
}

std::string Describe(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  Napi::Value val(env, v);
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return val.ToBoolean().Value() ? "true" : "false";
    case napi_number: return val.ToString().Utf8Value();
    case napi_bigint: return val.ToString().Utf8Value() + "n";
    case napi_string: {
      std::string s = val.As<Napi::String>().Utf8Value();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return "the string \"" + s + "\"";
    }
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    default: return "an object";
  }
}

napi_value ThrowParam(napi_env env, const Signature& sig, size_t i, napi_value got,
                      const char* why) {
  return GuardRaw(env, [&]() -> napi_value {
    throw Napi::TypeError::New(env, "argument #" + std::to_string(i) + " of '" + sig.name +
                                        "' must be " + sig.types[i] +
                                        " (its C++ signature), got " + Describe(env, got) + why);
  });
}

napi_value ThrowArity(napi_env env, const Signature& sig, size_t argc) {
  return GuardRaw(env, [&]() -> napi_value {
    std::string params;
    for (size_t i = 0; i < sig.types.size(); ++i) params += (i ? ", " : "") + sig.types[i];
    throw Napi::TypeError::New(env, "'" + sig.name + "' takes " + std::to_string(sig.kinds.size()) +
                                        " argument" + (sig.kinds.size() == 1 ? "" : "s") + " (" +
                                        params + "), got " + std::to_string(argc));
  });
}

}  // namespace orcjit::binding
