#include "binding/async_call.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <tvm/ffi/extra/c_env_api.h>

#include "binding/convert.h"
#include "binding/function.h"
#include "binding/js_memory.h"
#include "binding/lifetime.h"
#include "binding/thread_pool.h"
#include "binding/values.h"
#include "binding/addon_state.h"
#include "jit/crash_guard.h"
#include "jit/library.h"
#include "runtime/api.h"

namespace orcjit::binding {

enum State : int { kQueued, kRunning, kFinished, kCancelled };
// AsyncCall::handoff. kJsWaits: CallAsync waits a few us for the result (a spinning worker took
// the call); the pool thread that finishes it first swaps in kTakenByJs and posts nothing, or
// CallAsync gives up first (kJsGaveUp) and the result comes through the threadsafe function.
enum Handoff : int { kPost, kJsWaits, kTakenByJs, kJsGaveUp };
struct AsyncEnv;

struct AsyncCall {
  AsyncEnv* aenv = nullptr;
  napi_deferred deferred = nullptr;
  CallTarget target;
  Pin pin;  // the library's code stays mapped; dispose() waits for the pin (lifetime.h)
  std::vector<TVMFFIAny> args;
  ArgScratch scratch;                // strings, views, owned containers/callbacks of the call
  std::vector<napi_ref> refs;        // argument objects: alive until the Promise settles
  std::vector<TVMFFIObject*> held;   // a reference per object argument (tensor.dispose() meanwhile is safe)
  std::atomic<int> state{kQueued};
  std::atomic<bool> abort{false};
  std::atomic<int> handoff{0};  // Handoff: does CallAsync wait for the result itself?
  int rc = 0;
  TVMFFIAny result{};
  TVMFFIObjectHandle error = nullptr;  // raised on the pool thread, re-raised on the JS thread
  std::string escaped;                 // a C++ exception escaped the safe call
  jit::CrashInfo crash;                // rc == jit::kCrashed: the contained fault
};

/// Per JS environment (main thread, each worker): its threadsafe function and calls in flight.
/// Never freed: pool threads may still look at it after the environment is gone.
struct AsyncEnv {
  napi_env env = nullptr;
  napi_threadsafe_function tsfn = nullptr;  // pool -> JS thread (Post)
  std::mutex mu;
  std::condition_variable cv;
  std::set<AsyncCall*> inflight;   // mu: queued or running, not yet settled
  // The pool's hot path takes no lock of the environment (a JS thread blocking on a mutex a
  // pool thread holds costs a futex sleep and wake-up per call): these are seq_cst counters
  // checked against `closing` (Dekker style), and only a teardown waits on mu/cv.
  std::atomic<bool> closing{false};  // written under mu (callback waiters' predicate)
  std::atomic<int> running{0};       // kernels running now (AbortAndDrain waits a grace period)
  std::atomic<int> posting{0};       // pool threads inside Post: the tsfn must outlive them
  bool waited_ok = true;             // JS thread: the last wait in CallAsync got the result
  unsigned wait_probe = 0;           // JS thread: after a failed wait, retry every 16th call
  unsigned inline_streak = 0;        // JS thread: calls settled by CallAsync since a loop turn
  // in_flight: the tsfn keeps the loop alive while > 0; the rest: binding/async_call.h
  SyncState sync;
};

namespace {
thread_local AsyncEnv* t_async_env = nullptr;  // this JS thread's, once it made an async call
}  // namespace
__attribute__((tls_model("initial-exec"))) thread_local SyncTls t_sync;

namespace {

using CallPtr = std::shared_ptr<AsyncCall>;

std::mutex g_envs_mu;
std::unordered_map<napi_env, AsyncEnv*>& Envs() {
  static auto* m = new std::unordered_map<napi_env, AsyncEnv*>();
  return *m;
}

thread_local AsyncCall* t_current = nullptr;  // the call whose kernel runs on this pool thread
std::atomic<bool> g_interrupt{false};         // Ctrl-C for synchronous calls (orcjit run)

std::chrono::milliseconds ExitGrace() {
  if (const char* s = std::getenv("ORCJIT_EXIT_GRACE_MS")) return std::chrono::milliseconds(std::atol(s));
  return std::chrono::milliseconds(2000);
}

/// Work the pool hands to a JS thread (through the environment's threadsafe function).
struct Task {
  virtual ~Task() = default;
  virtual void Run(napi_env env) = 0;  // env null: the environment is going away
};

/// Tells a teardown waiting in AbortAndDrain that a counter it waits for changed.
void NotifyDrain(AsyncEnv* a) {
  std::lock_guard<std::mutex> lock(a->mu);
  a->cv.notify_all();
}

/// Any thread: hands `task` to the JS thread; false when the environment is going away.
/// Either this sees `closing`, or AbortAndDrain sees `posting` and waits for it to end, so
/// the threadsafe function is never called once the environment started to close it.
/// (Called with mu held only after checking `closing` under it: then NotifyDrain cannot run.)
bool Post(AsyncEnv* a, Task* task) {
  a->posting.fetch_add(1);
  bool ok = !a->closing.load() &&
            napi_call_threadsafe_function(a->tsfn, task, napi_tsfn_nonblocking) == napi_ok;
  if (a->posting.fetch_sub(1) == 1 && a->closing.load()) NotifyDrain(a);
  return ok;
}

void CallJs(napi_env env, napi_value, void*, void* data) {
  std::unique_ptr<Task> task(static_cast<Task*>(data));
  task->Run(env);
}

/// Aborts every call of `a` (kernels see it through TVMFFIEnvCheckSignals) and waits a grace
/// period for the running ones: their code must not be freed under them.
void AbortAndDrain(AsyncEnv* a) {
  std::unique_lock<std::mutex> lock(a->mu);
  a->closing.store(true);
  for (AsyncCall* c : a->inflight) c->abort.store(true);
  a->cv.notify_all();  // callback waiters give up
  if (!a->cv.wait_for(lock, ExitGrace(), [&] { return a->running.load() == 0; }))
    std::fprintf(stderr,
                 "tvm-ffi-orcjit: %d async kernel(s) still running at exit after the abort "
                 "request (they do not poll TVMFFIEnvCheckSignals); exiting anyway\n",
                 a->running.load());
  a->cv.wait(lock, [&] { return a->posting.load() == 0; });  // a non-blocking tsfn call: brief
}

void EnvCleanup(void* arg) {
  auto* a = static_cast<AsyncEnv*>(arg);
  {
    std::lock_guard<std::mutex> lock(g_envs_mu);
    Envs().erase(a->env);
  }
  AbortAndDrain(a);
}

void AtProcessExit() {
  std::vector<AsyncEnv*> all;
  {
    std::lock_guard<std::mutex> lock(g_envs_mu);
    for (auto& [env, a] : Envs()) all.push_back(a);
  }
  for (AsyncEnv* a : all) AbortAndDrain(a);
}

AsyncEnv* GetAsyncEnv(napi_env env) {
  if (t_async_env && t_async_env->env == env) return t_async_env;
  {
    std::lock_guard<std::mutex> lock(g_envs_mu);
    auto it = Envs().find(env);
    if (it != Envs().end()) return it->second;
  }
  auto* a = new AsyncEnv();
  a->env = env;
  napi_value name;
  napi_create_string_utf8(env, "orcjit.async", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, a,
                                      CallJs, &a->tsfn) != napi_ok) {
    delete a;
    throw Napi::Error::New(env, "async: cannot create a threadsafe function");
  }
  napi_unref_threadsafe_function(env, a->tsfn);  // idle: does not keep the loop alive
  // Registered after the addon's session cleanup, so it runs first (hooks run LIFO): running
  // kernels are aborted and waited for before their sessions are disposed.
  napi_add_env_cleanup_hook(env, EnvCleanup, a);
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(AtProcessExit); });
  std::lock_guard<std::mutex> lock(g_envs_mu);
  Envs()[env] = a;
  t_async_env = a;
  t_sync.state = &a->sync;  // this JS thread's synchronous calls are marked from now on
  return a;
}

