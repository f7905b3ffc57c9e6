// CPU feature checks: __builtin_cpu_init/__builtin_cpu_supports/__builtin_cpu_is read
// __cpu_model and __cpu_features2, which only libgcc.a (or compiler-rt) defines.
// expect: 1
#include "sweep.h"
static int64_t body(void) {
  __builtin_cpu_init();
  int sse2 = __builtin_cpu_supports("sse2") != 0;  // every x86-64 CPU
  int avx2 = __builtin_cpu_supports("avx2") != 0;
  int high = __builtin_cpu_supports("avx512vp2intersect") != 0;  // a bit in __cpu_features2
  int vendor = __builtin_cpu_is("intel") || __builtin_cpu_is("amd") || 1;
  return sse2 && (avx2 | 1) && (high | 1) && vendor;
}
SWEEP_CASE(body)
