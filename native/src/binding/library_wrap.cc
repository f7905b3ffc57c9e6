#include "binding/library_wrap.h"

#include <dlfcn.h>
#include <link.h>

#include <memory>
#include <mutex>
#include <unordered_map>

#include "binding/addon_state.h"
#include "binding/js_errors.h"
#include "binding/function.h"
#include "binding/lifetime.h"
#include "binding/values.h"
#include "jit/library.h"
#include "jit/library_bin.h"
#include "jit/session.h"
#include "runtime/global_registry.h"
#include "runtime/module.h"

namespace orcjit::binding {

Napi::Function LibraryWrap::Define(Napi::Env env) {
  return DefineClass(env, "Library",
                     {InstanceMethod<&LibraryWrap::Add>("add"),
                      InstanceMethod<&LibraryWrap::AddSharedLibrary>("addSharedLibrary"),
                      InstanceMethod<&LibraryWrap::SetLinkOrder>("setLinkOrder"),
                      InstanceMethod<&LibraryWrap::GetFunction>("getFunction"),
                      InstanceMethod<&LibraryWrap::SymbolAddress>("symbolAddress"),
                      InstanceMethod<&LibraryWrap::Link>("link"),
                      InstanceMethod<&LibraryWrap::Dispose>("dispose"),
                      InstanceAccessor<&LibraryWrap::Disposed>("disposed"),
                      InstanceAccessor<&LibraryWrap::Name>("name"),
                      InstanceAccessor<&LibraryWrap::OwnsGlobals>("ownsGlobals"),
                      InstanceMethod<&LibraryWrap::ModuleObject>("moduleObject"),
                      InstanceMethod<&LibraryWrap::ExpandLibraryBin>("expandLibraryBin"),
                      StaticMethod<&LibraryWrap::SharedModule>("sharedModule")});
}

Napi::Object LibraryWrap::New(Napi::Env env, std::shared_ptr<jit::Library> lib) {
  std::shared_ptr<jit::Library> holder = std::move(lib);
  Addon* data = Addon::Get(env);
  // Set just before constructing (per environment, see Addon::pending_library).
  data->pending_library = &holder;
  Napi::Object obj;
  try {
    obj = data->library_ctor.New({});
  } catch (...) {
    data->pending_library = nullptr;
    throw;
  }
  data->pending_library = nullptr;
  return obj;
}

LibraryWrap::LibraryWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LibraryWrap>(info) {
  Addon* data = Addon::Get(info.Env());
  if (!data || !data->pending_library)
    throw Napi::TypeError::New(info.Env(), "Library objects are created by Session.createLibrary");
  lib_ = *data->pending_library;
  data->pending_library = nullptr;  // one wrapper per hand-off (a nested construction fails)
}

Napi::Value LibraryWrap::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray())
    throw Napi::TypeError::New(env, "add(bytes, name): bytes must be a Uint8Array");
  auto arr = info[0].As<Napi::Uint8Array>();
  std::string name = info.Length() > 1 && info[1].IsString()
                         ? info[1].As<Napi::String>().Utf8Value()
                         : std::string("<bytes>");
  llvm::StringRef bytes(reinterpret_cast<const char*>(arr.Data()), arr.ByteLength());
  Guard(env, [&] { lib_->AddObject(bytes, name); });
  if (uint64_t n = jit::LibraryBinSymbolSize(bytes)) library_bin_size_ = n;
  return env.Undefined();
}

Napi::Value LibraryWrap::AddSharedLibrary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString())
    throw Napi::TypeError::New(env, "addSharedLibrary(path): path must be a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  Guard(env, [&] { lib_->AddSharedLibrary(path); });
  return env.Undefined();
}

