// Where JIT'd functions are: a JITLink plugin records every defined function of each
// linked object (name, address, size) until its memory is removed. Used to name the kernel
// in crash reports (crash_guard.h) and, with ORCJIT_PERF=1, appended to
// /tmp/perf-<pid>.map ("<hex addr> <hex size> <name>" lines) so `perf report` names
// JIT frames. Node's --perf-basic-prof writes the same file: when it has the file open we
// write through a dup of its descriptor, so both writers share one file offset and neither
// overwrites the other's lines.
#pragma once
#include <cstdint>
#include <string>

#include "jit/graph_pass_plugin.h"

namespace orcjit::jit {

class JitSymbolsPlugin : public GraphPassPlugin {
 public:
  void modifyPassConfig(llvm::orc::MaterializationResponsibility& mr, llvm::jitlink::LinkGraph& g,
                        llvm::jitlink::PassConfiguration& config) override;
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey key) override;
  void notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey dst,
                                   llvm::orc::ResourceKey src) override;
};

/// The JIT function containing `pc` as "name+0xoff", or "" if none is recorded.
std::string SymbolizeJitAddress(uintptr_t pc);

/// Whether perf map lines are written (ORCJIT_PERF=1, or SetPerfMapEnabled).
bool PerfMapEnabled();
void SetPerfMapEnabled(bool on);

}  // namespace orcjit::jit
