// Functions exported through the TVM-FFI C ABI. Each TVM_FFI_DLL_EXPORT_TYPED_FUNC line makes
// `name` callable from JavaScript: library("hello").getFunction("add")(1, 2) === 3.
#include <tvm/ffi/function.h>
#include <tvm/ffi/string.h>

#include <string>

namespace {

int64_t add(int64_t a, int64_t b) { return a + b; }

double scale(double x, double factor) { return x * factor; }

tvm::ffi::String greet(tvm::ffi::String name) {
  return tvm::ffi::String("hello, " + std::string(name) + "!");
}

}  // namespace

TVM_FFI_DLL_EXPORT_TYPED_FUNC(add, add);
TVM_FFI_DLL_EXPORT_TYPED_FUNC(scale, scale);
TVM_FFI_DLL_EXPORT_TYPED_FUNC(greet, greet);
