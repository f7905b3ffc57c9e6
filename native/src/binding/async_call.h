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

/// [j16] What a JS thread that made async calls shares with kernel threads calling back
/// (RunCallbackOnJsThread). A kernel thread waits for the JS thread only while it is not in a
/// synchronous kernel call, which may be waiting for the very thread that waits. Each side
/// raises its own counter (seq_cst), then reads the other's: at least one sees the other.
struct SyncState {
  size_t in_flight = 0;                 // JS thread only: async calls not yet settled
  std::atomic<int> depth{0};            // synchronous kernel calls running (JS thread writes)
  std::atomic<int> foreign_waiters{0};  // kernel threads registering or waiting for a callback
};
/// This JS thread's synchronous-call bookkeeping. One thread-local (initial-exec, plain data):
/// the call path finds both fields from one address.
struct SyncTls {
  int nest = 0;                  // synchronous kernel calls on this thread's stack (nested through JS callbacks)
  SyncState* state = nullptr;    // this JS thread's state once it made an async call (else null)
};
extern __attribute__((tls_model("initial-exec"))) thread_local SyncTls t_sync;
/// A kernel thread waits for the JS thread that enters a synchronous call: wake it to give up.
void WakeForeignWaiters();

/// [j16] Marks a synchronous kernel call on a JS thread (function.cc CallKernel, values_api.cc
/// Function calls). While async calls of its thread are in flight, SyncState::depth mirrors
/// t_sync.nest (CallAsync publishes it when the first call starts, even from a callback inside
/// a synchronous call), and a callback from a kernel's own thread is refused with a clear error
/// instead of waiting for this thread. Otherwise (the common case) it costs a thread-local
/// increment, a load and a compare.
class SyncCallMark {
 public:
  SyncCallMark() {
    SyncTls& t = t_sync;
    int nest = ++t.nest;
    SyncState* s = t.state;
    if (__builtin_expect(s != nullptr && s->in_flight != 0, 0)) {
      s->depth.store(nest);  // seq_cst
      if (s->foreign_waiters.load() > 0) WakeForeignWaiters();
    }
  }
  ~SyncCallMark() {
    SyncTls& t = t_sync;
    int nest = --t.nest;
    SyncState* s = t.state;
    if (__builtin_expect(s != nullptr && s->depth.load(std::memory_order_relaxed) != 0, 0))
      s->depth.store(nest, std::memory_order_release);
  }
  SyncCallMark(const SyncCallMark&) = delete;
  SyncCallMark& operator=(const SyncCallMark&) = delete;
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
