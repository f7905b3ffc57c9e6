#include "jit/llvm_patches/gotpcrelx_fix.h"

#include "llvm/ExecutionEngine/JITLink/x86_64.h"

namespace orcjit::jit {

llvm::Error KeepGotCallsIndirect(llvm::jitlink::LinkGraph& g) {
  namespace x64 = llvm::jitlink::x86_64;
  for (auto* block : g.blocks()) {
    if (block->isZeroFill()) continue;
    auto content = block->getContent();
    for (auto& edge : block->edges()) {
      if (edge.getKind() != x64::PCRel32GOTLoadRelaxable) continue;
      auto off = edge.getOffset();
      if (off < 2 || off > content.size()) continue;
      auto op = static_cast<uint8_t>(content[off - 2]);
      auto modrm = static_cast<uint8_t>(content[off - 1]);
      if (op == 0xff && (modrm == 0x15 || modrm == 0x25)) edge.setKind(x64::PCRel32);
    }
  }
  return llvm::Error::success();
}

}  // namespace orcjit::jit
