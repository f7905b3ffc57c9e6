#include "binding/function.h"

#include "binding/addon_data.h"
#include "binding/lifetime.h"
#include "binding/values.h"
#include "jit/library.h"
#include "jit/session.h"

namespace orcjit::binding {
namespace {

struct FunctionData {
  std::shared_ptr<jit::Library> lib;
  std::string name;
  TVMFFISafeCallType fn;
};

napi_value CallSafe(napi_env raw_env, napi_callback_info info) {
  Napi::Env env(raw_env);
  size_t argc = kInlineArgs;
  napi_value inline_argv[kInlineArgs];
  void* data = nullptr;
  napi_get_cb_info(raw_env, info, &argc, inline_argv, nullptr, &data);
  auto* fd = static_cast<FunctionData*>(data);
  try {
    std::vector<napi_value> heap_argv;
    napi_value* argv = inline_argv;
    if (argc > kInlineArgs) {
      heap_argv.resize(argc);
      napi_get_cb_info(raw_env, info, &argc, heap_argv.data(), nullptr, nullptr);
      argv = heap_argv.data();
    }
    if (__builtin_expect(fd->lib->disposed() || fd->lib->session().disposed() ||
                             DisposeRequested(fd->lib.get()),
                         0)) {
      ThrowValue(env, MakeJitError(env, jit::JitError(jit::ErrorKind::kDisposed,
                                                      "function '" + fd->name + "' of library '" +
                                                          fd->lib->name() +
                                                          "' called after dispose")));
    }
    TVMFFIAny inline_args[kInlineArgs];
    std::vector<TVMFFIAny> heap_args;
    TVMFFIAny* args = inline_args;
    if (argc > kInlineArgs) {
      heap_args.resize(argc);
      args = heap_args.data();
    }
    ArgScratch scratch;
    for (size_t i = 0; i < argc; ++i) ToAny(env, argv[i], &args[i], scratch, fd->name.c_str(), i);
    TVMFFIAny result;
    result.type_index = kTVMFFINone;
    result.zero_padding = 0;
    result.v_int64 = 0;
    int rc;
    try {
      rc = fd->fn(nullptr, args, static_cast<int32_t>(argc), &result);
    } catch (const std::exception& e) {
      scratch.Release();
      ThrowValue(env, MakeFFIError(env, "InternalError",
                                   std::string("C++ exception escaped '") + fd->name +
                                       "' (safe-call functions must return an error code): " +
                                       e.what(),
                                   ""));
    } catch (...) {
      scratch.Release();
      ThrowValue(env, MakeFFIError(env, "InternalError",
                                   "unknown C++ exception escaped '" + fd->name + "'", ""));
    }
    scratch.Release();
    if (rc != 0) ThrowValue(env, TakeRaisedError(env, rc, fd->name.c_str()));
    PinSource pin(&fd->lib);  // objects in the result keep the library's code alive
    return FromAny(env, &result, fd->name.c_str(), pin);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

}  // namespace

Napi::Function MakeSafeCallFunction(Napi::Env env, std::shared_ptr<jit::Library> lib,
                                    const std::string& name, TVMFFISafeCallType fn) {
  auto* fd = new FunctionData{std::move(lib), name, fn};
  napi_value out;
  napi_status st = napi_create_function(env, name.c_str(), name.size(), CallSafe, fd, &out);
  if (st != napi_ok) {
    delete fd;
    NAPI_THROW_IF_FAILED(env, st, Napi::Function());
  }
  Napi::Function f(env, out);
  st = napi_add_finalizer(
      env, out, fd, [](napi_env, void* d, void*) { delete static_cast<FunctionData*>(d); },
      nullptr, nullptr);
  if (st != napi_ok) {
    delete fd;
    NAPI_THROW_IF_FAILED(env, st, Napi::Function());
  }
  return f;
}

}  // namespace orcjit::binding
