#include "binding/thread_pool.h"

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
  std::deque<std::function<void()>> queue;
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

void Worker() {
  t_pool_thread = true;
  Pool& p = P();
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(p.mu);
      p.cv.wait(lock, [&] { return !p.queue.empty(); });
      task = std::move(p.queue.front());
      p.queue.pop_front();
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
  {
    std::lock_guard<std::mutex> lock(p.mu);
    if (!p.started) {
      if (!p.size) p.size = DefaultSize();
      for (size_t i = 0; i < p.size; ++i) std::thread(Worker).detach();
      p.started = true;
    }
    p.queue.push_back(std::move(task));
  }
  p.cv.notify_one();
}

bool OnPoolThread() { return t_pool_thread; }

}  // namespace orcjit::binding