Napi::Value LibraryWrap::SetLinkOrder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray())
    throw Napi::TypeError::New(env, "setLinkOrder(libs): libs must be an array of libraries");
  auto arr = info[0].As<Napi::Array>();
  std::vector<std::shared_ptr<jit::Library>> libs;
  auto ctor = Addon::Get(env)->library_ctor.Value();
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value v = arr.Get(i);
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(ctor))
      throw Napi::TypeError::New(env, "setLinkOrder(libs): element " + std::to_string(i) +
                                          " is not a library");
    libs.push_back(LibraryWrap::Unwrap(v.As<Napi::Object>())->lib_);
  }
  Guard(env, [&] { lib_->SetLinkOrder(libs); });
  return env.Undefined();
}

Napi::Value LibraryWrap::GetFunction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString())
    throw Napi::TypeError::New(env, "getFunction(name): name must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  void* addr = Guard(env, [&] {
    try {
      return lib_->Lookup("__tvm_ffi_" + name);
    } catch (const jit::JitError& e) {
      if (e.kind() != jit::ErrorKind::kSymbolNotFound) throw;
      throw jit::JitError(jit::ErrorKind::kSymbolNotFound,
                          "library '" + lib_->name() + "' has no function '" + name +
                              "' (no exported symbol __tvm_ffi_" + name + ")");
    }
  });
  return MakeSafeCallFunction(env, lib_, name, reinterpret_cast<TVMFFISafeCallType>(addr));
}

Napi::Value LibraryWrap::SymbolAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString())
    throw Napi::TypeError::New(env, "symbolAddress(name): name must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  void* addr = Guard(env, [&] { return lib_->LookupOptional(name); });
  if (!addr) return env.Null();
  return Napi::BigInt::New(env, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(addr)));
}

Napi::Value LibraryWrap::Link(const Napi::CallbackInfo& info) {
  Guard(info.Env(), [&] { lib_->Link(); });
  return info.Env().Undefined();
}

Napi::Value LibraryWrap::Dispose(const Napi::CallbackInfo& info) {
  // Deferred while values that came out of this library are alive (binding/lifetime.h).
  Guard(info.Env(), [&] { RequestDispose(lib_); });
  return info.Env().Undefined();
}

Napi::Value LibraryWrap::Disposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), lib_->disposed() || lib_->session().disposed() ||
                                            DisposeRequested(lib_.get()));
}

Napi::Value LibraryWrap::Name(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), lib_->name());
}

// True while global functions its code registered are in the registry (reachable by name).
Napi::Value LibraryWrap::OwnsGlobals(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), runtime::CountOwnedGlobals(lib_->owner_id()) > 0);
}

// The library's ffi.Module (what __tvm_ffi__library_ctx points at) as an FFIObject.
Napi::Value LibraryWrap::ModuleObject(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* mod = static_cast<TVMFFIObject*>(Guard(env, [&] {
    if (lib_->disposed()) throw jit::JitError(jit::ErrorKind::kDisposed, "library '" + lib_->name() + "' has been disposed");
    return lib_->module();
  }));
  TVMFFIAny v;
  v.type_index = kTVMFFIModule;
  v.zero_padding = 0;
  v.v_obj = mod;
  TVMFFIObjectIncRef(mod);
  return FromAny(env, &v, "moduleObject");
}

// Builds the module tree of __tvm_ffi__library_bin (jit/library_bin.h): the root module as
// an FFIObject, or null when the library embeds none or the root is the library itself
// (moduleObject()). Loaders may call back into JS.
Napi::Value LibraryWrap::ExpandLibraryBin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* root = static_cast<TVMFFIObject*>(
      Guard(env, [&] { return jit::ExpandLibraryBin(*lib_, library_bin_size_); }));
  if (root == nullptr) return env.Null();
  if (root == lib_->module()) {  // "_lib" is the root: the tree hangs off the library itself
    TVMFFIObjectDecRef(root);
    return env.Null();
  }
  TVMFFIAny v;
  v.type_index = kTVMFFIModule;
  v.zero_padding = 0;
  v.v_obj = root;  // FromAny takes this reference
  return FromAny(env, &v, "expandLibraryBin");
}

