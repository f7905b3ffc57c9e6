/* The object of the link-time figure ("JIT-linking an object"), JIT-linked as link.o and
 * dlopen'ed as liblink.so: three small TVM-FFI exports that call nothing. Kept apart from
 * ffi_calls.c, which grows with every call figure (10 functions and a runtime reference
 * by 2026-12): the link row measured a different object each time it did. These are the
 * three functions that row linked on 2026-11-21; ffi_calls.c includes them. */
#include <tvm/ffi/c_api.h>

TVM_FFI_DLL_EXPORT int __tvm_ffi_noop(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  out->type_index = kTVMFFINone;
  out->zero_padding = 0;
  out->v_int64 = 0;
  return 0;
}

TVM_FFI_DLL_EXPORT int __tvm_ffi_add(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  out->type_index = kTVMFFIInt;
  out->zero_padding = 0;
  out->v_int64 = args[0].v_int64 + args[1].v_int64;
  return 0;
}

/* One 1-D tensor argument (DLTensor* view or Tensor object): returns shape[0]. */
TVM_FFI_DLL_EXPORT int __tvm_ffi_f32_len(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  const DLTensor* t;
  if (args[0].type_index == kTVMFFIDLTensorPtr) {
    t = (const DLTensor*)args[0].v_ptr;
  } else {
    t = (const DLTensor*)((const char*)args[0].v_obj + sizeof(TVMFFIObject));
  }
  out->type_index = kTVMFFIInt;
  out->zero_padding = 0;
  out->v_int64 = t->shape[0];
  return 0;
}
