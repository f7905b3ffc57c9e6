// _Thread_local with -femulated-tls: __emutls_get_address (libgcc).
// sweep-flags: -femulated-tls
// sweep-compilers: clang (gcc has no -femulated-tls; its thread_local objects are rejected at load, see tls-far.test.ts)
// expect: 42
#include "sweep.h"
static _Thread_local int64_t t_value = 40;
static int64_t body(void) {
  t_value += 2;
  int64_t v = t_value;
  t_value = 40;
  return v;
}
SWEEP_CASE(body)
