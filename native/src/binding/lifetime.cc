#include "binding/lifetime.h"

#include <mutex>
#include <unordered_map>

#include "binding/addon_state.h"
#include "jit/library.h"
#include "jit/session.h"

namespace orcjit::binding {

std::atomic<int> g_deferred_disposals{0};

namespace {
std::mutex g_mu;
std::unordered_map<const jit::Library*, std::weak_ptr<LibraryPin>>& Pins() {
  static auto* m = new std::unordered_map<const jit::Library*, std::weak_ptr<LibraryPin>>();
  return *m;
}
struct SessionPins {
  int pins = 0;                            // live LibraryPins of this session's libraries
  std::shared_ptr<jit::Session> deferred;  // set when its dispose is deferred
};
std::unordered_map<const jit::Session*, SessionPins>& Sessions() {
  static auto* m = new std::unordered_map<const jit::Session*, SessionPins>();
  return *m;
}
}  // namespace

namespace {
/// Drops one pin of `session` (g_mu held); returns the session to dispose if that was the
/// last pin and its dispose was requested.
std::shared_ptr<jit::Session> UnpinSessionLocked(const jit::Session* session) {
  std::shared_ptr<jit::Session> dispose_session;
  auto st = Sessions().find(session);
  if (st != Sessions().end() && --st->second.pins == 0) {
    dispose_session = std::move(st->second.deferred);
    Sessions().erase(st);
  }
  return dispose_session;
}

void DisposeDeferredSession(std::shared_ptr<jit::Session> session) {
  if (!session) return;
  g_deferred_disposals.fetch_sub(1);
  if (!JsThreadAlive()) return;
  try {
    session->Dispose();
  } catch (...) {
  }
}

/// True while a JS callback runs on this thread: JIT code that called it is on the stack.
bool InJsCallback() {
  Addon* st = Addon::Current();
  return st && st->callback_depth > 0;
}
}  // namespace

LibraryPin::~LibraryPin() {
  std::shared_ptr<jit::Session> dispose_session;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Pins().find(lib.get());
    if (it != Pins().end() && it->second.expired()) Pins().erase(it);
    dispose_session = UnpinSessionLocked(&lib->session());
  }
  if (dispose_requested) g_deferred_disposals.fetch_sub(1);
  if (JsThreadAlive() && dispose_requested) {
    try {
      lib->Dispose();
    } catch (...) {
    }
  }
  DisposeDeferredSession(std::move(dispose_session));
}

// ---------------------------------------------------------------- re-entrant dispose
// A dispose() requested from a JS callback runs while the JIT code that called the callback
// is on the stack: unmapping it (or running its destructors) would crash or corrupt the
// caller when the callback returns. Such a dispose is recorded at once (disposed == true,
// calls throw DisposedError) and carried out by a setImmediate, which only runs from the
// event loop, when no JIT code is on this thread's stack. Only this thread can run JS that
// reaches this library's JS objects, so the thread's own callback depth is the whole test.

namespace {
napi_value RunParked(napi_env env, napi_callback_info) {
  Addon* st = Addon::Current();
  if (!st || st->env != env) return nullptr;
  st->idle_scheduled = false;
  std::vector<std::function<void()>> todo;
  todo.swap(st->parked);
  for (auto& f : todo) f();
  return nullptr;
}

void ParkUntilIdle(Addon* st, std::function<void()> action) {
  st->parked.push_back(std::move(action));
  if (st->idle_scheduled) return;
  napi_env env = st->env;
  napi_value set_immediate = nullptr, fn = nullptr, global = nullptr, ignored = nullptr;
  if (!st->set_immediate || napi_get_reference_value(env, st->set_immediate, &set_immediate) != napi_ok ||
      !set_immediate)
    return;  // not scheduled: released at environment teardown (sessions are disposed then)
  if (napi_create_function(env, "orcjitDeferredDispose", NAPI_AUTO_LENGTH, RunParked, nullptr,
                           &fn) != napi_ok)
    return;
  napi_get_global(env, &global);
  if (napi_call_function(env, global, set_immediate, 1, &fn, &ignored) == napi_ok)
    st->idle_scheduled = true;
}
}  // namespace

void AfterCallbacks(std::function<void()> release) {
  if (InJsCallback())
    ParkUntilIdle(Addon::Current(), std::move(release));
  else
    release();
}

Pin PinLibrary(const std::shared_ptr<jit::Library>& lib) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto& slot = Pins()[lib.get()];
  if (auto p = slot.lock()) return p;
  auto p = std::make_shared<LibraryPin>();
  p->lib = lib;
  slot = p;
  Sessions()[&lib->session()].pins++;
  return p;
}

bool RequestDispose(const std::shared_ptr<jit::Library>& lib) {
  if (InJsCallback()) {
    Pin pin = PinLibrary(lib);
    {
      std::lock_guard<std::mutex> lock(g_mu);
      if (!pin->dispose_requested) {
        pin->dispose_requested = true;
        g_deferred_disposals.fetch_add(1);
      }
    }
    // The pin goes (and with the last one, the dispose runs) when the event loop is back.
    ParkUntilIdle(Addon::Current(), [pin]() mutable { pin.reset(); });
    return true;
  }
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Pins().find(lib.get());
    if (it != Pins().end()) {
      if (auto p = it->second.lock()) {
        if (!p->dispose_requested) {
          p->dispose_requested = true;
          g_deferred_disposals.fetch_add(1);
        }
        return true;
      }
    }
  }
  lib->Dispose();
  return false;
}

bool DisposeRequested(const jit::Library* lib) {
  if (g_deferred_disposals.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard<std::mutex> lock(g_mu);
  auto st = Sessions().find(&const_cast<jit::Library*>(lib)->session());
  if (st != Sessions().end() && st->second.deferred) return true;
  auto it = Pins().find(lib);
  if (it == Pins().end()) return false;
  auto p = it->second.lock();
  return p && p->dispose_requested;
}

bool RequestSessionDispose(const std::shared_ptr<jit::Session>& session) {
  if (InJsCallback()) {
    {
      std::lock_guard<std::mutex> lock(g_mu);
      auto& st = Sessions()[session.get()];
      st.pins++;  // a pin of its own, released when the event loop is back
      if (!st.deferred) {
        st.deferred = session;
        g_deferred_disposals.fetch_add(1);
      }
    }
    const jit::Session* key = session.get();
    ParkUntilIdle(Addon::Current(), [key] {
      std::shared_ptr<jit::Session> s;
      {
        std::lock_guard<std::mutex> lock(g_mu);
        s = UnpinSessionLocked(key);
      }
      DisposeDeferredSession(std::move(s));
    });
    return true;
  }
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto st = Sessions().find(session.get());
    if (st != Sessions().end() && st->second.pins > 0) {
      if (!st->second.deferred) {
        st->second.deferred = session;
        g_deferred_disposals.fetch_add(1);
      }
      return true;
    }
  }
  session->Dispose();
  return false;
}

bool SessionDisposeRequested(const jit::Session* session) {
  if (g_deferred_disposals.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard<std::mutex> lock(g_mu);
  auto st = Sessions().find(session);
  return st != Sessions().end() && st->second.deferred != nullptr;
}

}  // namespace orcjit::binding