namespace {
// The ffi.Module of each dlopen'ed library and the root of its embedded module tree, made once
// per handle: a shared library is never unloaded, so neither is its module (its
// __tvm_ffi__library_ctx points at it).
struct SharedEntry {
  TVMFFIObject* module = nullptr;
  TVMFFIObject* root = nullptr;  // nullptr: no blob, or its root is the library itself
  std::shared_ptr<jit::JitError> error;  // a malformed blob or a failing loader
};
std::recursive_mutex& SharedMu() {
  static auto* mu = new std::recursive_mutex();
  return *mu;
}
std::unordered_map<void*, SharedEntry>& SharedModules() {
  static auto* m = new std::unordered_map<void*, SharedEntry>();
  return *m;
}

// Size of the dynamic symbol at `addr` (0 if the loader cannot tell).
uint64_t DynamicSymbolSize(void* addr) {
  Dl_info info;
  void* extra = nullptr;  // RTLD_DL_SYMENT: the ElfW(Sym) of the symbol
  if (dladdr1(addr, &info, &extra, RTLD_DL_SYMENT) == 0 || !extra) return 0;
  return static_cast<const ElfW(Sym)*>(extra)->st_size;
}

Napi::Value ModuleValue(Napi::Env env, TVMFFIObject* mod, const char* what) {
  TVMFFIAny v;
  v.type_index = kTVMFFIModule;
  v.zero_padding = 0;
  v.v_obj = mod;
  TVMFFIObjectIncRef(mod);  // the JS value's own reference
  return FromAny(env, &v, what);
}
}  // namespace

// Library.sharedModule(handle, path) for a library opened by values.openShared: its ffi.Module
// (written into its __tvm_ffi__library_ctx) and, when it embeds __tvm_ffi__library_bin, the
// module tree that blob declares (found with dlsym, sized by its dynamic symbol), as for JIT
// libraries (jit/library_bin.h). Returns { module, root } (root null: none, or the library).
Napi::Value LibraryWrap::SharedModule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsExternal() || !info[1].IsString())
    throw Napi::TypeError::New(env, "sharedModule(handle, path): a handle from openShared and its path");
  void* h = info[0].As<Napi::External<void>>().Data();
  std::string path = info[1].As<Napi::String>().Utf8Value();
  // Recursive: a load_from_bytes loader may load a shared library itself.
  std::lock_guard<std::recursive_mutex> lock(SharedMu());
  auto it = SharedModules().find(h);
  if (it == SharedModules().end()) {
    SharedEntry e;
    e.module = runtime::CreateLibraryModule(
        "shared", path, [h](const std::string& sym) { return dlsym(h, sym.c_str()); }, nullptr);
    runtime::InitContextSymbols(e.module);
    SharedModules().emplace(h, e);  // before the loaders run (they may re-enter)
    void* bin = dlsym(h, "__tvm_ffi__library_bin");
    TVMFFIObject* root = nullptr;
    try {
      root = jit::ExpandLibraryBin(bin, bin ? DynamicSymbolSize(bin) : 0, e.module, path);
    } catch (const jit::JitError& err) {
      SharedModules()[h].error = std::make_shared<jit::JitError>(err);  // later loads fail alike
    }
    if (root == e.module) {
      TVMFFIObjectDecRef(root);
      root = nullptr;
    }
    SharedModules()[h].root = root;
    it = SharedModules().find(h);
  }
  if (it->second.error) {
    std::shared_ptr<jit::JitError> error = it->second.error;
    Guard(env, [&] { throw *error; });
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("module", ModuleValue(env, it->second.module, "sharedModule"));
  out.Set("root", it->second.root ? ModuleValue(env, it->second.root, "sharedModule") : env.Null());
  return out;
}

}  // namespace orcjit::binding
