#include "binding/thread_pool.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
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
  // An idle worker spinning for work (at most one). Set without the lock, cleared only under
  // it after the spinner's last look at the queue, so a submit that sees it set knows the
  // spinner will take the task and need not wake a sleeper.
  std::atomic<int> spinning{0};
  // When a worker last became idle, and the gap from there to the next submit (SpinForWork).
  std::atomic<int64_t> idle_since{0};
  std::atomic<int64_t> last_gap{0};
  std::atomic<int64_t> quiet_until{0};  // no spinning before (a yield showed contention)
  std::atomic<int64_t> next_load_check{0};  // Oversubscribed(): when to look again
  std::atomic<int> oversubscribed_seen{0};  // consecutive checks that found it oversubscribed
  int sleeping = 0;                 // mu: idle workers blocked on cv
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

// Why spin at all: waking a sleeping thread costs a futex wake-up, and on virtual machines
// a wake-up of an idle vCPU costs ~20 us (measured on the CI VM: a sequential async no-op took
// 45 us with both threads sleeping per call, 4-5 us when the worker spins). Spinning is
// bounded so an idle process burns no CPU (docs/async.md "Cost"):
//   - only after a task finished (async calls were just made), one worker at a time;
//   - for the maximum (ORCJIT_POOL_SPIN_US, default kDefaultMaxSpinUs; 0 = never spin) when the
//     last idle gap (a task finished -> the next submit) would have fit in it, else kMinSpin
//     (a caller that comes back slower is not worth a core; one that speeds up is seen again);
//   - pure pause only for the first kPureSpin, then sched_yield() between looks, so a thread
//     that wants this core gets it; losing the core for kContended (a yield that ran someone
//     else, or a preemption) means the machine has more runnable threads than cores: stop at
//     once, and spin no more for kQuietAfterContention (then one spin probes again);
//   - not while more threads are runnable machine-wide than there are cores (/proc/loadavg,
//     read at most every kQuietAfterContention, two readings in a row): a spinner with a core to itself is never
//     preempted, yet it makes the scheduler keep the JS thread sharing the other core with
//     someone else (measured: 7.6 -> 14 us with one busy process on 2 cores).
constexpr int64_t kDefaultMaxSpinUs = 200;
constexpr int64_t kMinSpin = 10'000;       // ns
constexpr int64_t kPureSpin = 5'000;       // ns
constexpr int64_t kContended = 30'000;     // ns
constexpr int64_t kQuietAfterContention = 10'000'000;  // ns

/// True when more threads are runnable than there are cores (the spinner counts itself, and
/// the JS thread that will submit the next call): spinning would take a core someone needs.
bool Oversubscribed() {
  static const long cores = [] {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
  }();
  int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  // "0.52 0.58 0.59 3/134 10847": the fourth field is runnable/total scheduling entities
  const char* p = buf;
  for (int field = 0; field < 3 && p; ++field) {
    p = std::strchr(p, ' ');
    if (p) ++p;
  }
  if (!p) return false;
  return std::strtol(p, nullptr, 10) > cores;
}

/// The spin budget's maximum in ns (ORCJIT_POOL_SPIN_US; read once).
int64_t MaxSpin() {
  static const int64_t max = [] {
    int64_t us = kDefaultMaxSpinUs;
    if (const char* s = std::getenv("ORCJIT_POOL_SPIN_US")) {
      char* end = nullptr;
      long v = std::strtol(s, &end, 10);
      if (end != s && *end == '\0' && v >= 0 && v <= 100000) us = v;
    }
    return us * 1000;
  }();
  return max;
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// After a task: spins (one idle worker at a time) until work is queued or the budget runs
/// out. Returns with p.spinning still set when this worker spins: the caller clears it under
/// the lock after its last look at the queue.
bool SpinForWork(Pool& p) {
  const int64_t max = MaxSpin();
  if (max == 0 || p.queued.load(std::memory_order_acquire) != 0) return false;
  const int64_t start = NowNs();
  if (start < p.quiet_until.load(std::memory_order_relaxed)) return false;
  int none = 0;
  if (!p.spinning.compare_exchange_strong(none, 1)) return false;  // another worker spins
  if (start >= p.next_load_check.load(std::memory_order_relaxed)) {
    p.next_load_check.store(start + kQuietAfterContention, std::memory_order_relaxed);
    // Two readings in a row: one extra runnable thread for an instant (a GC helper, a cron
    // job) must not stop spinning on an otherwise idle machine.
    int seen = Oversubscribed() ? p.oversubscribed_seen.fetch_add(1) + 1 : 0;
    if (seen == 0) p.oversubscribed_seen.store(0, std::memory_order_relaxed);
    if (seen >= 2) {
      p.quiet_until.store(start + kQuietAfterContention, std::memory_order_relaxed);
      return true;  // spinning is set: the caller clears it under the lock
    }
  }
  // Spin the full budget when the last idle gap (a task finished -> the next was submitted)
  // would have fit in it, else only briefly: a slow caller is not worth a core.
  const int64_t budget = p.last_gap.load(std::memory_order_relaxed) <= max ? max : std::min(kMinSpin, max);
  int64_t last = start;  // the previous clock reading: a long gap since means we lost the core
  for (int i = 0; p.queued.load(std::memory_order_acquire) == 0; ++i) {
    if ((i & 31) != 31) {
      CpuRelax();
      continue;
    }
    int64_t now = NowNs();
    if (now - last >= kContended) {  // preempted, or a yield ran someone else: oversubscribed
      p.quiet_until.store(now + kQuietAfterContention, std::memory_order_relaxed);
      break;
    }
    if (now - start >= budget) break;
    // The yield's own duration shows in the next reading's gap (`last` is taken before it).
    if (now - start >= kPureSpin) sched_yield();
    last = now;
  }
  return true;
}

void Worker() {
  t_pool_thread = true;
  Pool& p = P();
  bool ran = false;  // spin only after a task: an idle process never spins
  for (;;) {
    bool spun = ran && SpinForWork(p);
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(p.mu);
      if (spun) p.spinning.store(0, std::memory_order_release);
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
    ran = true;
    p.idle_since.store(NowNs(), std::memory_order_relaxed);
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
  p.last_gap.store(NowNs() - p.idle_since.load(std::memory_order_relaxed), std::memory_order_relaxed);
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

bool PoolHasSpinner() { return P().spinning.load(std::memory_order_relaxed) != 0; }

}  // namespace orcjit::binding
