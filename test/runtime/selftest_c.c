/* Pure C99 half of the runtime self-test: uses c_api.h the way pure-C kernels do (the header
 * must compile as C; calls go through the exported functions). */
#include <stdlib.h>
#include <string.h>
#include <tvm/ffi/c_api.h>
#include <tvm/ffi/extra/c_env_api.h>

/* A safe-call symbol like a pure-C kernel's __tvm_ffi_add_c. */
int selftest_c_add(void* handle, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
  (void)handle;
  if (num_args != 2 || args[0].type_index != kTVMFFIInt || args[1].type_index != kTVMFFIInt) {
    TVMFFIErrorSetRaisedFromCStr("TypeError", "add_c expects two ints");
    return -1;
  }
  result->type_index = kTVMFFIInt;
  result->zero_padding = 0;
  result->v_int64 = args[0].v_int64 + args[1].v_int64;
  return 0;
}

/* Library context global, as a pure-C library defines it. */
void* selftest_library_ctx = NULL;

/* Call a global by name from C: GetGlobal -> FunctionCall -> DecRef. Returns the int result or
 * -1000 on failure. */
int64_t selftest_c_call_global(const char* name, int64_t a, int64_t b) {
  TVMFFIByteArray n;
  TVMFFIObjectHandle f = NULL;
  TVMFFIAny args[2];
  TVMFFIAny result;
  int rc;
  n.data = name;
  n.size = strlen(name);
  if (TVMFFIFunctionGetGlobal(&n, &f) != 0 || f == NULL) return -1000;
  memset(args, 0, sizeof(args));
  args[0].type_index = kTVMFFIInt;
  args[0].v_int64 = a;
  args[1].type_index = kTVMFFIInt;
  args[1].v_int64 = b;
  memset(&result, 0, sizeof(result));
  result.type_index = kTVMFFINone;
  rc = TVMFFIFunctionCall(f, args, 2, &result);
  TVMFFIObjectDecRef(f);
  if (rc != 0 || result.type_index != kTVMFFIInt) return -1000;
  return result.v_int64;
}

/* The accessors must be usable from C. */
int32_t selftest_c_ndim(TVMFFIObjectHandle tensor) { return TVMFFITensorGetDLTensorPtr(tensor)->ndim; }
