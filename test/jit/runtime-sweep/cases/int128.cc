// 128-bit arithmetic in C++ templates: to_string of the halves, division and shifts.
// expect: 1
#include <string>
#include "sweep.h"
template <typename T>
static T divmod(T a, T b, T* r) {
  *r = a % b;
  return a / b;
}
static int64_t body() {
  volatile unsigned __int128 a = (unsigned __int128)123456789 * 1000000007 * 998244353;
  unsigned __int128 r = 0, q = divmod<unsigned __int128>(a, 998244353, &r);
  return r == 0 && std::to_string((unsigned long long)q) == "123456789864197523";
}
SWEEP_CASE(body)