/// The kernel call on a pool thread. getFunction exports go through the crash guard, as
/// their sync calls do (binding/function.cc CallKernel): a contained fault returns
/// jit::kCrashed and poisons the library at once, so calls queued behind it never enter it.
/// Function objects are called as their sync calls are (unguarded).
int InvokeKernel(AsyncCall* c, TVMFFIAny* result) {
  const CallTarget& t = c->target;
  const TVMFFIAny* args = c->args.data();
  auto n = int32_t(c->args.size());
  if (!t.fn) return TVMFFIFunctionCall(t.func, const_cast<TVMFFIAny*>(args), n, result);
  if (__builtin_expect(!jit::CrashGuardEnabled(), 0)) return t.fn(nullptr, args, n, result);
  int rc = jit::GuardedSafeCall(t.fn, nullptr, args, n, result);
  if (rc == jit::kCrashed) {
    c->crash = jit::LastCrash();
    t.lib->MarkCrashed();
  }
  return rc;
}

/// JS thread: drops everything the call held (the Promise is settled by the caller).
void Release(napi_env env, AsyncCall* c) {
  c->scratch.Release();
  for (TVMFFIObject* o : c->held) TVMFFIObjectDecRef(o);
  c->held.clear();
  for (napi_ref r : c->refs) napi_delete_reference(env, r);
  c->refs.clear();
  if (c->target.func) TVMFFIObjectDecRef(c->target.func);
  c->target.func = nullptr;
  c->target.pin.reset();
  c->pin.reset();  // a dispose requested meanwhile runs now
  c->target.lib.reset();  // never the last reference on a pool thread
  AsyncEnv* a = c->aenv;
  {
    std::lock_guard<std::mutex> lock(a->mu);
    a->inflight.erase(c);
  }
  if (--a->sync.in_flight == 0) napi_unref_threadsafe_function(env, a->tsfn);
}

