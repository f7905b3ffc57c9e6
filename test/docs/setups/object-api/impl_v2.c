/* Also defines add, differently (sum + 1000): isolation between libraries. */
#include "common.h"

int64_t math_mul(int64_t a, int64_t b) { return a * b * 2; }

SAFE_CALL(add) {
  EXPECT_ARGS("add", 2);
  set_int(result, args[0].v_int64 + args[1].v_int64 + 1000);
  return 0;
}

SAFE_CALL(version) {
  set_int(result, 2);
  return 0;
}
