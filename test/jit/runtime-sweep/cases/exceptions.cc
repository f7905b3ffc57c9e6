// An exception thrown in one object and caught in another (typeinfo, personality, unwinding
// through JIT frames).
// sweep-also: exceptions_thrower.cc
// expect: 7
#include <stdexcept>
#include "sweep.h"
#include "sweep_eh.h"
static int64_t body() {
  try {
    sweep_throw(7);
  } catch (const SweepError& e) {
    return e.code;
  } catch (...) {
    return -1;
  }
  return -2;
}
SWEEP_CASE(body)
