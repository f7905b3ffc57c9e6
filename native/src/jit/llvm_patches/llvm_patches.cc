#include "jit/llvm_patches/llvm_patches.h"

#include "jit/llvm_patches/eh_frame_fix.h"
#include "jit/llvm_patches/external_tls.h"
#include "jit/llvm_patches/far_function_stubs.h"
#include "jit/llvm_patches/gotpcrelx_fix.h"

namespace orcjit::jit {

void AddLlvmPatches(llvm::orc::ObjectLinkingLayer& layer) {
  layer.addPlugin(std::make_shared<EHFrameLayoutFixPlugin>());
  layer.addPlugin(std::make_shared<GotPcRelXFixPlugin>());
  layer.addPlugin(std::make_shared<ExternalTlsPlugin>());
  layer.addPlugin(std::make_shared<FarFunctionStubsPlugin>());
}

}  // namespace orcjit::jit