napi_value AbortValue(Napi::Env env, const AsyncCall* c, const char* why) {
  return MakeFFIError(env, "AbortError", "async call of '" + c->target.name + "' was aborted" + why, "");
}

/// JS thread: converts the outcome and settles the Promise (a completion task, or CallAsync
/// when the result came back while it waited).
void Settle(napi_env env, AsyncCall* c) {
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  Napi::Env e(env);
  napi_value value = nullptr;
  bool ok = false;
  const char* name = c->target.name.c_str();
  try {
    if (c->rc == 0) {
      PinSource pin(&c->target.lib);
      value = FromAny(e, &c->result, name, pin);
      ok = true;
    } else if (c->rc == jit::kCrashed) {
      // The same NativeCrashError a sync call throws; no fault info: it never started
      // because another call crashed the library while this one was queued.
      value = CrashErrorValue(env, c->target, c->crash.signal ? &c->crash : nullptr);
    } else if (!c->escaped.empty()) {
      value = MakeFFIError(e, "InternalError", c->escaped, "");
    } else {
      if (c->error) {
        TVMFFIErrorSetRaised(c->error);
        TVMFFIObjectDecRef(static_cast<TVMFFIObject*>(c->error));
        c->error = nullptr;
      }
      value = TakeRaisedError(e, c->rc, name);
    }
  } catch (const Napi::Error& err) {
    value = err.Value();
    ok = false;
  } catch (const std::exception& ex) {
    value = Napi::Error::New(e, ex.what()).Value();
    ok = false;
  }
  Release(env, c);
  if (ok)
    napi_resolve_deferred(env, c->deferred, value);
  else
    napi_reject_deferred(env, c->deferred, value);
  napi_close_handle_scope(env, scope);
}

struct SettleTask : Task {
  CallPtr c;
  explicit SettleTask(CallPtr call) : c(std::move(call)) {}
  void Run(napi_env env) override {
    if (!env) {
      new CallPtr(std::move(c));  // environment gone: its references die with it (leaked on purpose)
      return;
    }
    c->aenv->inline_streak = 0;  // the event loop ran: CallAsync may settle calls again
    Settle(env, c.get());
  }
};

