// Seed 004 (JAX TVM FFI README): the `cpp_sources` of tvm_ffi.cpp.load_inline, verbatim,
// wrapped the way load_inline wraps it (the five includes first, one export line per function).
#include <tvm/ffi/container/tensor.h>
#include <tvm/ffi/dtype.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/extra/c_env_api.h>
#include <tvm/ffi/function.h>


        void add_one_cpu(tvm::ffi::TensorView x, tvm::ffi::TensorView y) {
            TVM_FFI_ICHECK(x->ndim == 1) << "x must be a 1D tensor";
            DLDataType f32_dtype{kDLFloat, 32, 1};
            TVM_FFI_ICHECK(x->dtype == f32_dtype) << "x must be a float tensor";
            TVM_FFI_ICHECK(y->ndim == 1) << "y must be a 1D tensor";
            TVM_FFI_ICHECK(y->dtype == f32_dtype) << "y must be a float tensor";
            TVM_FFI_ICHECK(x->shape[0] == y->shape[0]) << "x and y must have the same shape";
            for (int i = 0; i < x->shape[0]; ++i) {
                static_cast<float*>(y->data)[i] = static_cast<float*>(x->data)[i] + 1;
            }
        }
    
TVM_FFI_DLL_EXPORT_TYPED_FUNC(add_one_cpu, add_one_cpu);
