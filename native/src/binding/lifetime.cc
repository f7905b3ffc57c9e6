#include "binding/lifetime.h"

#include <mutex>
#include <unordered_map>

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

LibraryPin::~LibraryPin() {
  std::shared_ptr<jit::Session> dispose_session;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Pins().find(lib.get());
    if (it != Pins().end() && it->second.expired()) Pins().erase(it);
    auto st = Sessions().find(&lib->session());
    if (st != Sessions().end() && --st->second.pins == 0) {
      dispose_session = std::move(st->second.deferred);
      Sessions().erase(st);
    }
  }
  if (dispose_requested) g_deferred_disposals.fetch_sub(1);
  if (dispose_session) g_deferred_disposals.fetch_sub(1);
  if (!JsThreadAlive()) return;
  try {
    if (dispose_requested) lib->Dispose();
    if (dispose_session) dispose_session->Dispose();
  } catch (...) {
  }
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