void RunOnPool(const CallPtr& c) {
  int expected = kQueued;
  if (!c->state.compare_exchange_strong(expected, kRunning)) return;  // cancelled: settled already
  AsyncEnv* a = c->aenv;
  a->running.fetch_add(1);
  if (a->closing.load()) {  // the environment is going away: never started
    if (a->running.fetch_sub(1) == 1) NotifyDrain(a);
    return;
  }
  c->result.type_index = kTVMFFINone;
  c->result.zero_padding = 0;
  c->result.v_int64 = 0;
  t_current = c.get();
  try {
    if (c->target.lib && c->target.lib->crashed())
      c->rc = jit::kCrashed;  // queued behind a call that crashed the library: never enters it
    else
      c->rc = InvokeKernel(c.get(), &c->result);
  } catch (const std::exception& e) {
    c->rc = -1;
    c->escaped = "C++ exception escaped '" + c->target.name +
                 "' (safe-call functions must return an error code): " + e.what();
  } catch (...) {
    c->rc = -1;
    c->escaped = "unknown C++ exception escaped '" + c->target.name + "'";
  }
  t_current = nullptr;
  if (c->rc != 0 && c->rc != jit::kCrashed && c->escaped.empty()) TVMFFIErrorMoveFromRaised(&c->error);
  c->state.store(kFinished);
  int waiting = kJsWaits;
  if (c->handoff.compare_exchange_strong(waiting, kTakenByJs)) {
    // CallAsync is still waiting for it and settles it: no completion task, no wake-up.
  } else if (!Post(a, new SettleTask(c))) {
    new CallPtr(c);  // environment gone: leaked on purpose
  }
  if (a->running.fetch_sub(1) == 1 && a->closing.load()) NotifyDrain(a);
}

/// TVMFFIEnvCheckSignals for every kernel of this process: non-zero (with an AbortError
/// raised) when the async call running on this thread was aborted, or, on other threads,
/// after Ctrl-C while setInterruptHandler(true) is on.
int CheckSignalsHook() {
  if (AsyncCall* c = t_current) {
    if (__builtin_expect(c->abort.load(std::memory_order_relaxed), 0)) {
      runtime::SetRaisedError({"AbortError", "async call of '" + c->target.name + "' was aborted", ""});
      return -1;
    }
    return 0;
  }
  if (__builtin_expect(g_interrupt.load(std::memory_order_relaxed), 0)) {
    g_interrupt.store(false);
    runtime::SetRaisedError({"AbortError", "interrupted (Ctrl-C)", ""});
    return -1;
  }
  return 0;
}

// ---------------------------------------------------------------- exports

napi_value Cancel(napi_env env, napi_callback_info info) {
  void* data = nullptr;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  CallPtr c = *static_cast<CallPtr*>(data);
  int expected = kQueued;
  napi_value out;
  if (c->state.compare_exchange_strong(expected, kCancelled)) {
    // Not started: rejected now (the pool skips it).
    napi_value err = AbortValue(Napi::Env(env), c.get(), " before it started");
    Release(env, c.get());
    napi_reject_deferred(env, c->deferred, err);
    napi_get_boolean(env, true, &out);
    return out;
  }
  if (expected == kRunning) c->abort.store(true);  // seen by TVMFFIEnvCheckSignals
  napi_get_boolean(env, false, &out);
  return out;
}

