// atexit/at_quick_exit (libc_nonshared.a members, bound to the library's __dso_handle).
// expect: 0
#include <stdlib.h>
#include "sweep.h"
static void on_exit_fn(void) {}
static int64_t body(void) { return atexit(on_exit_fn) + at_quick_exit(on_exit_fn); }
SWEEP_CASE(body)
