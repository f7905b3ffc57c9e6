// Seed 001 (TVM-FFI OrcJIT README), "Writing Functions for OrcJIT" / C++, verbatim.
// Compile: clang++ -std=c++17 -fPIC -O2 -c -o example.o example.cc
#include <tvm/ffi/function.h>

TVM_FFI_DLL_EXPORT_TYPED_FUNC(add, [](int a, int b) {
    return a + b;
});