/// CallAsync: waits up to kJsWaitNs for the pool to finish `c`; true when it did (the pool
/// then posts nothing: CallAsync settles it), false when it gave up (the pool posts it).
constexpr int64_t kJsWaitNs = 3000;
bool WaitForResult(AsyncCall* c) {
  auto end = std::chrono::steady_clock::now() + std::chrono::nanoseconds(kJsWaitNs);
  for (int i = 0; c->handoff.load(std::memory_order_acquire) == kJsWaits; ++i) {
    if ((i & 15) == 15 && std::chrono::steady_clock::now() >= end) {
      int waiting = kJsWaits;
      if (c->handoff.compare_exchange_strong(waiting, kJsGaveUp)) return false;
      break;  // finished meanwhile
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  return true;
}

/// The ArrayBuffer of a typed array or DataView argument, or nullptr.
napi_value BufferOfArg(napi_env env, napi_value v) {
  bool is = false;
  napi_value ab = nullptr;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_get_typedarray_info(env, v, nullptr, nullptr, nullptr, &ab, nullptr);
    return ab;
  }
  return nullptr;
}

// callAsync(fn, args: any[], cancellable: boolean) -> Promise | [Promise, cancel()]
Napi::Value CallAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsArray()) throw Napi::TypeError::New(env, "callAsync(fn, args, cancellable)");
  Napi::Array arr = info[1].As<Napi::Array>();
  bool cancellable = info.Length() > 2 && info[2].ToBoolean().Value();
  size_t argc = arr.Length();
  std::vector<napi_value> argv(argc);
  for (uint32_t i = 0; i < argc; ++i) argv[i] = arr.Get(i);
  auto c = std::make_shared<AsyncCall>();
  c->args.resize(argc);
  // The one converter, with the sync call's checks (binding/function.cc).
  struct DropTarget {  // until the call is queued: a failure drops the function reference
    AsyncCall* c;
    ~DropTarget() {
      if (c && c->target.func) TVMFFIObjectDecRef(c->target.func);
    }
  } drop{c.get()};
  if (!ConvertCallArgs(env, info[0], argv.data(), argc, c->args.data(), c->scratch, &c->target))
    return Napi::Value();  // pending exception
  // JS runs while the kernel reads: lent buffers are pinned for good (js_memory.h) so a
  // transfer cannot move their memory; a resizable one cannot be pinned and is refused.
  for (size_t i = 0; i < argc; ++i) {
    napi_value ab = BufferOfArg(env, argv[i]);
    if (ab && !PinArrayBuffer(env, ab))
      throw Napi::TypeError::New(
          env, "argument #" + std::to_string(i) + " of '" + c->target.name +
                   "': a typed array over a resizable ArrayBuffer cannot be lent to an async "
                   "call (JS could resize() it while the kernel reads it); pass a copy over a "
                   "fixed-length ArrayBuffer");
  }
  for (size_t i = 0; i < argc; ++i) {
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    if (t == napi_object || t == napi_function) {
      napi_ref r;
      if (napi_create_reference(env, argv[i], 1, &r) == napi_ok) c->refs.push_back(r);
    }
    TVMFFIAny& a = c->args[i];
    if (a.type_index >= kTVMFFIStaticObjectBegin && a.v_obj) {
      TVMFFIObjectIncRef(a.v_obj);
      c->held.push_back(a.v_obj);
    }
  }
  if (c->target.lib) c->pin = PinLibrary(c->target.lib);
  AsyncEnv* a = GetAsyncEnv(env);
  c->aenv = a;
  drop.c = nullptr;  // Release() drops it from now on
  {
    std::lock_guard<std::mutex> lock(a->mu);
    a->inflight.insert(c.get());
  }
  if (a->sync.in_flight++ == 0) {
    napi_ref_threadsafe_function(env, a->tsfn);
    // Started from a JS callback inside synchronous calls: they are blocked until it returns.
    if (t_sync.nest > 0) a->sync.depth.store(t_sync.nest);
  }
  napi_value promise;
  napi_create_promise(env, &c->deferred, &promise);
  napi_value cancel = nullptr;
  if (cancellable) {
    auto* holder = new CallPtr(c);
    napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, Cancel, holder, &cancel);
    napi_add_finalizer(
        env, cancel, holder, [](napi_env, void* d, void*) { delete static_cast<CallPtr*>(d); },
        nullptr, nullptr);
  }
  // A sequential caller (no other call of this thread in flight) whose call a spinning worker
  // takes: wait here briefly for the result and settle it now, skipping the completion queue
  // and the event loop's wake-up (docs/async.md "Cost"). After a wait that ran out (a longer
  // kernel, a busy machine), only every 16th call tries again. After kMaxInlineStreak calls
  // settled here in a row, one goes through the event loop: a loop of `await fn.async()` must
  // not starve timers and I/O (a settled Promise's continuation is only a microtask).
  constexpr unsigned kMaxInlineStreak = 32;
  bool wait = a->sync.in_flight == 1 && a->inline_streak < kMaxInlineStreak && PoolHasSpinner() &&
              (a->waited_ok || (++a->wait_probe & 15) == 0);
  if (wait) c->handoff.store(kJsWaits, std::memory_order_relaxed);
  PoolSubmit([c] { RunOnPool(c); });
  if (wait && WaitForResult(c.get())) {
    a->waited_ok = true;
    ++a->inline_streak;
    Settle(env, c.get());
  } else if (wait) {
    a->waited_ok = false;
  }
  if (!cancellable) return Napi::Value(env, promise);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Value(env, promise));
  out.Set(1u, Napi::Value(env, cancel));
  return out;
}

