// C++ thread_local with a non-trivial destructor under -femulated-tls: __emutls_get_address
// and __cxa_thread_atexit.
// sweep-flags: -femulated-tls
// sweep-compilers: clang (gcc has no -femulated-tls; its thread_local objects are rejected at load, see tls-far.test.ts)
// expect: 11
#include <string>
#include <thread>
#include "sweep.h"
static thread_local std::string t_name = "main";
static int64_t body() {
  std::string seen;
  std::thread t([&] {
    t_name += "-worker";
    seen = t_name;
  });
  t.join();
  return (int64_t)(seen.size()) + (t_name == "main" ? 0 : 100);  // "main-worker"
}
SWEEP_CASE(body)
