#include "jit/perf_map.h"

#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace orcjit::jit {
namespace {

struct Func {
  uintptr_t end;
  std::string name;
};

std::mutex g_mu;
std::map<uintptr_t, Func> g_funcs;                                   // start -> function
std::unordered_map<llvm::orc::ResourceKey, std::vector<uintptr_t>> g_by_key;  // for removal

std::atomic<int> g_perf{-1};  // -1: not read from the environment yet
int g_perf_fd = -1;           // guarded by g_mu

/// The descriptor to append with: a dup of Node's own perf map descriptor when it has one
/// open (shared offset), else our own O_APPEND descriptor.
int PerfFd() {
  if (g_perf_fd >= 0) return g_perf_fd;
  char path[64];
  std::snprintf(path, sizeof path, "/tmp/perf-%d.map", int(getpid()));
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      char link[80], target[256];
      std::snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
      ssize_t n = readlink(link, target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = 0;
      if (std::strcmp(target, path) == 0) {
        g_perf_fd = dup(std::atoi(e->d_name));
        break;
      }
    }
    closedir(d);
  }
  if (g_perf_fd < 0) g_perf_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return g_perf_fd;
}

}  // namespace

bool PerfMapEnabled() {
  int v = g_perf.load(std::memory_order_relaxed);
  if (v < 0) {
    const char* env = std::getenv("ORCJIT_PERF");
    v = env && std::strcmp(env, "1") == 0;
    g_perf.store(v, std::memory_order_relaxed);
  }
  return v != 0;
}

void SetPerfMapEnabled(bool on) { g_perf.store(on ? 1 : 0, std::memory_order_relaxed); }

void JitSymbolsPlugin::modifyPassConfig(llvm::orc::MaterializationResponsibility& mr,
                                        llvm::jitlink::LinkGraph&,
                                        llvm::jitlink::PassConfiguration& config) {
  // After fixups: final addresses, and the graph still knows local (static) functions.
  config.PostFixupPasses.push_back([&mr](llvm::jitlink::LinkGraph& g) -> llvm::Error {
    std::vector<std::pair<uintptr_t, Func>> funcs;
    for (auto* sym : g.defined_symbols()) {
      if (!sym->hasName() || sym->getName() == nullptr) continue;
      auto prot = static_cast<unsigned>(sym->getBlock().getSection().getMemProt());
      if (!(prot & static_cast<unsigned>(llvm::orc::MemProt::Exec))) continue;
      uintptr_t start = sym->getAddress().getValue();
      size_t size = sym->getSize() ? sym->getSize() : 1;
      funcs.push_back({start, Func{start + size, (*sym->getName()).str()}});
    }
    if (funcs.empty()) return llvm::Error::success();
    std::string lines;
    bool perf = PerfMapEnabled();
    return mr.withResourceKeyDo([&](llvm::orc::ResourceKey key) {
      std::lock_guard<std::mutex> lock(g_mu);
      auto& keyed = g_by_key[key];
      for (auto& [start, f] : funcs) {
        if (perf) {
          char head[48];
          std::snprintf(head, sizeof head, "%zx %zx ", size_t(start), size_t(f.end - start));
          lines += head + f.name + "\n";
        }
        keyed.push_back(start);
        g_funcs[start] = std::move(f);
      }
      if (perf && !lines.empty()) {
        int fd = PerfFd();
        // One write per object: lines of one object are never split by another writer.
        if (fd >= 0 && write(fd, lines.data(), lines.size()) < 0) {
        }
      }
    });
  });
}

llvm::Error JitSymbolsPlugin::notifyRemovingResources(llvm::orc::JITDylib&,
                                                      llvm::orc::ResourceKey key) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_by_key.find(key);
  if (it == g_by_key.end()) return llvm::Error::success();
  for (uintptr_t start : it->second) g_funcs.erase(start);
  g_by_key.erase(it);
  return llvm::Error::success();
}

void JitSymbolsPlugin::notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey dst,
                                                   llvm::orc::ResourceKey src) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_by_key.find(src);
  if (it == g_by_key.end()) return;
  auto moved = std::move(it->second);
  g_by_key.erase(it);
  auto& d = g_by_key[dst];
  d.insert(d.end(), moved.begin(), moved.end());
}

std::string SymbolizeJitAddress(uintptr_t pc) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_funcs.upper_bound(pc);
  if (it == g_funcs.begin()) return "";
  --it;
  if (pc >= it->second.end) return "";
  char off[32];
  std::snprintf(off, sizeof off, "+0x%zx", size_t(pc - it->first));
  return it->second.name + off;
}

}  // namespace orcjit::jit
