// Seed 000 (early TVM-FFI OrcJIT README), "Troubleshooting / Symbol not found errors", verbatim
// (including the old header name <tvm/ffi/c_ffi_api.h>).
#include <tvm/ffi/c_ffi_api.h>

TVM_FFI_DLL_EXPORT_TYPED_FUNC(my_function, [](int a, int b) {
    return a + b;
});
