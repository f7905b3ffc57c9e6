// Registration hub of the addon: each binding file contributes its exports here.
#include <napi.h>

#include "llvm/Support/TargetSelect.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

NODE_API_MODULE(tvm_ffi_orcjit, Init)
