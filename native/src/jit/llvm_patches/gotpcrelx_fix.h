// Workaround for an LLVM JITLink x86_64 defect (seen on LLVM 22.1; likely all versions):
// optimizeGOTAndStubAccesses relaxes a GOT-indirect `call/jmp *sym@GOTPCREL(%rip)`
// (R_X86_64_GOTPCRELX, emitted with -fno-plt) into a direct `call/jmp rel32` whenever the
// *absolute* target address fits in 32 bits, then writes the absolute address as if it were
// PC-relative. The node executable is non-PIE (its functions live below 4 GiB), so a call
// from JIT code to e.g. uv_version() jumped to a garbage address and crashed.
//
// Fix: after JITLink builds the GOT (post-prune), GOTPCRELX edges on call/jmp instructions
// (opcode ff 15 / ff 25) become plain PCRel32 edges to their GOT entry, so they stay
// indirect. Loads (mov/test/..., REX forms) keep their relaxation, which is correct.
// Removal: when JITLink checks the PC-relative displacement for call/jmp relaxation.
#pragma once
#include "llvm/ExecutionEngine/JITLink/JITLink.h"

namespace orcjit::jit {

/// The pass (x86-64, post-prune: after JITLink built the GOT).
llvm::Error KeepGotCallsIndirect(llvm::jitlink::LinkGraph& g);

}  // namespace orcjit::jit
