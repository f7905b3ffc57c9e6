// JITLink plugins that work around LLVM defects or limitations of linking without the ORC
// platform runtime (README.md in this folder lists each: what it works around, the test
// that fails without it, and when it can go).
#pragma once
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"

namespace orcjit::jit {

/// Adds every patch to `layer`, in the order their passes must run (after the
/// EHFrameRegistrationPlugin, before the init/fini plugin).
void AddLlvmPatches(llvm::orc::ObjectLinkingLayer& layer);

}  // namespace orcjit::jit