Napi::Value SetAsyncThreads(const Napi::CallbackInfo& info) {
  double n = info[0].As<Napi::Number>().DoubleValue();
  return Napi::Boolean::New(info.Env(), n >= 1 && n <= 1024 && SetPoolSize(size_t(n)));
}

Napi::Value AsyncThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(PoolSize()));
}

// ---------------------------------------------------------------- Ctrl-C (orcjit run)
struct sigaction g_old_sigint;
bool g_sigint_installed = false;

void OnSigint(int) {
  if (g_interrupt.exchange(true)) {
    // Second Ctrl-C while the kernel ignores the first: the default action (terminate).
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
}

// setInterruptHandler(on): while on, Ctrl-C makes TVMFFIEnvCheckSignals() fail in the
// synchronous kernel running on this thread (a second Ctrl-C terminates the process).
Napi::Value SetInterruptHandler(const Napi::CallbackInfo& info) {
  bool on = info[0].ToBoolean().Value();
  g_interrupt.store(false);
  if (on && !g_sigint_installed) {
    struct sigaction sa {};
    sa.sa_handler = OnSigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_sigint);
    g_sigint_installed = true;
  } else if (!on && g_sigint_installed) {
    sigaction(SIGINT, &g_old_sigint, nullptr);
    g_sigint_installed = false;
  }
  return info.Env().Undefined();
}

// ---------------------------------------------------------------- callbacks from the pool
struct CallbackRequest {
  int (*call)(void*, const TVMFFIAny*, int32_t, TVMFFIAny*);
  void* self;
  const TVMFFIAny* args;
  int32_t n;
  TVMFFIAny* result;
  int rc = -1;
  TVMFFIObjectHandle err = nullptr;
  bool started = false;    // AsyncEnv::mu: the JS thread took it
  bool withdrawn = false;  // AsyncEnv::mu: the waiter gave up before it started
  bool done = false;       // AsyncEnv::mu
};

struct CallbackTask : Task {
  std::shared_ptr<CallbackRequest> req;
  AsyncEnv* a;
  CallbackTask(std::shared_ptr<CallbackRequest> r, AsyncEnv* env) : req(std::move(r)), a(env) {}
  void Run(napi_env env) override {
    bool skip;
    {
      std::lock_guard<std::mutex> lock(a->mu);
      skip = a->closing || req->withdrawn;  // the waiter gave up: its arguments may be gone
      req->started = !skip;
    }
    if (env && !skip) {
      // On the owning JS thread: the wrapped function's usual path (lent pins, handle scope).
      req->rc = req->call(req->self, req->args, req->n, req->result);
      if (req->rc != 0) TVMFFIErrorMoveFromRaised(&req->err);
    }
    {
      std::lock_guard<std::mutex> lock(a->mu);
      req->done = true;
    }
    a->cv.notify_all();
  }
};

}  // namespace

void WakeForeignWaiters() {
  if (AsyncEnv* a = t_async_env) {
    std::lock_guard<std::mutex> lock(a->mu);
    a->cv.notify_all();
  }
}

