// Position-dependent (-fno-pic) x86-64 objects store function addresses in 32-bit absolute
// fields: `mov $fn, %edi`, and the personality routine in .eh_frame (DW_EH_PE_udata4).
// A normal non-PIE link gives such functions a canonical PLT entry in the executable; here
// host functions live in shared libraries far above 4 GiB. Before fixups, an absolute 32-bit
// reference to a host *function* out of that range is pointed at a jump stub in JIT memory
// (which near_memory.h keeps below 2 GiB next to a non-PIE executable). Host *data* cannot
// be moved: such a reference still fails, and the error names -fPIC (jit_error.cc).
#pragma once
#include "llvm/ExecutionEngine/JITLink/JITLink.h"

namespace orcjit::jit {

/// The pass (x86-64, post-prune).
llvm::Error StubFarFunctions(llvm::jitlink::LinkGraph& g);

}  // namespace orcjit::jit
