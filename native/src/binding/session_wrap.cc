#include "binding/session_wrap.h"

#include <chrono>

#include "binding/addon_state.h"
#include "binding/js_errors.h"
#include "binding/library_wrap.h"
#include "binding/lifetime.h"
#include "jit/library.h"
#include "jit/session.h"

namespace orcjit::binding {

Napi::Function SessionWrap::Define(Napi::Env env) {
  return DefineClass(env, "Session",
                     {InstanceMethod<&SessionWrap::CreateLibrary>("createLibrary"),
                      InstanceMethod<&SessionWrap::Dispose>("dispose"),
                      InstanceAccessor<&SessionWrap::Disposed>("disposed"),
                      InstanceAccessor<&SessionWrap::LibraryCount>("libraryCount"),
                      InstanceAccessor<&SessionWrap::DeferredCount>("deferredCount")});
}

SessionWrap::SessionWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SessionWrap>(info) {
  Napi::Env env = info.Env();
  jit::SessionOptions options;
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Value reserve = info[0].As<Napi::Object>().Get("reserveBytes");
    if (reserve.IsNumber()) options.reserve_bytes = size_t(reserve.As<Napi::Number>().Int64Value());
  }
  session_ = Guard(env, [&] { return jit::Session::Create(options); });
  if (Addon* data = Addon::Get(env)) {
    auto& v = data->sessions;
    if (v.size() > 32 && (v.size() & (v.size() - 1)) == 0) {
      std::vector<std::weak_ptr<jit::Session>> keep;
      for (auto& w : v)
        if (!w.expired()) keep.push_back(w);
      v.swap(keep);
    }
    v.push_back(session_);
  }
}

Napi::Value SessionWrap::CreateLibrary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  auto lib = Guard(env, [&] { return session_->CreateLibrary(name); });
  // [j15] createLibrary(name, debug): register its objects with debuggers (jit/debugger.h)
  if (info.Length() > 1 && info[1].ToBoolean().Value()) lib->SetDebugger(true);
  return LibraryWrap::New(env, std::move(lib));
}

Napi::Value SessionWrap::Dispose(const Napi::CallbackInfo& info) {
  // Deferred while values from its libraries are alive (binding/lifetime.h).
  Guard(info.Env(), [&] { RequestSessionDispose(session_); });
  return info.Env().Undefined();
}

Napi::Value SessionWrap::Disposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(),
                            session_->disposed() || SessionDisposeRequested(session_.get()));
}

Napi::Value SessionWrap::LibraryCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(session_->library_count()));
}

Napi::Value SessionWrap::DeferredCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(session_->deferred_count()));
}

}  // namespace orcjit::binding
