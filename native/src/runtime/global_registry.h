// The process-wide global function registry (name -> Function, plus doc/metadata).
#pragma once
#include <tvm/ffi/c_api.h>

#include <string>
#include <vector>

#include "runtime/api.h"

namespace orcjit::runtime {

/// Sorted names of all registered global functions.
std::vector<std::string> GlobalFunctionNames();
/// Remove `name`; false if absent. The registry's reference is released.
bool RemoveGlobal(const std::string& name);
/// Doc and metadata (JSON) recorded for `name`; false if absent.
bool GlobalFunctionInfo(const std::string& name, std::string* doc, std::string* metadata);

/// A global function the runtime registers when the registry is first used.
struct BuiltinDef {
  const char* name;
  const char* doc;
  CppFunction fn;
};
/// Builtins contributed by module.cc (ffi.ModuleGetFunction, ffi.ModuleImportModule).
std::vector<BuiltinDef> ModuleBuiltins();

}  // namespace orcjit::runtime
