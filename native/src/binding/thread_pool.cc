#include "binding/thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

namespace orcjit::binding {
namespace {

// Never destroyed: at process exit its threads may still be blocked on the queue (or running
// a kernel), and joining or destroying them from a static destructor would hang or abort.
struct Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> queue;  // mu
  std::atomic<size_t> queued{0};            // queue.size(), readable without the lock
  std::atomic<int> spinning{0};             // idle workers spinning (at most one)
  int sleeping = 0;                         // mu: idle workers blocked on cv
  size_t size = 0;  // 0 = not configured yet
  bool started = false;
};

Pool& P() {
  static Pool* p = new Pool();
  return *p;
}

thread_local bool t_pool_thread = false;

size_t DefaultSize() {
  if (const char* s = std::getenv("ORCJIT_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(s, &end, 10);
    if (end != s && *end == '\0' && n > 0 && n <= 1024) return size_t(n);
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? hc : 4;
}

/// How long an idle worker spins for new work before it sleeps: ORCJIT_POOL_SPIN_US, default
/// 0 (off). A call submitted meanwhile (the next `await fn.async()` of a sequential loop) is
/// taken without a futex wake-up of the pool. Off by default because on a machine with more
/// runnable threads than cores it made the round trip 2-4x SLOWER (docs/async.md "Cost"): the
/// spinner holds the core the woken JS thread is placed on. For dedicated cores only.
std::chrono::nanoseconds SpinBudget() {
  static const std::chrono::nanoseconds budget = [] {
    long us = 0;
    if (const char* s = std::getenv("ORCJIT_POOL_SPIN_US")) {
      char* end = nullptr;
      long v = std::strtol(s, &end, 10);
      if (end != s && *end == '\0' && v >= 0 && v <= 100000) us = v;
    }
    return std::chrono::nanoseconds(us * 1000);
  }();
  return budget;
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Spins (one idle worker at a time) until work is queued or the budget runs out.
void SpinForWork(Pool& p) {
  auto budget = SpinBudget();
  if (budget.count() == 0 || p.queued.load(std::memory_order_acquire) != 0) return;
  int none = 0;
  if (!p.spinning.compare_exchange_strong(none, 1)) return;  // another worker spins already
  auto end = std::chrono::steady_clock::now() + budget;
  for (int i = 0; p.queued.load(std::memory_order_acquire) == 0; ++i) {
    CpuRelax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() >= end) break;
  }
  p.spinning.store(0, std::memory_order_release);
}

void Worker() {
  t_pool_thread = true;
  Pool& p = P();
  for (;;) {
    SpinForWork(p);
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(p.mu);
      // Checked under the lock, so a submit never misses a sleeping worker.
      while (p.queue.empty()) {
        ++p.sleeping;
        p.cv.wait(lock);
        --p.sleeping;
      }
      task = std::move(p.queue.front());
      p.queue.pop_front();
      p.queued.store(p.queue.size(), std::memory_order_release);
    }
    task();
  }
}

}  // namespace

size_t PoolSize() {
  Pool& p = P();
  std::lock_guard<std::mutex> lock(p.mu);
  if (!p.size) p.size = DefaultSize();
  return p.size;
}

bool SetPoolSize(size_t n) {
  Pool& p = P();
  std::lock_guard<std::mutex> lock(p.mu);
  if (p.started || n == 0) return false;
  p.size = n;
  return true;
}

void PoolSubmit(std::function<void()> task) {
  Pool& p = P();
  bool wake;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    if (!p.started) {
      if (!p.size) p.size = DefaultSize();
      for (size_t i = 0; i < p.size; ++i) std::thread(Worker).detach();
      p.started = true;
    }
    p.queue.push_back(std::move(task));
    p.queued.store(p.queue.size(), std::memory_order_release);
    // A spinning worker takes one queued task; wake a sleeper for the rest. (A spinner that
    // gives up meanwhile checks the queue under this lock before it sleeps.)
    wake = p.sleeping > 0 && p.queue.size() > size_t(p.spinning.load(std::memory_order_acquire));
  }
  if (wake) p.cv.notify_one();
}

bool OnPoolThread() { return t_pool_thread; }

}  // namespace orcjit::binding
