// TVMFFIFunctionSetGlobal / SetGlobalFromMethodInfo / GetGlobal, and the builtin globals the
// authoring headers look up: ffi.FunctionListGlobalNamesFunctor, ffi.FunctionRemoveGlobal.
#include "runtime/global_registry.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "runtime/api.h"
#include "runtime/error.h"
#include "runtime/object.h"

namespace orcjit::runtime {
namespace {

struct Entry {
  TVMFFIObject* func = nullptr;  // strong reference
  std::string doc;
  std::string metadata;
};

std::string ToString(const TVMFFIByteArray& b) {
  return b.data ? std::string(b.data, b.size) : std::string();
}

class Registry {
 public:
  static Registry& Global() {
    // Leaked on purpose: entries may hold functions whose code is gone by static destruction.
    static Registry* inst = new Registry();
    return *inst;
  }

  // Returns false (and leaves `func` unowned) on duplicate without override.
  bool Set(const std::string& name, TVMFFIObject* func, std::string doc, std::string metadata,
           bool allow_override) {
    TVMFFIObject* old = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(name);
      if (it != map_.end()) {
        if (!allow_override) return false;
        old = it->second.func;
      }
      IncRef(func);
      Entry& e = map_[name];
      e.func = func;
      e.doc = std::move(doc);
      e.metadata = std::move(metadata);
    }
    DecRef(old);  // outside the lock: the deleter may re-enter the registry
    return true;
  }

  TVMFFIObject* Get(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(name);
    if (it == map_.end()) return nullptr;
    IncRef(it->second.func);
    return it->second.func;
  }

  bool Info(const std::string& name, std::string* doc, std::string* metadata) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(name);
    if (it == map_.end()) return false;
    if (doc) *doc = it->second.doc;
    if (metadata) *metadata = it->second.metadata;
    return true;
  }

  bool Remove(const std::string& name) {
    TVMFFIObject* old = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(name);
      if (it == map_.end()) return false;
      old = it->second.func;
      map_.erase(it);
    }
    DecRef(old);
    return true;
  }

  std::vector<std::string> Names() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> names;
    names.reserve(map_.size());
    for (auto& kv : map_) names.push_back(kv.first);
    return names;  // std::map keeps them sorted
  }

 private:
  Registry() { RegisterBuiltins(); }
  void RegisterBuiltins();

  std::mutex mu_;
  std::map<std::string, Entry> map_;
};

std::string ArgString(const TVMFFIAny* args, int32_t num_args, int32_t i, const char* fname) {
  std::string_view sv;
  if (i >= num_args || !AnyAsBytes(args[i], &sv)) {
    throw FFIError("TypeError", std::string(fname) + ": argument #" + std::to_string(i) +
                                    " must be a str");
  }
  return std::string(sv);
}

void Builtin(std::map<std::string, Entry>& map, const char* name, const char* doc,
             CppFunction fn) {
  Entry& e = map[name];
  e.func = CreateFunction(std::move(fn));
  e.doc = doc;
}

void Registry::RegisterBuiltins() {
  // () -> functor f; f(-1) = number of names, f(i) = i-th name of a snapshot taken at creation.
  Builtin(map_, "ffi.FunctionListGlobalNamesFunctor",
          "Returns f with f(-1) = count and f(i) = i-th global function name (snapshot).",
          [](const TVMFFIAny*, int32_t, TVMFFIAny* result) {
            auto names = std::make_shared<std::vector<std::string>>(Global().Names());
            TVMFFIObject* functor = CreateFunction(
                [names](const TVMFFIAny* args, int32_t num_args, TVMFFIAny* r) {
                  if (num_args != 1 || (args[0].type_index != kTVMFFIInt &&
                                        args[0].type_index != kTVMFFIBool)) {
                    throw FFIError("TypeError", "ListGlobalNames functor expects one int");
                  }
                  int64_t i = args[0].v_int64;
                  if (i == -1) {
                    r->type_index = kTVMFFIInt;
                    r->zero_padding = 0;
                    r->v_int64 = static_cast<int64_t>(names->size());
                    return;
                  }
                  if (i < 0 || i >= static_cast<int64_t>(names->size())) {
                    throw FFIError("IndexError", "global function name index " +
                                                     std::to_string(i) + " out of range");
                  }
                  *r = MakeString((*names)[static_cast<size_t>(i)]);
                });
            result->type_index = kTVMFFIFunction;
            result->zero_padding = 0;
            result->v_obj = functor;
          });
  // (name: str) -> bool: true if the function existed and was removed.
  Builtin(map_, "ffi.FunctionRemoveGlobal",
          "Removes a global function by name; returns whether it existed.",
          [](const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
            std::string name = ArgString(args, num_args, 0, "ffi.FunctionRemoveGlobal");
            bool removed = Global().Remove(name);
            result->type_index = kTVMFFIBool;
            result->zero_padding = 0;
            result->v_int64 = removed ? 1 : 0;
          });
  for (BuiltinDef& def : ModuleBuiltins()) Builtin(map_, def.name, def.doc, std::move(def.fn));
}

int SetGlobalImpl(const std::string& name, TVMFFIObject* func, std::string doc,
                  std::string metadata, int allow_override) {
  if (func == nullptr || func->type_index != kTVMFFIFunction) {
    RaiseError("TypeError", "Global Function `" + name + "` must be an ffi.Function");
    return -1;
  }
  if (!Registry::Global().Set(name, func, std::move(doc), std::move(metadata),
                              allow_override != 0)) {
    RaiseError("RuntimeError", "Global Function `" + name +
                                   "` is already registered (pass allow_override to replace "
                                   "it, or load the library defining it only once)");
    return -1;
  }
  return 0;
}

}  // namespace

std::vector<std::string> GlobalFunctionNames() { return Registry::Global().Names(); }
bool RemoveGlobal(const std::string& name) { return Registry::Global().Remove(name); }
bool GlobalFunctionInfo(const std::string& name, std::string* doc, std::string* metadata) {
  return Registry::Global().Info(name, doc, metadata);
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int TVMFFIFunctionSetGlobal(const TVMFFIByteArray* name, TVMFFIObjectHandle f,
                                        int allow_override) {
  ORCJIT_API_BEGIN();
  return SetGlobalImpl(ToString(*name), static_cast<TVMFFIObject*>(f), "", "", allow_override);
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFIFunctionSetGlobalFromMethodInfo(const TVMFFIMethodInfo* method_info,
                                                      int allow_override) {
  ORCJIT_API_BEGIN();
  const TVMFFIAny& m = method_info->method;
  TVMFFIObject* func = m.type_index == kTVMFFIFunction ? m.v_obj : nullptr;
  return SetGlobalImpl(ToString(method_info->name), func, ToString(method_info->doc),
                       ToString(method_info->metadata), allow_override);
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFIFunctionGetGlobal(const TVMFFIByteArray* name, TVMFFIObjectHandle* out) {
  ORCJIT_API_BEGIN();
  *out = Registry::Global().Get(ToString(*name));
  ORCJIT_API_END();
}

}  // extern "C"
