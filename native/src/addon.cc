// Registration hub of the addon: each binding file contributes its exports here.
//
// exports:
//   abiVersion                 number, bumped when this shape changes
//   nativeInfo()               { llvmVersion, abiVersion, tvmFfiVersion, targetTriple,
//                                buildType, sanitize } of this build
//   initialize({ errors, factories })
//                              injects the JS error classes (src/errors.ts) and the value
//                              factories (src/values/native.ts); binding/addon_state.h
//   setCrashGuard(on), setPerfMap(on)
//                              process-wide diagnostics switches; return the previous setting
//   Session                    class (binding/session_wrap.h)
//   Library                    class (binding/library_wrap.h); instances come from
//                              Session.createLibrary, JS cannot construct one
//   values                     value layer: tensors, objects, global functions (values_api.cc)
#include <napi.h>

#include <mutex>

#include "binding/addon_state.h"
#include "binding/library_wrap.h"
#include "binding/session_wrap.h"
#include "binding/v8_lanes.h"
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

using orcjit::binding::Addon;

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
  // "" when the call path's V8 lanes are on, else why not (binding/v8_lanes.h)
  o.Set("v8LanesOff", orcjit::binding::V8LanesStatus());
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Once per process: every worker thread loads the addon, and LLVM's target registry is
  // written without a lock.
  static std::once_flag llvm_init;
  std::call_once(llvm_init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  orcjit::binding::InitV8Lanes(env);  // once per process: look up + self-test (v8_lanes.h)
  Addon* data = Addon::Install(env);  // this environment's state and its teardown
  Napi::Function session = orcjit::binding::SessionWrap::Define(env);
  Napi::Function library = orcjit::binding::LibraryWrap::Define(env);
  data->library_ctor = Napi::Persistent(library);
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("nativeInfo", Napi::Function::New(env, NativeInfo, "nativeInfo"));
  exports.Set("initialize", Napi::Function::New(env, orcjit::binding::Initialize, "initialize"));
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
  // The call path's V8 lanes (binding/v8_lanes.h): tests and the bench compare on and off.
  exports.Set("setV8Lanes", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), orcjit::binding::SetV8Lanes(info[0].ToBoolean().Value()));
  }, "setV8Lanes"));
  exports.Set("debuggerEntryCount", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(orcjit::jit::DebuggerEntryCount()));
  }, "debuggerEntryCount"));
  exports.Set("Session", session);
  exports.Set("Library", library);
  orcjit::binding::InitValues(env, exports);  // exports.values
  return exports;
}

}  // namespace

NODE_API_MODULE(tvm_ffi_orcjit, Init)
