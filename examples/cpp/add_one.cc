// Seed 002 (TVM-FFI "Python Binding and Packaging" guide), "Directly using Exported Library",
// verbatim.
// Compiles to mylib.so
#include <tvm/ffi/function.h>

int add_one(int x) {
  return x + 1;
}

TVM_FFI_DLL_EXPORT_TYPED_FUNC(add_one, add_one)
