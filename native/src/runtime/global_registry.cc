// TVMFFIFunctionSetGlobal / SetGlobalFromMethodInfo / GetGlobal, and the builtin globals the
// authoring headers look up: ffi.FunctionListGlobalNamesFunctor, ffi.FunctionRemoveGlobal.
#include "runtime/global_registry.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "runtime/api.h"
#include "runtime/error.h"
#include "runtime/function.h"
#include "runtime/object.h"

namespace orcjit::runtime {
namespace {

struct Entry {
  TVMFFIObject* func = nullptr;  // strong reference
  std::string doc;
  std::string metadata;
  uint64_t owner = 0;  // 0 = host, else a JIT library (see global_registry.h)
  // For JIT-owned entries: what GetGlobal hands out, a runtime Function forwarding to
  // `func` that keeps the owner library mapped while anyone holds it (the registry's own
  // reference is dropped when the library is disposed). Created on first GetGlobal.
  TVMFFIObject* proxy = nullptr;
};

int ForwardCall(void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
  return TVMFFIFunctionCall(self, const_cast<TVMFFIAny*>(args), num_args, result);
}
void DropTarget(void* self) { DecRef(static_cast<TVMFFIObject*>(self)); }

// Releases an entry's references (outside the registry lock: deleters may re-enter it).
void ReleaseEntry(TVMFFIObject* func, TVMFFIObject* proxy) {
  DecRef(proxy);
  DecRef(func);
}

std::string ToString(const TVMFFIByteArray& b) {
  return b.data ? std::string(b.data, b.size) : std::string();
}

thread_local uint64_t t_current_owner = 0;
std::atomic<uint64_t> g_next_owner{1};

enum class SetResult { kOk, kDuplicate };

class Registry {
 public:
  static Registry& Global() {
    // Leaked on purpose: entries may hold functions whose code is gone by static destruction.
    static Registry* inst = new Registry();
    return *inst;
  }

  // On duplicate (see global_registry.h for the rules) returns kDuplicate and leaves `func`
  // unowned.
  SetResult Set(const std::string& name, TVMFFIObject* func, std::string doc, std::string metadata,
                bool allow_override, uint64_t owner) {
    TVMFFIObject* old = nullptr;
    TVMFFIObject* old_proxy = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& stack = map_[name];
      Entry e;
      e.func = func;
      e.doc = std::move(doc);
      e.metadata = std::move(metadata);
      e.owner = owner;
      if (stack.empty()) {
        IncRef(func);
        stack.push_back(std::move(e));
        return SetResult::kOk;
      }
      Entry& top = stack.back();
      bool new_generation = owner != 0 && top.owner != 0 && top.owner != owner;
      if (new_generation) {
        // Another JIT library owns it: the newer generation wins, the older one is kept
        // underneath until its library goes.
        IncRef(func);
        stack.push_back(std::move(e));
        return SetResult::kOk;
      }
      if (!allow_override) return SetResult::kDuplicate;
      IncRef(func);
      old = top.func;
      old_proxy = top.proxy;
      top = std::move(e);
    }
    ReleaseEntry(old, old_proxy);  // outside the lock: deleters may re-enter the registry
    return SetResult::kOk;
  }

  TVMFFIObject* Get(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(name);
    if (it == map_.end() || it->second.empty()) return nullptr;
    Entry& e = it->second.back();
    if (e.owner == 0) {
      IncRef(e.func);
      return e.func;
    }
    if (!e.proxy) {
      IncRef(e.func);  // the proxy's reference
      e.proxy = NewFunction(e.func, &ForwardCall, &DropTarget);
      SetFunctionOwner(e.proxy, e.owner);
    }
    IncRef(e.proxy);
    return e.proxy;
  }

  bool Info(const std::string& name, std::string* doc, std::string* metadata) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(name);
    if (it == map_.end() || it->second.empty()) return false;
    if (doc) *doc = it->second.back().doc;
    if (metadata) *metadata = it->second.back().metadata;
    return true;
  }

  int64_t Owner(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(name);
    if (it == map_.end() || it->second.empty()) return -1;
    return static_cast<int64_t>(it->second.back().owner);
  }

