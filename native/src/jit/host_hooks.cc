#include "jit/host_hooks.h"

#include <pthread.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

extern "C" int __cxa_atexit(void (*fn)(void*), void* arg, void* dso);           // NOLINT
extern "C" int __cxa_at_quick_exit(void (*fn)(), void* dso);                     // NOLINT
extern "C" int __register_atfork(void (*)(), void (*)(), void (*)(), void* dso);  // NOLINT

namespace orcjit::jit {
namespace {

struct QuickRecord {
  void* dso;
  void (*fn)();
};
struct AtforkRecord {
  void* dso;
  void (*prepare)();
  void (*parent)();
  void (*child)();
};

struct Tables {
  std::unordered_map<void*, std::vector<AtexitRecord>> atexit;  // key set = live libraries
  std::vector<QuickRecord> quick;                                // registration order
  std::vector<AtforkRecord> atfork;                              // registration order
};

std::mutex& Mu() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}
Tables& T() {
  static auto* t = new Tables();
  return *t;
}

void RunQuickExitHandlers() {
  std::vector<QuickRecord> todo;
  {
    std::lock_guard<std::mutex> lock(Mu());
    todo.swap(T().quick);
  }
  for (auto it = todo.rbegin(); it != todo.rend(); ++it) it->fn();
}

// The handlers of one fork, taken in the prepare step (the child inherits this thread's copy).
thread_local std::vector<AtforkRecord>* t_forking = nullptr;

void ForkPrepare() {
  auto* list = new std::vector<AtforkRecord>();
  {
    std::lock_guard<std::mutex> lock(Mu());
    *list = T().atfork;
  }
  t_forking = list;
  for (auto it = list->rbegin(); it != list->rend(); ++it)
    if (it->prepare) it->prepare();
}
void ForkAfter(bool child) {
  std::vector<AtforkRecord>* list = t_forking;
  t_forking = nullptr;
  if (!list) return;
  for (auto& r : *list)
    if (auto fn = child ? r.child : r.parent) fn();
  delete list;
}
void ForkParent() { ForkAfter(false); }
void ForkChild() { ForkAfter(true); }

}  // namespace

extern "C" int OrcjitCxaAtexit(void (*fn)(void*), void* arg, void* dso) {
  {
    std::lock_guard<std::mutex> lock(Mu());
    auto it = T().atexit.find(dso);
    if (it != T().atexit.end()) {
      it->second.push_back({fn, arg});
      return 0;
    }
  }
  // Not one of ours (e.g. a NULL dso): let the C runtime run it at exit.
  return __cxa_atexit(fn, arg, dso);
}

extern "C" int OrcjitCxaAtQuickExit(void (*fn)(), void* dso) {
  static std::once_flag once;
  {
    std::lock_guard<std::mutex> lock(Mu());
    if (!T().atexit.count(dso)) return __cxa_at_quick_exit(fn, dso);
    T().quick.push_back({dso, fn});
  }
  std::call_once(once, [] { at_quick_exit(RunQuickExitHandlers); });
  return 0;
}

extern "C" int OrcjitRegisterAtfork(void (*prepare)(), void (*parent)(), void (*child)(), void* dso) {
  static std::once_flag once;
  {
    std::lock_guard<std::mutex> lock(Mu());
    if (!T().atexit.count(dso)) return __register_atfork(prepare, parent, child, dso);
    T().atfork.push_back({dso, prepare, parent, child});
  }
  std::call_once(once, [] { pthread_atfork(ForkPrepare, ForkParent, ForkChild); });
  return 0;
}

void RegisterDso(void* dso) {
  std::lock_guard<std::mutex> lock(Mu());
  T().atexit[dso];
}

std::vector<AtexitRecord> UnregisterDso(void* dso) {
  std::lock_guard<std::mutex> lock(Mu());
  std::vector<AtexitRecord> out;
  auto& t = T();
  auto it = t.atexit.find(dso);
  if (it != t.atexit.end()) {
    out = std::move(it->second);
    t.atexit.erase(it);
  }
  t.quick.erase(std::remove_if(t.quick.begin(), t.quick.end(), [dso](const QuickRecord& r) { return r.dso == dso; }),
                t.quick.end());
  t.atfork.erase(std::remove_if(t.atfork.begin(), t.atfork.end(), [dso](const AtforkRecord& r) { return r.dso == dso; }),
                 t.atfork.end());
  return out;
}

}  // namespace orcjit::jit
