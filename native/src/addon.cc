// Registration hub of the addon: each binding file contributes its exports here.
//
// exports:
//   abiVersion                 number, bumped when this shape changes
//   nativeInfo()               { llvmVersion, abiVersion, tvmFfiVersion, targetTriple,
//                                buildType, sanitize } of this build
//   initialize(classes)        injects the JS error classes from src/errors.ts
//   Session                    class (binding/session_wrap.h); Library objects come from it
//   values                     value layer: tensors, objects, global functions (values_api.cc)
#include <napi.h>

#include <mutex>

#include "binding/addon_data.h"
#include "binding/library_wrap.h"
#include "binding/session_wrap.h"
#include "binding/values.h"
#include "jit/crash_guard.h"
#include "jit/debugger.h"
#include "jit/perf_map.h"
#include "jit/session.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

#ifndef ORCJIT_BUILD_TYPE
#define ORCJIT_BUILD_TYPE "unknown"
#endif
#ifndef ORCJIT_SANITIZE_BUILD
#define ORCJIT_SANITIZE_BUILD 0
#endif

namespace {

using orcjit::binding::AddonData;

constexpr int kAbiVersion = 1;

#define ORCJIT_STR2(x) #x
#define ORCJIT_STR(x) ORCJIT_STR2(x)

Napi::Value NativeInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("llvmVersion", LLVM_VERSION_STRING);
  o.Set("abiVersion", kAbiVersion);
  o.Set("tvmFfiVersion", ORCJIT_STR(TVM_FFI_VERSION_MAJOR) "." ORCJIT_STR(
                             TVM_FFI_VERSION_MINOR) "." ORCJIT_STR(TVM_FFI_VERSION_PATCH));
  o.Set("targetTriple", llvm::sys::getProcessTriple());
  o.Set("buildType", ORCJIT_BUILD_TYPE);
  o.Set("sanitize", ORCJIT_SANITIZE_BUILD != 0);
  return o;
}

Napi::Value Initialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject())
    throw Napi::TypeError::New(env, "initialize(classes): expected an object of error classes");
  Napi::Object classes = info[0].As<Napi::Object>();
  AddonData* data = AddonData::Get(env);
  auto take = [&](const char* key, Napi::FunctionReference& slot) {
    Napi::Value v = classes.Get(key);
    if (!v.IsFunction())
      throw Napi::TypeError::New(env, std::string("initialize(classes): '") + key +
                                          "' must be a class");
    slot = Napi::Persistent(v.As<Napi::Function>());
  };
  take("FFIError", data->ffi_error);
  take("LinkError", data->link_error);
  take("ObjectFileError", data->object_file_error);
  take("SymbolNotFoundError", data->symbol_not_found);
  take("DisposedError", data->disposed_error);
  if (classes.Get("NativeCrashError").IsFunction())  // [i15] optional
    take("NativeCrashError", data->native_crash_error);
  return env.Undefined();
}

void Cleanup(void* arg) {
  // Environment teardown: run the finalizers of every live session's libraries while the
  // process is still whole.
  auto* data = static_cast<AddonData*>(arg);
  for (auto& w : data->sessions)
    if (auto s = w.lock()) s->Dispose();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Once per process: every worker thread loads the addon, and LLVM's target registry is
  // written without a lock.
  static std::once_flag llvm_init;
  std::call_once(llvm_init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  // Teardown order (hooks run last-in first-out): values (JS can no longer be called back),
  // then the sessions' finalizers (Cleanup), then the global functions this environment's JS
  // registered are restored (after the finalizers, which may still look them up).
  orcjit::binding::AddLateTeardownHook(env);
  napi_add_env_cleanup_hook(env, Cleanup, data);
  Napi::Function session = orcjit::binding::SessionWrap::Define(env);
  Napi::Function library = orcjit::binding::LibraryWrap::Define(env);
  data->session_ctor = Napi::Persistent(session);
  data->library_ctor = Napi::Persistent(library);
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("nativeInfo", Napi::Function::New(env, NativeInfo, "nativeInfo"));
  exports.Set("initialize", Napi::Function::New(env, Initialize, "initialize"));
  // [i15] process-wide diagnostics switches (jit/crash_guard.h, jit/perf_map.h)
  exports.Set("setCrashGuard", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    bool was = orcjit::jit::CrashGuardEnabled();
    orcjit::jit::SetCrashGuardEnabled(info[0].ToBoolean().Value());
    return Napi::Boolean::New(info.Env(), was);
  }, "setCrashGuard"));
  exports.Set("setPerfMap", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    bool was = orcjit::jit::PerfMapEnabled();
    orcjit::jit::SetPerfMapEnabled(info[0].ToBoolean().Value());
    return Napi::Boolean::New(info.Env(), was);
  }, "setPerfMap"));
  // [j15] debugger registration for every library (jit/debugger.h); entry count for tests
  exports.Set("setDebugger", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    bool was = orcjit::jit::DebuggerEnabled();
    orcjit::jit::SetDebuggerEnabled(info[0].ToBoolean().Value());
    return Napi::Boolean::New(info.Env(), was);
  }, "setDebugger"));
  exports.Set("debuggerEntryCount", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(orcjit::jit::DebuggerEntryCount()));
  }, "debuggerEntryCount"));
  exports.Set("Session", session);
  exports.Set("Library", library);
  orcjit::binding::InitValues(env, exports);  // exports.values (after the cleanup hook above)
  return exports;
}

}  // namespace

NODE_API_MODULE(tvm_ffi_orcjit, Init)
