// Shared by the runtime-sweep cases: each case defines `static int64_t body(void)` and
// SWEEP_CASE(body) exports it as the TVM-FFI function `run` (no arguments, returns an int).
// The expected result is stated in the case's "expect:" line (test/jit/runtime-sweep.test.ts).
#pragma once
#include <stdint.h>
#include <tvm/ffi/c_api.h>

#ifdef __cplusplus
#define SWEEP_EXTERN extern "C"
#else
#define SWEEP_EXTERN
#endif

#define SWEEP_CASE(body)                                                                   \
  SWEEP_EXTERN int __tvm_ffi_run(void* self, const TVMFFIAny* args, int32_t n,             \
                                 TVMFFIAny* ret) {                                         \
    (void)self, (void)args, (void)n;                                                       \
    ret->type_index = kTVMFFIInt;                                                          \
    ret->zero_padding = 0;                                                                 \
    ret->v_int64 = body();                                                                 \
    return 0;                                                                              \
  }
