// Seed 000 (early TVM-FFI OrcJIT README), "Incremental Loading": string_ops.o provides
// string_concat("Hello", "World") (the README shows only the Python side).
#include <tvm/ffi/function.h>
#include <tvm/ffi/string.h>

namespace ffi = tvm::ffi;

ffi::String StringConcat(ffi::String a, ffi::String b) { return a + b; }

TVM_FFI_DLL_EXPORT_TYPED_FUNC(string_concat, StringConcat);
