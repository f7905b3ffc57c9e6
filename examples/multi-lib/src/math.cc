#include <tvm/ffi/function.h>

#include "mathlib.h"

namespace mathlib {
int64_t add(int64_t a, int64_t b) { return a + b; }
}  // namespace mathlib

// Also callable from JavaScript directly: library("math").getFunction("add")
TVM_FFI_DLL_EXPORT_TYPED_FUNC(add, mathlib::add);
