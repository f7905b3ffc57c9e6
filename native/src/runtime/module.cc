// Library module objects, TVMFFIEnvModLookupFromImports, and the context / system-lib symbol
// registries (see module.h for the loader contract).
#include "runtime/module.h"

#include <tvm/ffi/extra/c_env_api.h>

#include <map>
#include <mutex>

#include "runtime/api.h"
#include "runtime/error.h"
#include "runtime/function.h"
#include "runtime/global_registry.h"
#include "runtime/object.h"
#include "runtime/string_object.h"

namespace orcjit::runtime {
namespace {

constexpr uint64_t kModuleMagic = 0x6f72636a69746d6full;  // tells our modules from foreign ones

struct ModuleObj {
  TVMFFIObject header;
  uint64_t magic = kModuleMagic;
  std::string kind;
  std::string name;
  SymbolLookup lookup;
  std::function<void()> on_destroy;
  std::mutex mu;
  std::vector<TVMFFIObject*> imports;                     // strong refs
  std::map<std::string, TVMFFIObject*> import_cache;      // strong refs, lent out borrowed

  ~ModuleObj() {
    for (auto& kv : import_cache) DecRef(kv.second);
    for (TVMFFIObject* m : imports) DecRef(m);
    magic = 0;
    if (on_destroy) on_destroy();
  }
};

ModuleObj* AsModule(TVMFFIObject* obj) {
  if (!IsLibraryModule(obj)) throw FFIError("TypeError", "expected a library ffi.Module");
  return reinterpret_cast<ModuleObj*>(obj);
}

struct SymbolFunction {
  TVMFFIObject* module;  // strong
  TVMFFISafeCallType symbol;
};

int CallSymbol(void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
  // Library symbols are called with a NULL handle, as the core loader does.
  return static_cast<SymbolFunction*>(self)->symbol(nullptr, args, num_args, result);
}

void DeleteSymbolFunction(void* self) {
  auto* s = static_cast<SymbolFunction*>(self);
  DecRef(s->module);
  delete s;
}

std::mutex& SymbolMutex() {
  static auto* mu = new std::mutex();
  return *mu;
}
std::vector<std::pair<std::string, void*>>& ContextTable() {
  static auto* t = new std::vector<std::pair<std::string, void*>>();
  return *t;
}
std::vector<std::pair<std::string, void*>>& SystemLibTable() {
  static auto* t = new std::vector<std::pair<std::string, void*>>();
  return *t;
}
void Upsert(std::vector<std::pair<std::string, void*>>& table, const char* name, void* sym) {
  std::lock_guard<std::mutex> lock(SymbolMutex());
  for (auto& kv : table) {
    if (kv.first == name) {
      kv.second = sym;
      return;
    }
  }
  table.emplace_back(name, sym);
}

}  // namespace

TVMFFIObject* CreateLibraryModule(std::string kind, std::string name, SymbolLookup lookup,
                                  std::function<void()> on_destroy) {
  ModuleObj* m = MakeObject<ModuleObj>(kTVMFFIModule, 0);
  m->kind = std::move(kind);
  m->name = std::move(name);
  m->lookup = std::move(lookup);
  m->on_destroy = std::move(on_destroy);
  return Header(m);
}

bool IsLibraryModule(TVMFFIObject* obj) {
  return obj != nullptr && obj->type_index == kTVMFFIModule &&
         reinterpret_cast<ModuleObj*>(obj)->magic == kModuleMagic;
}

const std::string& ModuleKind(TVMFFIObject* module) { return AsModule(module)->kind; }
const std::string& ModuleName(TVMFFIObject* module) { return AsModule(module)->name; }

void ModuleImport(TVMFFIObject* module, TVMFFIObject* imported) {
  ModuleObj* m = AsModule(module);
  if (imported == nullptr || imported->type_index != kTVMFFIModule) {
    throw FFIError("TypeError", "ModuleImport: the import must be an ffi.Module");
  }
  IncRef(imported);
  std::lock_guard<std::mutex> lock(m->mu);
  m->imports.push_back(imported);
}

std::vector<TVMFFIObject*> ModuleImports(TVMFFIObject* module) {
  ModuleObj* m = AsModule(module);
  std::lock_guard<std::mutex> lock(m->mu);
  return m->imports;
}

void* ModuleGetSymbol(TVMFFIObject* module, const std::string& symbol) {
  ModuleObj* m = AsModule(module);
  return m->lookup ? m->lookup(symbol) : nullptr;
}

TVMFFIObject* ModuleGetFunction(TVMFFIObject* module, const std::string& name,
                                bool query_imports) {
  AsModule(module);
  if (void* sym = ModuleGetSymbol(module, "__tvm_ffi_" + name)) {
    auto* ctx = new SymbolFunction{module, reinterpret_cast<TVMFFISafeCallType>(sym)};
    IncRef(module);
    try {
      return NewFunction(ctx, &CallSymbol, &DeleteSymbolFunction);
    } catch (...) {
      DeleteSymbolFunction(ctx);
      throw;
    }
  }
  if (!query_imports) return nullptr;
  for (TVMFFIObject* imp : ModuleImports(module)) {
    if (!IsLibraryModule(imp)) continue;
    if (TVMFFIObject* f = ModuleGetFunction(imp, name, true)) return f;
  }
  return nullptr;
}

int InitContextSymbols(TVMFFIObject* module) {
  int written = 0;
  if (void* addr = ModuleGetSymbol(module, "__tvm_ffi__library_ctx")) {
    *static_cast<void**>(addr) = module;  // borrowed: the library cannot outlive its module
    ++written;
  }
  for (auto& kv : ContextSymbols()) {
    if (void* addr = ModuleGetSymbol(module, kv.first)) {
      *static_cast<void**>(addr) = kv.second;
      ++written;
    }
  }
  return written;
}

std::vector<std::pair<std::string, void*>> ContextSymbols() {
  std::lock_guard<std::mutex> lock(SymbolMutex());
  return ContextTable();
}

std::vector<std::pair<std::string, void*>> SystemLibSymbols() {
  std::lock_guard<std::mutex> lock(SymbolMutex());
  return SystemLibTable();
}

}  // namespace orcjit::runtime

