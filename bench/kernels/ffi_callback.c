/* call_js(fn, n): n TVMFFIFunctionCall round trips into a JS function, no arguments. */
#include <tvm/ffi/c_api.h>

TVM_FFI_DLL_EXPORT int __tvm_ffi_call_js(void* h, const TVMFFIAny* args, int32_t n, TVMFFIAny* out) {
  TVMFFIObjectHandle fn = args[0].v_obj;
  int64_t count = args[1].v_int64;
  for (int64_t i = 0; i < count; ++i) {
    TVMFFIAny r;
    r.type_index = kTVMFFINone;
    r.zero_padding = 0;
    r.v_int64 = 0;
    if (TVMFFIFunctionCall(fn, NULL, 0, &r) != 0) return -1;
    if (r.type_index >= kTVMFFIStaticObjectBegin) TVMFFIObjectDecRef(r.v_obj);
  }
  out->type_index = kTVMFFINone;
  out->zero_padding = 0;
  out->v_int64 = 0;
  return 0;
}
