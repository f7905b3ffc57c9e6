#include "binding/addon_state.h"
#include "binding/v8_lanes.h"

#include <utility>

#include "jit/session.h"

namespace orcjit::binding {

namespace {
// Each environment runs on one thread of its own (the main thread, or a worker's).
thread_local Addon* t_current = nullptr;
thread_local napi_env t_torn_down = nullptr;

// First hook to run: JS of this environment can no longer be called back.
void BeginTeardown(void* arg) {
  auto* addon = static_cast<Addon*>(arg);
  if (t_current == addon) t_current = nullptr;
  t_torn_down = addon->env;  // its callbacks now fail softly (JsCallbackSafeCall)
}

// Then the finalizers of every live session's libraries, while the process is still whole.
void DisposeSessions(void* arg) {
  auto* addon = static_cast<Addon*>(arg);
  for (auto& w : addon->sessions)
    if (auto s = w.lock()) s->Dispose();
}

// Last: the global functions this environment's JS registered go (after the finalizers,
// which may still look them up); the entries they replaced come back.
void EndTeardown(void* arg) { RestoreJsGlobals(static_cast<Addon*>(arg)); }

void TakeFunction(Napi::Env env, Napi::Object from, const char* group, const char* key,
                  Napi::FunctionReference& slot) {
  Napi::Value v = from.Get(key);
  if (!v.IsFunction())
    throw Napi::TypeError::New(env, std::string("initialize: '") + group + "." + key +
                                        "' must be a function");
  slot = Napi::Persistent(v.As<Napi::Function>());
}

Napi::Object TakeGroup(Napi::Env env, Napi::Object init, const char* group) {
  Napi::Value v = init.Get(group);
  if (!v.IsObject())
    throw Napi::TypeError::New(env, std::string("initialize({ errors, factories }): '") + group +
                                        "' must be an object");
  return v.As<Napi::Object>();
}
}  // namespace

bool JsThreadAlive() { return t_current != nullptr; }  // binding/lifetime.h

Addon* Addon::Get(napi_env env) { return Napi::Env(env).GetInstanceData<Addon>(); }
Addon* Addon::Current() { return t_current; }
napi_env Addon::TornDownEnv() { return t_torn_down; }

Addon* Addon::Install(Napi::Env env) {
  auto* addon = new Addon();
  addon->env = env;
  env.SetInstanceData<Addon>(addon);
  t_current = addon;
  addon->null_value = StableNull(env);
  // For disposals requested from JS callbacks (binding/lifetime.cc).
  Napi::Value si = env.Global().Get("setImmediate");
  if (si.IsFunction()) napi_create_reference(env, si, 1, &addon->set_immediate);
  napi_add_env_cleanup_hook(env, EndTeardown, addon);
  napi_add_env_cleanup_hook(env, DisposeSessions, addon);
  napi_add_env_cleanup_hook(env, BeginTeardown, addon);
  return addon;
}

Napi::Value Initialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject())
    throw Napi::TypeError::New(env, "initialize({ errors, factories }): expected an object");
  Napi::Object init = info[0].As<Napi::Object>();
  Addon* addon = Addon::Get(env);
  Napi::Object errors = TakeGroup(env, init, "errors");
  Napi::Object factories = TakeGroup(env, init, "factories");
  // Everything is checked before anything is replaced: a bad call changes nothing.
  JsErrorClasses e;
  for (auto [key, slot] : {std::pair<const char*, Napi::FunctionReference*>{"FFIError", &e.ffi},
                           {"LinkError", &e.link},
                           {"ObjectFileError", &e.object_file},
                           {"SymbolNotFoundError", &e.symbol_not_found},
                           {"DisposedError", &e.disposed},
                           {"NativeCrashError", &e.native_crash}})
    TakeFunction(env, errors, "errors", key, *slot);
  ValueFactories f;
  for (auto [key, slot] : {std::pair<const char*, Napi::FunctionReference*>{"tensor", &f.tensor},
                           {"object", &f.object},
                           {"dtype", &f.dtype},
                           {"device", &f.device},
                           {"map", &f.map}})
    TakeFunction(env, factories, "factories", key, *slot);
  Napi::Value lend = factories.Get("lendBuffer");
  if (!lend.IsFunction())
    throw Napi::TypeError::New(env, "initialize: 'factories.lendBuffer' must be a function");
  if (addon->factories.lend_buffer) napi_delete_reference(env, addon->factories.lend_buffer);
  napi_create_reference(env, lend, 1, &f.lend_buffer);
  addon->errors = std::move(e);
  addon->factories = std::move(f);
  addon->initialized = true;
  return env.Undefined();
}

}  // namespace orcjit::binding
