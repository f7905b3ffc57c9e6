// JS class `Session` (native side of ExecutionSession).
#pragma once
#include <napi.h>

#include <memory>

namespace orcjit::jit {
class Session;
}

namespace orcjit::binding {

class SessionWrap : public Napi::ObjectWrap<SessionWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit SessionWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value CreateLibrary(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  Napi::Value LibraryCount(const Napi::CallbackInfo& info);
  Napi::Value DeferredCount(const Napi::CallbackInfo& info);

  std::shared_ptr<jit::Session> session_;
};

}  // namespace orcjit::binding
