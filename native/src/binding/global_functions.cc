// Exports over the TVM-FFI global function registry; JS functions registered by an
// environment are taken back when it goes (RestoreJsGlobals).
#include "binding/addon_state.h"
#include "binding/values.h"
#include "binding/values_api.h"
#include "runtime/global_registry.h"

namespace orcjit::binding {

Napi::Value GetGlobalFunc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = Utf8(info[0]);
  TVMFFIObject* f = runtime::GetGlobalFunction(name);
  if (!f) return env.Null();
  // Values this function returns keep the registering library mapped (runtime keep-alive).
  int64_t owner = runtime::GlobalOwner(name);
  return MakeFunctionValue(env, f, nullptr, name, owner > 0 ? uint64_t(owner) : 0);
}

Napi::Value ListGlobalFuncs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto names = runtime::ListGlobalFunctionNames();
  auto arr = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); ++i) arr.Set(uint32_t(i), Napi::String::New(env, names[i]));
  return arr;
}

Napi::Value RegisterGlobalFunc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = Utf8(info[0]);
  bool override_ = info.Length() > 2 && info[2].ToBoolean().Value();
  TVMFFIObject* f;
  Box* box = UnwrapBox(env, info[1]);
  bool js_function = false;
  if (box && box->kind == BoxKind::kObject && box->obj && box->obj->type_index == kTVMFFIFunction) {
    f = box->obj;
    TVMFFIObjectIncRef(f);
  } else {
    f = WrapJsFunction(env, info[1], name);
    js_function = true;
  }
  // [i19n] A JS function dies with its environment (a worker): remember what it replaces,
  // so that teardown puts that back instead of leaving a dead function registered.
  TVMFFIObject* previous = js_function ? runtime::GetGlobalFunction(name) : nullptr;
  try {
    runtime::SetGlobalFunction(name, f, override_);
  } catch (const runtime::FFIError& e) {
    TVMFFIObjectDecRef(f);
    if (previous) TVMFFIObjectDecRef(previous);
    ThrowValue(env, MakeFFIError(env, e.info().kind, e.info().message, e.info().backtrace));
  }
  if (js_function) Addon::Get(env)->js_globals.push_back({name, f, previous});
  TVMFFIObjectDecRef(f);
  return env.Undefined();
}

Napi::Value RemoveGlobalFunc(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), runtime::RemoveGlobalFunction(Utf8(info[0])));
}

/// [i19n] Global functions registered with this environment's JS functions go with it; the
/// entries they replaced come back (newest first).
void RestoreJsGlobals(Addon* st) {
  for (auto it = st->js_globals.rbegin(); it != st->js_globals.rend(); ++it) {
    TVMFFIObject* current = runtime::GetGlobalFunction(it->name);
    bool ours = current == it->func;
    if (current) TVMFFIObjectDecRef(current);
    try {
      if (ours && it->previous)
        runtime::SetGlobalFunction(it->name, it->previous, /*allow_override=*/true);
      else if (ours)
        runtime::RemoveGlobalFunction(it->name);
    } catch (...) {
    }
    if (it->previous) TVMFFIObjectDecRef(it->previous);
  }
  st->js_globals.clear();
}

}  // namespace orcjit::binding