  // Removes the name with every generation stacked under it.
  bool Remove(const std::string& name) {
    std::vector<Entry> old;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(name);
      if (it == map_.end()) return false;
      old = std::move(it->second);
      map_.erase(it);
    }
    for (auto& e : old) ReleaseEntry(e.func, e.proxy);
    return !old.empty();
  }

  size_t RemoveOwner(uint64_t owner) {
    if (owner == 0) return 0;
    std::vector<std::pair<TVMFFIObject*, TVMFFIObject*>> old;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = map_.begin(); it != map_.end();) {
        auto& stack = it->second;
        for (size_t i = stack.size(); i-- > 0;) {
          if (stack[i].owner != owner) continue;
          old.emplace_back(stack[i].func, stack[i].proxy);
          stack.erase(stack.begin() + static_cast<std::ptrdiff_t>(i));
        }
        it = stack.empty() ? map_.erase(it) : std::next(it);
      }
    }
    for (auto& [f, p] : old) ReleaseEntry(f, p);  // outside the lock: deleters may re-enter
    return old.size();
  }

  size_t CountOwner(uint64_t owner) {
    if (owner == 0) return 0;
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (auto& [name, stack] : map_)
      for (auto& e : stack) n += e.owner == owner;
    return n;
  }

  std::vector<std::string> Names() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> names;
    names.reserve(map_.size());
    for (auto& kv : map_)
      if (!kv.second.empty()) names.push_back(kv.first);
    return names;  // std::map keeps them sorted
  }

 private:
  Registry() { RegisterBuiltins(); }
  void RegisterBuiltins();

  std::mutex mu_;
  // name -> entries, newest generation last (the visible one).
  std::map<std::string, std::vector<Entry>> map_;
};

std::string ArgString(const TVMFFIAny* args, int32_t num_args, int32_t i, const char* fname) {
  std::string_view sv;
  if (i >= num_args || !AnyAsBytes(args[i], &sv)) {
    throw FFIError("TypeError", std::string(fname) + ": argument #" + std::to_string(i) +
                                    " must be a str");
  }
  return std::string(sv);
}

void Builtin(std::map<std::string, std::vector<Entry>>& map, const char* name, const char* doc,
             CppFunction fn) {
  Entry e;
  e.func = CreateFunction(std::move(fn));
  e.doc = doc;
  map[name].push_back(std::move(e));
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
  if (Registry::Global().Set(name, func, std::move(doc), std::move(metadata),
                             allow_override != 0, t_current_owner) != SetResult::kOk) {
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

uint64_t NewGlobalOwnerId() { return g_next_owner.fetch_add(1); }
uint64_t CurrentGlobalOwner() { return t_current_owner; }
ScopedGlobalOwner::ScopedGlobalOwner(uint64_t owner) : prev_(t_current_owner) {
  t_current_owner = owner;
}
ScopedGlobalOwner::~ScopedGlobalOwner() { t_current_owner = prev_; }
size_t RemoveOwnedGlobals(uint64_t owner) { return Registry::Global().RemoveOwner(owner); }
size_t CountOwnedGlobals(uint64_t owner) { return Registry::Global().CountOwner(owner); }
int64_t GlobalOwner(const std::string& name) { return Registry::Global().Owner(name); }

namespace {
struct OwnerState {
  int64_t refs = 0;
  std::function<void()> on_released;
};
std::mutex& OwnerMu() {
  static auto* mu = new std::mutex();
  return *mu;
}
std::unordered_map<uint64_t, OwnerState>& Owners() {
  static auto* m = new std::unordered_map<uint64_t, OwnerState>();
  return *m;
}
}  // namespace

void RetainOwner(uint64_t owner) {
  if (owner == 0) return;
  std::lock_guard<std::mutex> lock(OwnerMu());
  ++Owners()[owner].refs;
}

void ReleaseOwner(uint64_t owner) {
  if (owner == 0) return;
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(OwnerMu());
    auto it = Owners().find(owner);
    if (it == Owners().end()) return;
    if (it->second.refs > 0) --it->second.refs;
    if (it->second.refs > 0) return;
    hook = std::move(it->second.on_released);
    Owners().erase(it);
  }
  if (hook) hook();  // outside the lock: it runs finalizers and may release more
}

int64_t OwnerRefCount(uint64_t owner) {
  std::lock_guard<std::mutex> lock(OwnerMu());
  auto it = Owners().find(owner);
  return it == Owners().end() ? 0 : it->second.refs;
}

bool DeferUntilReleased(uint64_t owner, std::function<void()> on_released) {
  std::lock_guard<std::mutex> lock(OwnerMu());
  auto it = Owners().find(owner);
  if (it == Owners().end() || it->second.refs <= 0) return false;
  it->second.on_released = std::move(on_released);
  return true;
}

void CancelDeferred(uint64_t owner) {
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(OwnerMu());
    auto it = Owners().find(owner);
    if (it == Owners().end()) return;
    hook = std::move(it->second.on_released);
    it->second.on_released = nullptr;
  }
  // `hook` is destroyed here, outside the lock (it may own the last library reference).
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
