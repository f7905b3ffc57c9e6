#include "jit/llvm_patches/llvm_patches.h"

#include <cstdlib>

#include "jit/graph_pass_plugin.h"
#include "jit/llvm_patches/eh_frame_fix.h"
#include "jit/llvm_patches/external_tls.h"
#include "jit/llvm_patches/far_function_stubs.h"
#include "jit/llvm_patches/gotpcrelx_fix.h"

namespace orcjit::jit {
namespace {

/// One patch: a graph pass, when it runs, and on which target.
struct Patch {
  enum Stage { kPrePrune, kPostPrune } stage;
  bool x86_64_only;
  llvm::Error (*pass)(llvm::jitlink::LinkGraph&);
};

/// The plugin every patch is: adds its pass to each graph's link.
class PatchPlugin : public GraphPassPlugin {
 public:
  explicit PatchPlugin(Patch patch) : patch_(patch) {}
  void modifyPassConfig(llvm::orc::MaterializationResponsibility&, llvm::jitlink::LinkGraph& g,
                        llvm::jitlink::PassConfiguration& config) override {
    if (patch_.x86_64_only && g.getTargetTriple().getArch() != llvm::Triple::x86_64) return;
    auto& passes = patch_.stage == Patch::kPrePrune ? config.PrePrunePasses : config.PostPrunePasses;
    passes.push_back(patch_.pass);
  }

 private:
  Patch patch_;
};

}  // namespace

void AddLlvmPatches(llvm::orc::ObjectLinkingLayer& layer) {
  // Diagnostic switch (docs/internals.md): reproduces the .eh_frame defect.
  static const bool eh_frame_fix_off = std::getenv("ORCJIT_DISABLE_EH_FRAME_FIX") != nullptr;
  const Patch patches[] = {
      {Patch::kPostPrune, false, eh_frame_fix_off ? nullptr : PackEHFrame},
      {Patch::kPostPrune, true, KeepGotCallsIndirect},
      {Patch::kPrePrune, true, RewriteGeneralDynamicTls},
      {Patch::kPostPrune, true, StubFarFunctions},
  };
  for (const Patch& p : patches)
    if (p.pass) layer.addPlugin(std::make_shared<PatchPlugin>(p));
}

}  // namespace orcjit::jit
