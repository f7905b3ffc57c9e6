// The skeleton of this engine's JITLink plugins: they add passes to each graph's link
// (modifyPassConfig) and, but for perf_map.h, keep no state per resource, so the resource
// notifications ORC requires of every plugin are empty, here, once.
#pragma once
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"

namespace orcjit::jit {

class GraphPassPlugin : public llvm::orc::ObjectLinkingLayer::Plugin {
 public:
  llvm::Error notifyFailed(llvm::orc::MaterializationResponsibility&) override {
    return llvm::Error::success();
  }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey,
                                   llvm::orc::ResourceKey) override {}
};

}  // namespace orcjit::jit
