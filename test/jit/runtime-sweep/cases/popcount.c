// __builtin_popcount/parity without -mpopcnt: __popcountdi2/__paritydi2 (libgcc) at -O0.
// expect: 36
#include "sweep.h"
static int64_t body(void) {
  volatile unsigned long long x = 0xF0F0F0F0F0F0F0F0ull, y = 0x7;
  volatile unsigned int w = 0xFF;
  return __builtin_popcountll(x) + __builtin_popcountll(y) + __builtin_parityll(y) - 8 +
         __builtin_popcount(w);  // 32 + 3 + 1 - 8 + 8
}
SWEEP_CASE(body)
