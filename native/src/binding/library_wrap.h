// JS class `Library` (native side of DynamicLibrary).
#pragma once
#include <napi.h>

#include <memory>

namespace orcjit::jit {
class Library;
}

namespace orcjit::binding {

class LibraryWrap : public Napi::ObjectWrap<LibraryWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object New(Napi::Env env, std::shared_ptr<jit::Library> lib);
  explicit LibraryWrap(const Napi::CallbackInfo& info);

  const std::shared_ptr<jit::Library>& library() const { return lib_; }

 private:
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value AddSharedLibrary(const Napi::CallbackInfo& info);
  Napi::Value SetLinkOrder(const Napi::CallbackInfo& info);
  Napi::Value GetFunction(const Napi::CallbackInfo& info);
  Napi::Value SymbolAddress(const Napi::CallbackInfo& info);
  Napi::Value Link(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  Napi::Value Name(const Napi::CallbackInfo& info);
  Napi::Value OwnsGlobals(const Napi::CallbackInfo& info);
  Napi::Value ModuleObject(const Napi::CallbackInfo& info);
  Napi::Value ExpandLibraryBin(const Napi::CallbackInfo& info);
  static Napi::Value SharedModule(const Napi::CallbackInfo& info);

  std::shared_ptr<jit::Library> lib_;
  // Size of the __tvm_ffi__library_bin symbol of the objects added so far (0: none seen).
  uint64_t library_bin_size_ = 0;
};

}  // namespace orcjit::binding
