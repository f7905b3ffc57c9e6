// Function-local statics with dynamic initialisation: __cxa_guard_acquire/release, and
// their destructors registered with __cxa_atexit against the library's __dso_handle.
// expect: 3
#include <string>
#include "sweep.h"
static std::string& name() {
  static std::string s(3, 'x');
  return s;
}
static int64_t body() { return (int64_t)name().size(); }
SWEEP_CASE(body)
