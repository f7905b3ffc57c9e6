// Hand-written node-addon-api addon: the fastest "normal" way to call C from Node.
#include <dlfcn.h>
#include <napi.h>

#include <cstdint>

extern "C" {
void bench_noop(void);
int64_t bench_add(int64_t a, int64_t b);
}

namespace {

Napi::Value Noop(const Napi::CallbackInfo& info) {
  bench_noop();
  return info.Env().Undefined();
}

Napi::Value Add(const Napi::CallbackInfo& info) {
  int64_t a = info[0].As<Napi::Number>().Int64Value();
  int64_t b = info[1].As<Napi::Number>().Int64Value();
  return Napi::Number::New(info.Env(), static_cast<double>(bench_add(a, b)));
}

// Takes a Float32Array, touches no element (zero-copy), returns its length.
Napi::Value F32Len(const Napi::CallbackInfo& info) {
  auto arr = info[0].As<Napi::Float32Array>();
  return Napi::Number::New(info.Env(), static_cast<double>(arr.ElementLength()));
}

// callJs(fn, n): n napi_call_function round trips into JS, no arguments.
Napi::Value CallJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fn = info[0].As<Napi::Function>();
  int64_t n = info[1].As<Napi::Number>().Int64Value();
  napi_value recv = env.Undefined();
  for (int64_t i = 0; i < n; ++i) {
    napi_value result;
    if (napi_call_function(env, recv, fn, 0, nullptr, &result) != napi_ok) break;
  }
  return env.Undefined();
}

// dlopenSym(path, symbol): dlopen(RTLD_NOW|RTLD_LOCAL) + dlsym; returns the handle as a BigInt.
Napi::Value DlopenSym(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>();
  std::string sym = info[1].As<Napi::String>();
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    Napi::Error::New(info.Env(), dlerror()).ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  if (!dlsym(h, sym.c_str())) {
    dlclose(h);
    Napi::Error::New(info.Env(), "dlsym failed").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(h)));
}

Napi::Value Dlclose(const Napi::CallbackInfo& info) {
  bool lossless;
  uint64_t h = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  dlclose(reinterpret_cast<void*>(static_cast<uintptr_t>(h)));
  return info.Env().Undefined();
}

// safeCall(handleBigInt, symbol): a JS function that marshals number arguments into TVMFFIAny
// slots and calls a TVM-FFI safe-call symbol from a dlopen'ed library: a reference for the
// cheapest JS → safe-call path written with node-addon-api (no JIT involved).
struct Any16 {
  int32_t type_index;
  uint32_t pad;
  union {
    int64_t i;
    double f;
    void* p;
  };
};
using SafeCall = int (*)(void*, const Any16*, int32_t, Any16*);

Napi::Value CallSafe(const Napi::CallbackInfo& info) {
  auto fn = reinterpret_cast<SafeCall>(info.Data());
  Any16 args[8];
  size_t n = info.Length() < 8 ? info.Length() : 8;
  for (size_t i = 0; i < n; ++i) {
    double d = info[i].As<Napi::Number>().DoubleValue();
    args[i].pad = 0;
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      args[i].type_index = 1;
      args[i].i = static_cast<int64_t>(d);
    } else {
      args[i].type_index = 3;
      args[i].f = d;
    }
  }
  Any16 out{};
  if (fn(nullptr, args, static_cast<int32_t>(n), &out) != 0) {
    Napi::Error::New(info.Env(), "safe call failed").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  if (out.type_index == 1) return Napi::Number::New(info.Env(), static_cast<double>(out.i));
  if (out.type_index == 3) return Napi::Number::New(info.Env(), out.f);
  return info.Env().Undefined();
}

Napi::Value SafeCallFn(const Napi::CallbackInfo& info) {
  bool lossless;
  void* h = reinterpret_cast<void*>(static_cast<uintptr_t>(info[0].As<Napi::BigInt>().Uint64Value(&lossless)));
  std::string sym = info[1].As<Napi::String>();
  void* f = dlsym(h, sym.c_str());
  if (!f) {
    Napi::Error::New(info.Env(), "dlsym failed").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::Function::New(info.Env(), CallSafe, sym.c_str(), f);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
  exports.Set("add", Napi::Function::New(env, Add, "add"));
  exports.Set("f32Len", Napi::Function::New(env, F32Len, "f32Len"));
  exports.Set("callJs", Napi::Function::New(env, CallJs, "callJs"));
  exports.Set("dlopenSym", Napi::Function::New(env, DlopenSym, "dlopenSym"));
  exports.Set("safeCallFn", Napi::Function::New(env, SafeCallFn, "safeCallFn"));
  exports.Set("dlclose", Napi::Function::New(env, Dlclose, "dlclose"));
  return exports;
}

}  // namespace

NODE_API_MODULE(bench_baseline, Init)
