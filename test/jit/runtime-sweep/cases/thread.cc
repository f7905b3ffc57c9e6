// std::thread: pthread_create through libstdc++, joined before returning.
// expect: 5050
#include <thread>
#include <vector>
#include "sweep.h"
static int64_t body() {
  std::vector<int64_t> parts(4, 0);
  std::vector<std::thread> ts;
  for (int k = 0; k < 4; k++)
    ts.emplace_back([&parts, k] {
      for (int i = k * 25 + 1; i <= (k + 1) * 25; i++) parts[k] += i;
    });
  for (auto& t : ts) t.join();
  return parts[0] + parts[1] + parts[2] + parts[3];
}
SWEEP_CASE(body)
