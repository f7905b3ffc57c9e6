// std::mutex, std::condition_variable, std::call_once across two threads.
// expect: 2001
#include <condition_variable>
#include <mutex>
#include <thread>
#include "sweep.h"
static int64_t body() {
  std::mutex mu;
  std::condition_variable cv;
  std::once_flag once;
  int64_t count = 0;
  bool ready = false;
  auto work = [&] {
    std::call_once(once, [&] { count += 1; });
    for (int i = 0; i < 1000; i++) {
      std::lock_guard<std::mutex> lock(mu);
      count++;
    }
  };
  std::thread t([&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return ready; });
    lock.unlock();
    work();
  });
  {
    std::lock_guard<std::mutex> lock(mu);
    ready = true;
  }
  cv.notify_one();
  work();
  t.join();
  return count;
}
SWEEP_CASE(body)
