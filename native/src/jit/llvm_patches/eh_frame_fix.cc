#include "jit/llvm_patches/eh_frame_fix.h"

namespace orcjit::jit {

size_t PackEHFrameRecords(llvm::jitlink::LinkGraph& g) {
  auto* sec = g.findSectionByName(".eh_frame");
  if (!sec) return 0;
  // Only when every record is a whole number of 4-byte words at a 4-byte offset (always the
  // case for well-formed .eh_frame); otherwise leave the layout alone.
  for (auto* block : sec->blocks()) {
    if (block->getSize() % 4 != 0 || block->getAlignmentOffset() % 4 != 0) return 0;
  }
  size_t changed = 0;
  for (auto* block : sec->blocks()) {
    if (block->getAlignment() <= 4) continue;
    block->setAlignment(4);
    block->setAlignmentOffset(0);
    ++changed;
  }
  return changed;
}

llvm::Error PackEHFrame(llvm::jitlink::LinkGraph& g) {
  PackEHFrameRecords(g);
  return llvm::Error::success();
}

}  // namespace orcjit::jit
