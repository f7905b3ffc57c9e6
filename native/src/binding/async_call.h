// Async calls: fn.async(...) (docs/async.md). Arguments are converted on the calling JS
// thread by the one converter (binding/function.h ConvertCallArgs), the kernel runs on the
// toolkit's pool (binding/thread_pool.h), and the Promise settles on the calling thread
// through that environment's threadsafe function. Until it settles, every argument stays
// referenced (napi_ref), objects hold a reference of the call, ArrayBuffers are pinned
// (binding/js_memory.h) and the library is pinned (binding/lifetime.h: dispose waits).
// Cancellation reaches kernels through TVMFFIEnvCheckSignals (hook registered here).
#pragma once
#include <napi.h>
#include <atomic>
#include <tvm/ffi/c_api.h>

namespace orcjit::binding {

/// Exports on `values`: callAsync(fn, args, cancellable) -> Promise | [Promise, cancel],
/// setAsyncThreads(n) -> boolean, asyncThreads() -> number, setInterruptHandler(on).
void InitAsync(Napi::Env env, Napi::Object values);

struct AsyncEnv;
/// This JS thread's async state once it made an async call (else null).
extern __attribute__((tls_model("initial-exec"))) thread_local AsyncEnv* t_async_env;
void SyncCallEnter(AsyncEnv* a);
void SyncCallExit(AsyncEnv* a);

/// [j16] Marks a synchronous kernel call on a JS thread (function.cc CallKernel, values_api.cc
/// Function calls): while one runs, a callback from a kernel's own thread is refused with a
/// clear error instead of waiting for this thread, which may be blocked on that very thread.
/// Threads that never made an async call pay one thread-local load.
class SyncCallMark {
 public:
  SyncCallMark() : a_(t_async_env) {
    if (__builtin_expect(a_ != nullptr, 0)) SyncCallEnter(a_);
  }
  ~SyncCallMark() {
    if (__builtin_expect(a_ != nullptr, 0)) SyncCallExit(a_);
  }
  SyncCallMark(const SyncCallMark&) = delete;
  SyncCallMark& operator=(const SyncCallMark&) = delete;

 private:
  AsyncEnv* a_;
};

/// [i16] Called by a wrapped JS function (values_api.cc) on a thread that is not a JS thread.
/// On the pool thread of an async call of the function's environment, runs `call(self, ...)`
/// on that JS thread (threadsafe function) while this thread waits, and returns true with
/// *rc set (the callback's error raised here). [j16] Also from a kernel's own threads while
/// async calls of that environment run, unless its JS thread is in a synchronous kernel call
/// (SyncCallMark): then a clear error is raised instead. False when no async call runs: the
/// caller reports that the function was called from a thread that is not its JS thread.
bool RunCallbackOnJsThread(napi_env env, int (*call)(void*, const TVMFFIAny*, int32_t, TVMFFIAny*),
                           void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result,
                           const char* callback_name, int* rc);

}  // namespace orcjit::binding
