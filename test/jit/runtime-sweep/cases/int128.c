// 128-bit division and modulo: __divti3/__modti3/__udivti3 (libgcc) unless inlined.
// expect: 1
#include "sweep.h"
static int64_t body(void) {
  volatile __int128 a = ((__int128)1 << 100) + 12345, b = 1000003;
  volatile unsigned __int128 ua = ~(unsigned __int128)0, ub = 7;
  __int128 q = a / b, r = a % b;
  unsigned __int128 uq = ua / ub;
  return q * b + r == a && uq * 7 + ua % ub == ua;
}
SWEEP_CASE(body)
