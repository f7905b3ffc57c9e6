// 16-byte C11 atomics: __atomic_load_16/__atomic_compare_exchange_16 (libatomic) unless
// the compiler inlines cmpxchg16b.
// expect: 1
#include <stdatomic.h>
#include "sweep.h"
typedef struct {
  int64_t a, b;
} Pair;
static _Atomic Pair g_pair;
static int64_t body(void) {
  Pair p = {1, 2};
  atomic_store(&g_pair, p);
  Pair q = atomic_load(&g_pair);
  Pair want = {1, 2}, next = {3, 4};
  int ok = atomic_compare_exchange_strong(&g_pair, &want, next);
  Pair r = atomic_exchange(&g_pair, p);
  return q.a == 1 && q.b == 2 && ok && r.a == 3 && r.b == 4;
}
SWEEP_CASE(body)
