#include "binding/js_errors.h"

#include <memory>
#include <mutex>
#include <unordered_map>

#include "binding/addon_state.h"
#include "runtime/api.h"

namespace orcjit::binding {

void ThrowValue(Napi::Env env, Napi::Value value) { throw Napi::Error(env, value); }

// ---------------------------------------------------------------- JIT engine errors
Napi::Value MakeJitError(Napi::Env env, const jit::JitError& err) {
  Addon* addon = Addon::Get(env);
  Napi::FunctionReference* cls = nullptr;
  if (addon) {
    JsErrorClasses& c = addon->errors;
    switch (err.kind()) {
      case jit::ErrorKind::kObjectFile: cls = &c.object_file; break;
      case jit::ErrorKind::kLink: cls = &c.link; break;
      case jit::ErrorKind::kSymbolNotFound: cls = &c.symbol_not_found; break;
      case jit::ErrorKind::kDisposed: cls = &c.disposed; break;
      case jit::ErrorKind::kInternal: break;
    }
  }
  if (!cls || cls->IsEmpty()) return Napi::Error::New(env, err.what()).Value();
  Napi::Object obj = cls->New({Napi::String::New(env, err.what())}).As<Napi::Object>();
  if (!err.ffi_kind().empty()) {
    // Raised by JIT code through the TVM-FFI protocol (e.g. a static initializer).
    obj.Set("ffiKind", Napi::String::New(env, err.ffi_kind()));
    obj.Set("ffiMessage", Napi::String::New(env, err.ffi_message()));
  }
  if (!err.missing_symbols().empty()) {
    Napi::Array names = Napi::Array::New(env, err.missing_symbols().size());
    for (size_t i = 0; i < err.missing_symbols().size(); ++i)
      names.Set(uint32_t(i), Napi::String::New(env, err.missing_symbols()[i]));
    obj.Set("missingSymbols", names);
  }
  return obj;
}

Napi::Value MakeNativeCrashError(Napi::Env env, const std::string& message,
                                 Napi::Object details) {
  Addon* addon = Addon::Get(env);
  if (!addon || addon->errors.native_crash.IsEmpty())
    return Napi::Error::New(env, message).Value();
  return addon->errors.native_crash.New({Napi::String::New(env, message), details});
}

// ---------------------------------------------------------------- TVM-FFI errors
Napi::Value MakeFFIError(Napi::Env env, const std::string& kind, const std::string& message,
                         const std::string& backtrace) {
  Addon* addon = Addon::Get(env);
  Napi::Object err;
  if (addon && !addon->errors.ffi.IsEmpty()) {
    err = addon->errors.ffi
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

// ---------------------------------------------------------------- JS errors through the TVM-FFI slot
namespace {

// Error objects raised for JS exceptions carry a marker object as extra_context; the marker
// maps back to the original JS error (while the error object lives).
struct JsErrorRef {
  napi_env env;
  napi_ref ref;
};
std::mutex g_err_mu;
std::unordered_map<TVMFFIObject*, JsErrorRef>* g_js_errors =
    new std::unordered_map<TVMFFIObject*, JsErrorRef>();

napi_value LookupJsError(napi_env env, TVMFFIObject* marker) {
  if (!marker) return nullptr;
  std::lock_guard<std::mutex> lock(g_err_mu);
  auto it = g_js_errors->find(marker);
  if (it == g_js_errors->end() || it->second.env != env) return nullptr;
  napi_value holder = nullptr, v = nullptr;
  if (napi_get_reference_value(env, it->second.ref, &holder) != napi_ok || !holder) return nullptr;
  napi_get_element(env, holder, 0, &v);
  return v;
}

}  // namespace

Napi::Value ErrorObjectToJs(Napi::Env env, TVMFFIObject* err) {
  TVMFFIErrorCell* cell = TVMFFIErrorGetCellPtr(err);
  if (napi_value orig = LookupJsError(env, static_cast<TVMFFIObject*>(cell->extra_context)))
    return Napi::Value(env, orig);
  std::string kind(cell->kind.data, cell->kind.size);
  std::string message(cell->message.data, cell->message.size);
  std::string backtrace(cell->backtrace.data, cell->backtrace.size);
  return MakeFFIError(env, kind, message, backtrace);
}

void RaiseJsError(Napi::Env env, napi_value error) {
  // kind: the JS error's name ("Error", "TypeError", ...), or "JSError" for non-errors.
  std::string kind = "JSError", message, stack;
  bool is_error = false;
  napi_is_error(env, error, &is_error);
  Napi::Value v(env, error);
  if (is_error) {
    Napi::Object o = v.As<Napi::Object>();
    Napi::Value name = o.Get("name"), msg = o.Get("message"), st = o.Get("stack");
    if (name.IsString()) kind = name.As<Napi::String>().Utf8Value();
    if (msg.IsString()) message = msg.As<Napi::String>().Utf8Value();
    if (st.IsString()) stack = st.As<Napi::String>().Utf8Value();
  } else {
    // [i19n] String(value), not ToString: ToString throws for a Symbol, and that TypeError
    // would replace the thrown value. Objects whose conversion throws get a placeholder.
    napi_value string_fn = nullptr, global = nullptr, s = nullptr;
    napi_get_global(env, &global);
    napi_get_named_property(env, global, "String", &string_fn);
    napi_valuetype t = napi_undefined;
    if (string_fn && napi_call_function(env, global, string_fn, 1, &error, &s) == napi_ok &&
        napi_typeof(env, s, &t) == napi_ok && t == napi_string) {
      message = Napi::Value(env, s).As<Napi::String>().Utf8Value();
    } else {
      napi_value ignored;
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) napi_get_and_clear_last_exception(env, &ignored);
      message = "<a thrown value that cannot be converted to a string>";
    }
  }
  // References to primitives are not portable across Node versions: hold [error].
  napi_value box;
  napi_create_array_with_length(env, 1, &box);
  napi_set_element(env, box, 0, error);
  napi_ref ref = nullptr;
  napi_create_reference(env, box, 1, &ref);
  // The marker's deleter (when the error object dies) forgets the JS error.
  auto holder = std::make_shared<TVMFFIObject*>(nullptr);
  napi_env raw = env;
  struct Forget {
    std::shared_ptr<TVMFFIObject*> key;
    napi_env env;
    napi_ref ref;
    ~Forget() {
      if (!key || !*key) return;
      {
        std::lock_guard<std::mutex> lock(g_err_mu);
        g_js_errors->erase(*key);
      }
      Addon* st = Addon::Current();
      if (st && st->env == env) napi_delete_reference(env, ref);
    }
  };
  auto forget = std::make_shared<Forget>(Forget{holder, raw, ref});
  TVMFFIObject* marker = runtime::CreateFunction(
      [forget](const TVMFFIAny*, int32_t, TVMFFIAny*) {});
  *holder = marker;
  {
    std::lock_guard<std::mutex> lock(g_err_mu);
    (*g_js_errors)[marker] = JsErrorRef{raw, ref};
  }
  TVMFFIByteArray k{kind.data(), kind.size()}, m{message.data(), message.size()},
      b{stack.data(), stack.size()};
  TVMFFIObjectHandle err = nullptr;
  int rc = TVMFFIErrorCreateWithCauseAndExtraContext(&k, &m, &b, nullptr, marker, &err);
  TVMFFIObjectDecRef(marker);  // the error holds it now
  if (rc != 0 || !err) {
    runtime::SetRaisedError({kind, message, stack});
    return;
  }
  TVMFFIErrorSetRaised(err);
  TVMFFIObjectDecRef(err);
}

Napi::Value TakeRaisedError(Napi::Env env, int rc, const char* fn_name) {
  TVMFFIObjectHandle err = nullptr;
  TVMFFIErrorMoveFromRaised(&err);
  if (!err) {
    return MakeFFIError(env, "InternalError",
                        std::string("'") + fn_name + "' returned " + std::to_string(rc) +
                            " without raising an error",
                        "");
  }
  struct Release {  // also when ErrorObjectToJs throws
    TVMFFIObject* obj;
    ~Release() { TVMFFIObjectDecRef(obj); }
  } release{static_cast<TVMFFIObject*>(err)};
  return ErrorObjectToJs(env, release.obj);
}

}  // namespace orcjit::binding
