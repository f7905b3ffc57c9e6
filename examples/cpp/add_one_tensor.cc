// Seed 002 (TVM-FFI "Python Binding and Packaging" guide), "Exposing C++ Functions": the
// AddOne(TensorView x, TensorView y) export. The guide omits the includes, the namespace and
// the body ("implementation omitted"); they are filled in here (y = x + 1 on float32 tensors).
#include <tvm/ffi/container/tensor.h>
#include <tvm/ffi/dtype.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/function.h>

namespace my_ffi_extension {
namespace ffi = tvm::ffi;

void AddOne(ffi::TensorView x, ffi::TensorView y) {
  TVM_FFI_ICHECK_EQ(x.ndim(), 1) << "x must be a 1D tensor";
  TVM_FFI_ICHECK_EQ(y.ndim(), 1) << "y must be a 1D tensor";
  DLDataType f32_dtype{kDLFloat, 32, 1};
  TVM_FFI_ICHECK(x.dtype() == f32_dtype) << "x must be a float32 tensor";
  TVM_FFI_ICHECK(y.dtype() == f32_dtype) << "y must be a float32 tensor";
  TVM_FFI_ICHECK_EQ(x.size(0), y.size(0)) << "x and y must have the same shape";
  const float* src = static_cast<const float*>(x.data_ptr());
  float* dst = static_cast<float*>(y.data_ptr());
  for (int64_t i = 0; i < x.size(0); ++i) {
    dst[i * y.stride(0)] = src[i * x.stride(0)] + 1;
  }
}

}  // namespace my_ffi_extension

TVM_FFI_DLL_EXPORT_TYPED_FUNC(add_one, my_ffi_extension::AddOne);
