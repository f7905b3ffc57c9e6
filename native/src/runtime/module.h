// ffi.Module objects for loaded libraries, the library context (`__tvm_ffi__library_ctx`) and
// the context-symbol registry. This is the runtime's side of the loader contract
// (TVM_FFI_ABI.md §3.5); the JIT engine drives it:
//
//   TVMFFIObject* mod = CreateLibraryModule("orcjit", name,
//       [dylib](const std::string& sym) -> void* { /* lookup in the JITDylib, nullptr if absent */ },
//       [dylib] { /* last reference gone: run finalizers, remove the JITDylib */ });
//   InitContextSymbols(mod);   // writes mod into __tvm_ffi__library_ctx + registered ctx symbols
//   TVMFFIObject* f = ModuleGetFunction(mod, "add", /*query_imports=*/true);  // __tvm_ffi_add
//   ...; ObjectDecRef(f); ObjectDecRef(mod);
//
// A module object is an ffi.Module (type index 73) but NOT a tvm-ffi C++ ModuleObj (that class
// has a vtable and no stable ABI): C++ code should go through the global functions
// "ffi.ModuleGetFunction" / "ffi.ModuleImportModule", registered by the runtime.
// Functions returned by ModuleGetFunction hold a strong reference to their module, so a live
// function keeps the library mapped. __tvm_ffi__library_ctx is a borrowed pointer.
#pragma once
#include <tvm/ffi/c_api.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace orcjit::runtime {

/// Address of symbol `name` in the library, or nullptr if it does not define it.
using SymbolLookup = std::function<void*(const std::string& name)>;

/// New ffi.Module for a loaded library (caller owns the reference). on_destroy (may be empty)
/// runs once, when the last reference dies, after the module released its imports.
TVMFFIObject* CreateLibraryModule(std::string kind, std::string name, SymbolLookup lookup,
                                  std::function<void()> on_destroy);

/// True if `obj` is a module made by CreateLibraryModule.
bool IsLibraryModule(TVMFFIObject* obj);
const std::string& ModuleKind(TVMFFIObject* module);
const std::string& ModuleName(TVMFFIObject* module);

/// Append `imported` to the module's imports (the module takes a reference).
void ModuleImport(TVMFFIObject* module, TVMFFIObject* imported);
/// The module's imports (borrowed references).
std::vector<TVMFFIObject*> ModuleImports(TVMFFIObject* module);

/// Raw symbol address through the module's lookup; nullptr if absent.
void* ModuleGetSymbol(TVMFFIObject* module, const std::string& symbol);

/// New Function calling `__tvm_ffi_<name>` of the module (handle argument NULL), or nullptr if
/// absent. With query_imports, the imports are searched depth-first after the module itself.
/// The function holds a strong reference to the module that defines the symbol.
TVMFFIObject* ModuleGetFunction(TVMFFIObject* module, const std::string& name,
                                bool query_imports);

/// Write `module` into the library's `__tvm_ffi__library_ctx` (if defined) and every
/// TVMFFIEnvModRegisterContextSymbol entry into the same-named library global (if defined).
/// Returns the number of globals written.
int InitContextSymbols(TVMFFIObject* module);

/// Snapshot of the (name, address) pairs registered with TVMFFIEnvModRegisterContextSymbol.
std::vector<std::pair<std::string, void*>> ContextSymbols();
/// Snapshot of the pairs registered with TVMFFIEnvModRegisterSystemLibSymbol.
std::vector<std::pair<std::string, void*>> SystemLibSymbols();

}  // namespace orcjit::runtime
