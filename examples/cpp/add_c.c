/* Seed 001 (TVM-FFI OrcJIT README), "Writing Functions for OrcJIT" / Pure C, verbatim.
   Compile: clang -O2 -c -o example.o example.c */
#include <tvm/ffi/c_api.h>

TVM_FFI_DLL_EXPORT int __tvm_ffi_add(
    void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
  result->type_index = kTVMFFIInt;
  result->v_int64 = args[0].v_int64 + args[1].v_int64;
  return 0;
}
