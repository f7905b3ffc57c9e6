/*
 * Compatibility header: early tvm-ffi documentation (the first tvm-ffi-orcjit README) includes
 * <tvm/ffi/c_ffi_api.h> for TVM_FFI_DLL_EXPORT_TYPED_FUNC. It is the C API plus function.h.
 */
#ifndef TVM_FFI_C_FFI_API_H_
#define TVM_FFI_C_FFI_API_H_

#include <tvm/ffi/c_api.h>
#include <tvm/ffi/function.h>

#endif  // TVM_FFI_C_FFI_API_H_
