#include "binding/addon_data.h"

namespace orcjit::binding {

void ThrowValue(Napi::Env env, Napi::Value value) { throw Napi::Error(env, value); }

Napi::Value MakeJitError(Napi::Env env, const jit::JitError& err) {
  AddonData* data = AddonData::Get(env);
  Napi::FunctionReference* cls = nullptr;
  if (data) {
    switch (err.kind()) {
      case jit::ErrorKind::kObjectFile: cls = &data->object_file_error; break;
      case jit::ErrorKind::kLink: cls = &data->link_error; break;
      case jit::ErrorKind::kSymbolNotFound: cls = &data->symbol_not_found; break;
      case jit::ErrorKind::kDisposed: cls = &data->disposed_error; break;
      case jit::ErrorKind::kInternal: break;
    }
  }
  if (cls && !cls->IsEmpty()) {
    Napi::Object obj = cls->New({Napi::String::New(env, err.what())}).As<Napi::Object>();
    if (!err.ffi_kind().empty()) {
      // Raised by JIT code through the TVM-FFI protocol (e.g. a static initializer).
      obj.Set("ffiKind", Napi::String::New(env, err.ffi_kind()));
      obj.Set("ffiMessage", Napi::String::New(env, err.ffi_message()));
    }
    return obj;
  }
  return Napi::Error::New(env, err.what()).Value();
}

Napi::Value MakeFFIError(Napi::Env env, const std::string& kind, const std::string& message,
                         const std::string& backtrace) {
  AddonData* data = AddonData::Get(env);
  Napi::Object err;
  if (data && !data->ffi_error.IsEmpty()) {
    err = data->ffi_error
              .New({Napi::String::New(env, kind), Napi::String::New(env, message),
                    Napi::String::New(env, backtrace)})
              .As<Napi::Object>();
  } else {
    err = Napi::Error::New(env, kind + ": " + message).Value();
  }
  if (!backtrace.empty()) {
    Napi::Value stack = err.Get("stack");
    if (stack.IsString())
      err.Set("stack", Napi::String::New(env, stack.As<Napi::String>().Utf8Value() +
                                                  "\n    --- native backtrace ---\n" + backtrace));
  }
  return err;
}

}  // namespace orcjit::binding
