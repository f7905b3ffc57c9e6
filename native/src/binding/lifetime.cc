#include "binding/lifetime.h"

#include <mutex>
#include <unordered_map>

#include "jit/library.h"

namespace orcjit::binding {

std::atomic<int> g_deferred_disposals{0};
std::atomic<bool> g_tearing_down{false};

namespace {
std::mutex g_mu;
std::unordered_map<const jit::Library*, std::weak_ptr<LibraryPin>>& Pins() {
  static auto* m = new std::unordered_map<const jit::Library*, std::weak_ptr<LibraryPin>>();
  return *m;
}
}  // namespace

LibraryPin::~LibraryPin() {
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Pins().find(lib.get());
    if (it != Pins().end() && it->second.expired()) Pins().erase(it);
  }
  if (!dispose_requested) return;
  g_deferred_disposals.fetch_sub(1);
  if (g_tearing_down.load()) return;
  try {
    lib->Dispose();
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
  auto it = Pins().find(lib);
  if (it == Pins().end()) return false;
  auto p = it->second.lock();
  return p && p->dispose_requested;
}

}  // namespace orcjit::binding
