/* Resolves math_mul from another library through the link order. */
#include "common.h"

extern int64_t math_mul(int64_t a, int64_t b);

SAFE_CALL(call_math) {
  EXPECT_ARGS("call_math", 2);
  set_int(result, math_mul(args[0].v_int64, args[1].v_int64));
  return 0;
}
