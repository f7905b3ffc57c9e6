// Async calls: fn.async(...) (docs/async.md). Arguments are converted on the calling JS
// thread by the one converter (binding/function.h ConvertCallArgs), the kernel runs on the
// toolkit's pool (binding/thread_pool.h), and the Promise settles on the calling thread
// through that environment's threadsafe function. Until it settles, every argument stays
// referenced (napi_ref), objects hold a reference of the call, ArrayBuffers are pinned
// (binding/js_memory.h) and the library is pinned (binding/lifetime.h: dispose waits).
// Cancellation reaches kernels through TVMFFIEnvCheckSignals (hook registered here).
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

namespace orcjit::binding {

/// Exports on `values`: callAsync(fn, args, cancellable) -> Promise | [Promise, cancel],
/// setAsyncThreads(n) -> boolean, asyncThreads() -> number, setInterruptHandler(on).
void InitAsync(Napi::Env env, Napi::Object values);

/// [i16] Called by a wrapped JS function (values_api.cc) on a thread that is not a JS thread.
/// On the pool thread of an async call of the function's environment, runs `call(self, ...)`
/// on that JS thread (threadsafe function) while this thread waits, and returns true with
/// *rc set (the callback's error raised here). False elsewhere: the caller reports that the
/// function was called from a thread that is not its JavaScript thread.
bool RunCallbackOnJsThread(napi_env env, int (*call)(void*, const TVMFFIAny*, int32_t, TVMFFIAny*),
                           void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result,
                           const char* callback_name, int* rc);

}  // namespace orcjit::binding
