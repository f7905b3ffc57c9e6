// _Float16 arithmetic: __extendhfsf2/__truncsfhf2 (libgcc) without native FP16 support.
// expect: 35
#include "sweep.h"
static int64_t body(void) {
  volatile _Float16 a = 1.5f16, b = 2.25f16;
  volatile float c = 10.0f;
  _Float16 s = (_Float16)(a * b + (_Float16)c);  // 13.375
  volatile double d = s;
  return (int64_t)(d * 2.0 + 8.25);  // 35
}
SWEEP_CASE(body)
