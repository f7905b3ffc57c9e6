// [j15] NativeCrashError (src/errors.ts) for a contained fault (jit/crash_guard.h): one place
// that turns a CrashInfo into the error's message and properties (signal, address, pc, symbol,
// source file/line), for library exports (function.cc) and Function values (values_api.cc).
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

#include "jit/crash_guard.h"

namespace orcjit::jit {
class Library;
}

namespace orcjit::binding {

/// The error object: `message`, and the details as properties (crash may be null: "crashed
/// earlier" refusals carry only library and function).
Napi::Value MakeNativeCrashError(Napi::Env env, const std::string& library,
                                 const std::string& function, const std::string& message,
                                 const jit::CrashInfo* crash);

/// "SIGSEGV in '<what>' at <symbol> <file>:<line> (fault address 0x..)".
std::string CrashMessage(const std::string& what, const jit::CrashInfo& crash);

/// TVMFFIFunctionCall(func, ...) through the crash guard (when containment is on): a fault in
/// JIT code returns jit::kCrashed (details: jit::LastCrash()).
int GuardedFunctionCall(TVMFFIObject* func, TVMFFIAny* args, int32_t n, TVMFFIAny* result);

/// A Function value (returned by a kernel, a global function, ...) faulted: poisons the library
/// that made it (`lib`, the value's pin, else the runtime owner id `owner`; either may be
/// null/0) and returns the NativeCrashError to throw.
Napi::Value FunctionValueCrashError(Napi::Env env, const std::string& name, jit::Library* lib,
                                    uint64_t owner);

}  // namespace orcjit::binding
