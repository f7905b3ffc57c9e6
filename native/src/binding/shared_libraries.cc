// Shared libraries opened with dlopen for their __tvm_ffi_<name> functions.
#include <dlfcn.h>

#include "binding/values.h"
#include "binding/values_api.h"
#include "runtime/api.h"

namespace orcjit::binding {

namespace {

void* AddonHandle() {
  // Makes the addon's TVMFFI* symbols visible to libraries opened later (Node loads addons
  // RTLD_LOCAL): re-open ourselves with RTLD_GLOBAL.
  static void* self = [] {
    Dl_info dli;
    if (!dladdr(reinterpret_cast<void*>(&TVMFFIObjectIncRef), &dli) || !dli.dli_fname) return (void*)nullptr;
    return dlopen(dli.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  }();
  return self;
}

}  // namespace

// openShared(path) -> external handle (the library stays loaded for the process lifetime:
// objects it created may outlive every JS reference we could track).
Napi::Value OpenShared(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = Utf8(info[0]);
  AddonHandle();
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* why = dlerror();
    throw Napi::Error::New(env, "cannot load shared library '" + path + "': " + (why ? why : "unknown error"));
  }
  return Napi::External<void>::New(env, h);
}

Napi::Value SharedGetFunction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* h = info[0].As<Napi::External<void>>().Data();
  std::string name = Utf8(info[1]);
  auto fn = reinterpret_cast<TVMFFISafeCallType>(dlsym(h, ("__tvm_ffi_" + name).c_str()));
  if (!fn) return env.Null();
  TVMFFIObject* f = runtime::CreateFunction([fn](const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
    if (fn(nullptr, args, n, result) != 0) throw runtime::ErrorAlreadyRaised{};
  });
  return MakeFunctionValue(env, f, nullptr, name);
}

}  // namespace orcjit::binding
