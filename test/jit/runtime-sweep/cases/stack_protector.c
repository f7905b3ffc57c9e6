// -fstack-protector-all: the canary check (and __stack_chk_fail/__stack_chk_fail_local).
// sweep-flags: -fstack-protector-all
// expect: 45
#include <string.h>
#include "sweep.h"
static int64_t sum(int n) {
  char buf[64];
  memset(buf, 0, sizeof buf);
  for (int i = 0; i < n; i++) buf[i] = (char)i;
  int64_t s = 0;
  for (int i = 0; i < n; i++) s += buf[i];
  return s;
}
static int64_t body(void) { return sum(10); }
SWEEP_CASE(body)
