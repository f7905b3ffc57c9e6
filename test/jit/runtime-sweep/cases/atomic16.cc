// std::atomic of a 16-byte struct (the reported g++ case: __atomic_load_16 from libatomic).
// expect: 1
#include <atomic>
#include "sweep.h"
struct Pair {
  int64_t a, b;
};
static std::atomic<Pair> g_pair;
static int64_t body() {
  g_pair.store({1, 2});
  Pair want{1, 2};
  bool ok = g_pair.compare_exchange_strong(want, Pair{3, 4});
  Pair now = g_pair.load();
  return ok && now.a == 3 && now.b == 4;
}
SWEEP_CASE(body)
