/* Defines add (plain sum) and a C helper for link-order tests. */
#include "common.h"

int64_t math_mul(int64_t a, int64_t b) { return a * b; }

SAFE_CALL(add) {
  EXPECT_ARGS("add", 2);
  set_int(result, args[0].v_int64 + args[1].v_int64);
  return 0;
}

SAFE_CALL(version) {
  set_int(result, 1);
  return 0;
}
