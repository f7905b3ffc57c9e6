/* Helpers shared by the C fixtures (safe-call functions written against c_api.h only). */
#ifndef ORCJIT_TEST_COMMON_H_
#define ORCJIT_TEST_COMMON_H_
#include <tvm/ffi/c_api.h>

#define SAFE_CALL(name) \
  TVM_FFI_DLL_EXPORT int __tvm_ffi_##name(void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result)

#define EXPECT_ARGS(fname, n)                                                          \
  do {                                                                                 \
    if (num_args != (n)) {                                                             \
      TVMFFIErrorSetRaisedFromCStr("TypeError", fname ": wrong number of arguments"); \
      return -1;                                                                       \
    }                                                                                  \
  } while (0)

static inline void set_int(TVMFFIAny* out, int64_t v) {
  out->type_index = kTVMFFIInt;
  out->zero_padding = 0;
  out->v_int64 = v;
}
#endif
