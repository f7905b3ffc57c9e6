#include "jit/host_hooks.h"

#include <mutex>
#include <unordered_map>

extern "C" int __cxa_atexit(void (*fn)(void*), void* arg, void* dso);  // NOLINT

namespace orcjit::jit {
namespace {
std::mutex& Mu() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}
std::unordered_map<void*, std::vector<AtexitRecord>>& Table() {
  static auto* table = new std::unordered_map<void*, std::vector<AtexitRecord>>();
  return *table;
}
}  // namespace

extern "C" int OrcjitCxaAtexit(void (*fn)(void*), void* arg, void* dso) {
  {
    std::lock_guard<std::mutex> lock(Mu());
    auto it = Table().find(dso);
    if (it != Table().end()) {
      it->second.push_back({fn, arg});
      return 0;
    }
  }
  // Not one of ours (e.g. a NULL dso): let the C runtime run it at exit.
  return __cxa_atexit(fn, arg, dso);
}

void RegisterDso(void* dso) {
  std::lock_guard<std::mutex> lock(Mu());
  Table()[dso];
}

std::vector<AtexitRecord> UnregisterDso(void* dso) {
  std::lock_guard<std::mutex> lock(Mu());
  std::vector<AtexitRecord> out;
  auto it = Table().find(dso);
  if (it != Table().end()) {
    out = std::move(it->second);
    Table().erase(it);
  }
  return out;
}

}  // namespace orcjit::jit
