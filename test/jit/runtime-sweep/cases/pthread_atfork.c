// pthread_atfork (libc_nonshared.a member, unregistered with the library's __dso_handle).
// expect: 0
#include <pthread.h>
#include "sweep.h"
static void nop(void) {}
static int64_t body(void) { return pthread_atfork(nop, nop, nop); }
SWEEP_CASE(body)
