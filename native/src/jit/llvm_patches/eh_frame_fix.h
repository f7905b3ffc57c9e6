// Workaround for a JITLink .eh_frame layout defect that made C++ exceptions abort
// (std::terminate) in libraries with several C++ objects (seen on LLVM 22.1.8, libgcc 12).
//
// JITLink splits .eh_frame into one block per CIE/FDE record and each block keeps the
// section's alignment (8) with its original offset modulo 8. When an FDE is dead-stripped
// (typically the FDE of an inline function whose COMDAT copy was discarded because an
// earlier object of the library defines it) and its size is not a multiple of 8, the next
// live record is re-aligned and JITLink inserts 4 zero bytes in front of it. libgcc's
// __register_frame walks the section record by record and takes a zero length word as
// the end of the section, so every FDE after the gap is invisible to the unwinder: a throw
// through those functions finds no FDE and calls std::terminate.
//
// Fix (post-prune, before layout): .eh_frame records only need 4-byte alignment (their
// sizes are multiples of 4), so give every record block alignment 4; the surviving
// records are then laid out back to back and the section stays one contiguous table.
#pragma once
#include "llvm/ExecutionEngine/JITLink/JITLink.h"

namespace orcjit::jit {

/// The pass (post-prune). Off with ORCJIT_DISABLE_EH_FRAME_FIX=1, which reproduces the defect.
llvm::Error PackEHFrame(llvm::jitlink::LinkGraph& g);

/// The pass itself (exposed for tests/diagnostics): returns the number of blocks changed.
size_t PackEHFrameRecords(llvm::jitlink::LinkGraph& g);

}  // namespace orcjit::jit