namespace orcjit::runtime {

std::vector<BuiltinDef> ModuleBuiltins() {
  std::vector<BuiltinDef> defs;
  // (mod, name: str, query_imports: bool = false) -> Function | None
  defs.push_back({"ffi.ModuleGetFunction",
                  "Look up __tvm_ffi_<name> in a library module (optionally its imports).",
                  [](const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
                    std::string_view name;
                    if (n < 2 || args[0].type_index != kTVMFFIModule ||
                        !AnyAsBytes(args[1], &name)) {
                      throw FFIError("TypeError",
                                     "ffi.ModuleGetFunction(mod: Module, name: str, "
                                     "query_imports: bool = False)");
                    }
                    bool query = n >= 3 && args[2].v_int64 != 0;
                    TVMFFIObject* f =
                        ModuleGetFunction(args[0].v_obj, std::string(name), query);
                    if (f) {
                      result->type_index = kTVMFFIFunction;
                      result->zero_padding = 0;
                      result->v_obj = f;
                    }
                  }});
  // (mod, imported) -> None
  defs.push_back({"ffi.ModuleImportModule", "Add a module to another module's imports.",
                  [](const TVMFFIAny* args, int32_t n, TVMFFIAny*) {
                    if (n != 2 || args[0].type_index != kTVMFFIModule ||
                        args[1].type_index != kTVMFFIModule) {
                      throw FFIError("TypeError",
                                     "ffi.ModuleImportModule(mod: Module, imported: Module)");
                    }
                    ModuleImport(args[0].v_obj, args[1].v_obj);
                  }});
  // (mod) -> str: "orcjit" for JIT libraries, or the kind a loader gave its module.
  defs.push_back({"ffi.ModuleGetKind", "The kind of a library module.",
                  [](const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
                    if (n != 1 || !IsLibraryModule(args[0].type_index == kTVMFFIModule
                                                        ? args[0].v_obj
                                                        : nullptr)) {
                      throw FFIError("TypeError", "ffi.ModuleGetKind(mod: Module)");
                    }
                    const std::string& k = ModuleKind(args[0].v_obj);
                    *result = MakeStringAny(k.data(), k.size(), false);
                  }});
  // (mod) -> int
  defs.push_back({"ffi.ModuleNumImports", "Number of modules a library module imports.",
                  [](const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
                    if (n != 1 || args[0].type_index != kTVMFFIModule ||
                        !IsLibraryModule(args[0].v_obj)) {
                      throw FFIError("TypeError", "ffi.ModuleNumImports(mod: Module)");
                    }
                    result->type_index = kTVMFFIInt;
                    result->zero_padding = 0;
                    result->v_int64 = static_cast<int64_t>(ModuleImports(args[0].v_obj).size());
                  }});
  // (mod, i: int) -> Module
  defs.push_back({"ffi.ModuleGetImport", "The i-th import of a library module.",
                  [](const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
                    if (n != 2 || args[0].type_index != kTVMFFIModule ||
                        !IsLibraryModule(args[0].v_obj) || args[1].type_index != kTVMFFIInt) {
                      throw FFIError("TypeError", "ffi.ModuleGetImport(mod: Module, i: int)");
                    }
                    auto imports = ModuleImports(args[0].v_obj);
                    int64_t i = args[1].v_int64;
                    if (i < 0 || i >= static_cast<int64_t>(imports.size())) {
                      throw FFIError("IndexError", "ffi.ModuleGetImport: index " +
                                                       std::to_string(i) + " out of range for " +
                                                       std::to_string(imports.size()) +
                                                       " imports");
                    }
                    IncRef(imports[i]);
                    result->type_index = kTVMFFIModule;
                    result->zero_padding = 0;
                    result->v_obj = imports[i];
                  }});
  return defs;
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int TVMFFIEnvModLookupFromImports(TVMFFIObjectHandle library_ctx,
                                              const char* func_name, TVMFFIObjectHandle* out) {
  ORCJIT_API_BEGIN();
  auto* obj = static_cast<TVMFFIObject*>(library_ctx);
  if (!IsLibraryModule(obj)) {
    RaiseError("RuntimeError", std::string("TVMFFIEnvModLookupFromImports(`") + func_name +
                                   "`): library_ctx is not a module loaded by this runtime");
    return -1;
  }
  auto* m = reinterpret_cast<ModuleObj*>(obj);
  {
    std::lock_guard<std::mutex> lock(m->mu);
    auto it = m->import_cache.find(func_name);
    if (it != m->import_cache.end()) {
      *out = it->second;
      return 0;
    }
  }
  TVMFFIObject* f = nullptr;
  for (TVMFFIObject* imp : ModuleImports(obj)) {
    if (IsLibraryModule(imp) && (f = ModuleGetFunction(imp, func_name, true))) break;
  }
  if (!f) f = GetGlobalFunction(func_name);  // imports first, then the global registry
  if (!f) {
    RaiseError("RuntimeError", std::string("Cannot find function `") + func_name +
                                   "` in the imports of module `" + m->name +
                                   "` or in the global registry");
    return -1;
  }
  std::lock_guard<std::mutex> lock(m->mu);
  auto [it, inserted] = m->import_cache.emplace(func_name, f);
  if (!inserted) DecRef(f);  // another thread cached it first
  *out = it->second;        // borrowed: the module's cache keeps it alive
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFIEnvModRegisterContextSymbol(const char* name, void* symbol) {
  ORCJIT_API_BEGIN();
  Upsert(ContextTable(), name, symbol);
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFIEnvModRegisterSystemLibSymbol(const char* name, void* symbol) {
  ORCJIT_API_BEGIN();
  Upsert(SystemLibTable(), name, symbol);
  ORCJIT_API_END();
}

}  // extern "C"
