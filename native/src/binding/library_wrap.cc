#include "binding/library_wrap.h"

#include "binding/addon_state.h"
#include "binding/js_errors.h"
#include "binding/function.h"
#include "binding/lifetime.h"
#include "binding/values.h"
#include "jit/library.h"
#include "jit/library_bin.h"
#include "jit/session.h"

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
                      InstanceMethod<&LibraryWrap::ModuleObject>("moduleObject"),
                      InstanceMethod<&LibraryWrap::ExpandLibraryBin>("expandLibraryBin")});
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

}  // namespace orcjit::binding
