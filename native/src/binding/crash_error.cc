#include "binding/crash_error.h"

#include <cstdio>

#include "binding/js_errors.h"
#include "jit/debugger.h"
#include "jit/library.h"
#include "jit/perf_map.h"
#include "runtime/function.h"

namespace orcjit::binding {

Napi::Value MakeNativeCrashError(Napi::Env env, const std::string& library,
                                 const std::string& function, const std::string& message,
                                 const jit::CrashInfo* crash) {
  Napi::Object details = Napi::Object::New(env);
  details.Set("library", library);
  details.Set("function", function);
  if (crash) {
    char hex[32];
    details.Set("signal", jit::SignalName(crash->signal));
    std::snprintf(hex, sizeof hex, "0x%zx", size_t(crash->address));
    details.Set("address", hex);
    std::snprintf(hex, sizeof hex, "0x%zx", size_t(crash->pc));
    details.Set("pc", hex);
    std::string sym = jit::SymbolizeJitAddress(crash->pc);
    details.Set("symbol", sym.empty() ? env.Null() : Napi::String::New(env, sym));
    // The source position, when the object is registered with debug info (jit/debugger.h).
    std::string file;
    unsigned line = 0;
    bool has_line = jit::SourceLineForJitAddress(crash->pc, &file, &line);
    details.Set("file", has_line ? Napi::String::New(env, file) : env.Null());
    details.Set("line", has_line ? Napi::Number::New(env, line) : env.Null());
  }
  return MakeNativeCrashError(env, message, details);  // the JS object: binding/js_errors.cc
}

std::string CrashMessage(const std::string& what, const jit::CrashInfo& crash) {
  char where[64];
  std::snprintf(where, sizeof where, " (fault address 0x%zx)", size_t(crash.address));
  std::string at = jit::SymbolizeJitAddress(crash.pc);
  std::string file;
  unsigned line = 0;
  if (jit::SourceLineForJitAddress(crash.pc, &file, &line))
    at += (at.empty() ? "" : " ") + file + ":" + std::to_string(line);
  return std::string(jit::SignalName(crash.signal)) + " in " + what + (at.empty() ? "" : " at " + at) + where;
}

int GuardedFunctionCall(TVMFFIObject* func, TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  if (__builtin_expect(!jit::CrashGuardEnabled(), 0) || func == nullptr ||
      func->type_index != kTVMFFIFunction)
    return TVMFFIFunctionCall(func, args, n, result);  // raises for a non-function
  return jit::GuardedSafeCall(TVMFFIFunctionGetCellPtr(func)->safe_call, func, args, n, result);
}

Napi::Value FunctionValueCrashError(Napi::Env env, const std::string& name, jit::Library* lib,
                                    uint64_t owner) {
  const jit::CrashInfo crash = jit::LastCrash();
  std::shared_ptr<jit::Library> by_owner;
  if (!lib && owner && (by_owner = jit::Library::FindByOwner(owner))) lib = by_owner.get();
  std::string library;
  if (lib) {
    lib->MarkCrashed();  // its exports refuse further calls, as after a crash in one of them
    library = lib->name();
  }
  std::string what = "function '" + name + "'" + (library.empty() ? "" : " of library '" + library + "'");
  std::string message = CrashMessage(what, crash) +
                        (library.empty() ? "" : "; the library may be corrupt and refuses further calls: reload or dispose it");
  return MakeNativeCrashError(env, library, name, message, &crash);
}

}  // namespace orcjit::binding