bool RunCallbackOnJsThread(napi_env env, int (*call)(void*, const TVMFFIAny*, int32_t, TVMFFIAny*),
                           void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result,
                           const char* callback_name, int* rc) {
  // The pool thread running an async call of that environment: its JS thread is not blocked
  // in this call, so it waits for the JS thread. Any other thread (a kernel's own) waits only
  // while async calls of that environment run and its JS thread is not in a synchronous
  // kernel call; outside async calls (none queued or running) it gets the usual "not its
  // JavaScript thread" error.
  AsyncCall* current = t_current;
  bool pool = current && current->aenv->env == env;
  AsyncEnv* a = nullptr;
  if (pool) {
    a = current->aenv;
  } else {
    std::lock_guard<std::mutex> lock(g_envs_mu);
    auto it = Envs().find(env);
    if (it == Envs().end()) return false;
    a = it->second;
  }
  auto req = std::make_shared<CallbackRequest>();
  req->call = call;
  req->self = self;
  req->args = args;
  req->n = n;
  req->result = result;
  std::string why;
  {
    std::unique_lock<std::mutex> lock(a->mu);
    struct Waiter {  // counted from before the sync.depth check until the wait ends
      AsyncEnv* a;
      explicit Waiter(AsyncEnv* e) : a(e) { if (a) a->sync.foreign_waiters.fetch_add(1); }
      ~Waiter() { if (a) a->sync.foreign_waiters.fetch_sub(1); }
    } waiter(pool ? nullptr : a);
    auto js_blocked = [&] { return !pool && a->sync.depth.load() > 0; };
    // Queued counts as well as running: a call the pool has not picked up yet (a busy machine)
    // is still in flight, and the JS thread's synchronous calls are tracked from queueing on.
    if (!pool && a->inflight.empty()) return false;  // not during an async call
    if (a->closing) {
      why = "its JavaScript environment is shutting down";
    } else if (js_blocked()) {
      why = "its JavaScript thread is blocked in a synchronous call, which may be waiting for "
            "this thread (a deadlock); call it from the kernel's calling thread, or make the "
            "call with fn.async so the JavaScript thread stays free";
    } else if (!Post(a, new CallbackTask(req, a))) {
      why = "its JavaScript thread does not take calls any more";
    } else {
      a->cv.wait(lock, [&] { return req->done || a->closing || (!req->started && js_blocked()); });
      if (!req->done && !a->closing) {
        req->withdrawn = true;  // the task sees it and skips the call
        why = "its JavaScript thread entered a synchronous call while the callback waited for "
              "it, which may be waiting for this thread (a deadlock); call it from the "
              "kernel's calling thread, or make the call with fn.async so the JavaScript "
              "thread stays free";
      } else if (!req->done) {
        why = "its JavaScript environment is shutting down";
      }
    }
  }
  if (!why.empty()) {
    runtime::SetRaisedError({"RuntimeError",
                             std::string("JS function '") + callback_name +
                                 "' was called from a native thread, but " + why,
                             ""});
    *rc = -1;
    return true;
  }
  if (req->err) {
    TVMFFIErrorSetRaised(req->err);
    TVMFFIObjectDecRef(static_cast<TVMFFIObject*>(req->err));
  }
  *rc = req->rc;
  return true;
}

void InitAsync(Napi::Env env, Napi::Object values) {
  static std::once_flag once;
  std::call_once(once, [] {
    TVMFFIEnvRegisterCAPI("TVMFFIEnvCheckSignals", reinterpret_cast<void*>(&CheckSignalsHook));
  });
  values.Set("callAsync", Napi::Function::New(env, CallAsync, "callAsync"));
  values.Set("setAsyncThreads", Napi::Function::New(env, SetAsyncThreads, "setAsyncThreads"));
  values.Set("asyncThreads", Napi::Function::New(env, AsyncThreads, "asyncThreads"));
  values.Set("setInterruptHandler", Napi::Function::New(env, SetInterruptHandler, "setInterruptHandler"));
}

}  // namespace orcjit::binding
