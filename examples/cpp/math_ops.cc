// Seed 000 (early TVM-FFI OrcJIT README), "Incremental Loading": math_ops.o provides
// simple_add (the README shows only the Python side; this is the C++ it loads).
#include <tvm/ffi/function.h>

TVM_FFI_DLL_EXPORT_TYPED_FUNC(simple_add, [](int64_t a, int64_t b) { return a + b; });
