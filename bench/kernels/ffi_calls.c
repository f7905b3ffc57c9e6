/* TVM-FFI safe-call kernels for the pure-call figures, written against the C ABI only
 * (no C++ headers). Same work as kernels/plain.c. */
#include <tvm/ffi/c_api.h>

/* noop, add, f32_len: the link figure's fixed object (link.c), shared rather than copied. */
#include "link.c"

/* One 1-D float32 tensor argument: returns element 0 (the same work as plain.c's
 * bench_f32_first). */
TVM_FFI_DLL_EXPORT int __tvm_ffi_f32_first(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  const DLTensor* t;
  if (args[0].type_index == kTVMFFIDLTensorPtr) {
    t = (const DLTensor*)args[0].v_ptr;
  } else {
    t = (const DLTensor*)((const char*)args[0].v_obj + sizeof(TVMFFIObject));
  }
  out->type_index = kTVMFFIFloat;
  out->zero_padding = 0;
  out->v_float64 = ((const float*)t->data)[0];
  return 0;
}

/* add with hand-written export metadata (int, int) -> int: calls are checked by the binding. */
TVM_FFI_DLL_EXPORT int __tvm_ffi_add_typed(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  return __tvm_ffi_add(h, args, n, out);
}
#ifndef BENCH_PLAIN_SO /* bench/build.js: the dlopen baselines' .so has no runtime to link */
TVM_FFI_DLL_EXPORT int __tvm_ffi__metadata_add_typed(void* h, const TVMFFIAny* a, int32_t n, TVMFFIAny* out) {
  static const char s[] =
      "{\"type_schema\": \"{\\\"type\\\":\\\"ffi.Function\\\",\\\"args\\\":[{\\\"type\\\":\\\"int\\\"},"
      "{\\\"type\\\":\\\"int\\\"},{\\\"type\\\":\\\"int\\\"}]}\"}";
  TVMFFIByteArray b = {s, sizeof(s) - 1};
  return TVMFFIStringFromByteArray(&b, out);
}
#endif

/* Sum of an ffi.Array of Int (what ffi::Array<int64_t> reads): the container argument cost. */
TVM_FFI_DLL_EXPORT int __tvm_ffi_sum_array(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  const TVMFFISeqCell* cell = (const TVMFFISeqCell*)((const char*)args[0].v_obj + sizeof(TVMFFIObject));
  const TVMFFIAny* items = (const TVMFFIAny*)cell->data;
  int64_t s = 0;
  for (int64_t i = 0; i < cell->size; ++i) s += items[i].v_int64;
  out->type_index = kTVMFFIInt;
  out->zero_padding = 0;
  out->v_int64 = s;
  return 0;
}

/* sum_array with metadata (ffi.Array<int>) -> int: elements checked by the binding. */
TVM_FFI_DLL_EXPORT int __tvm_ffi_sum_array_typed(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  return __tvm_ffi_sum_array(h, args, n, out);
}
#ifndef BENCH_PLAIN_SO /* bench/build.js: the dlopen baselines' .so has no runtime to link */
TVM_FFI_DLL_EXPORT int __tvm_ffi__metadata_sum_array_typed(void* h, const TVMFFIAny* a, int32_t n, TVMFFIAny* out) {
  static const char s[] =
      "{\"type_schema\": \"{\\\"type\\\":\\\"ffi.Function\\\",\\\"args\\\":[{\\\"type\\\":\\\"int\\\"},"
      "{\\\"type\\\":\\\"ffi.Array\\\",\\\"args\\\":[{\\\"type\\\":\\\"int\\\"}]}]}\"}";
  TVMFFIByteArray b = {s, sizeof(s) - 1};
  return TVMFFIStringFromByteArray(&b, out);
}
#endif

/* Sum of an ffi.Array of Float (what ffi::Array<double> holds), metadata (ffi.Array<float>) -> float:
   integral JS numbers are converted to Float elements by the binding. */
TVM_FFI_DLL_EXPORT int __tvm_ffi_sum_floats_typed(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  const TVMFFISeqCell* cell = (const TVMFFISeqCell*)((const char*)args[0].v_obj + sizeof(TVMFFIObject));
  const TVMFFIAny* items = (const TVMFFIAny*)cell->data;
  double s = 0;
  for (int64_t i = 0; i < cell->size; ++i) s += items[i].type_index == kTVMFFIFloat ? items[i].v_float64 : -1e9;
  out->type_index = kTVMFFIFloat;
  out->zero_padding = 0;
  out->v_float64 = s;
  return 0;
}
#ifndef BENCH_PLAIN_SO /* bench/build.js: the dlopen baselines' .so has no runtime to link */
TVM_FFI_DLL_EXPORT int __tvm_ffi__metadata_sum_floats_typed(void* h, const TVMFFIAny* a, int32_t n, TVMFFIAny* out) {
  static const char s[] =
      "{\"type_schema\": \"{\\\"type\\\":\\\"ffi.Function\\\",\\\"args\\\":[{\\\"type\\\":\\\"float\\\"},"
      "{\\\"type\\\":\\\"ffi.Array\\\",\\\"args\\\":[{\\\"type\\\":\\\"float\\\"}]}]}\"}";
  TVMFFIByteArray b = {s, sizeof(s) - 1};
  return TVMFFIStringFromByteArray(&b, out);
}
#endif

/* Sum of a 1-D int64 tensor view (the zero-copy alternative to an array of ints). */
TVM_FFI_DLL_EXPORT int __tvm_ffi_sum_i64(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  const DLTensor* t = (const DLTensor*)args[0].v_ptr;
  int64_t s = 0;
  for (int64_t i = 0; i < t->shape[0]; ++i) s += ((const int64_t*)t->data)[i];
  out->type_index = kTVMFFIInt;
  out->zero_padding = 0;
  out->v_int64 = s;
  return 0;
}
