// Debugger support through the GDB JIT interface (gdb and lldb both read it).
//
// When a library is debuggable (created with debug on, or ORCJIT_DEBUGGER=1 /
// SetDebuggerEnabled for every library), each object linked into it is copied, the copy's
// section headers get the addresses where JITLink placed the sections (sh_addr), and the
// copy is added to the list at `__jit_debug_descriptor`; then `__jit_debug_register_code`
// is called, on which an attached debugger has a breakpoint: it reads the object and its
// DWARF as if a shared library had been loaded. When the object's memory is removed
// (dispose, a retired watch generation, session teardown) the entry is taken off the list
// and the debugger told (JIT_UNREGISTER_FN) BEFORE the memory is freed, so the list never
// points at freed code.
//
// Off (the default), the plugin returns at the first check of every object: no copy, no
// list entry. The registered copies also give crash reports their source line
// (SourceLineForJitAddress).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"

namespace orcjit::jit {

class Session;
struct DebugObject;

class DebuggerPlugin : public llvm::orc::ObjectLinkingLayer::Plugin {
 public:
  explicit DebuggerPlugin(Session* session) : session_(session) {}
  ~DebuggerPlugin() override;

  void notifyMaterializing(llvm::orc::MaterializationResponsibility& mr, llvm::jitlink::LinkGraph& g,
                           llvm::jitlink::JITLinkContext& ctx,
                           llvm::MemoryBufferRef object) override;
  void modifyPassConfig(llvm::orc::MaterializationResponsibility& mr, llvm::jitlink::LinkGraph& g,
                        llvm::jitlink::PassConfiguration& config) override;
  llvm::Error notifyEmitted(llvm::orc::MaterializationResponsibility& mr) override;
  llvm::Error notifyFailed(llvm::orc::MaterializationResponsibility& mr) override;
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib& jd, llvm::orc::ResourceKey key) override;
  void notifyTransferringResources(llvm::orc::JITDylib& jd, llvm::orc::ResourceKey dst,
                                   llvm::orc::ResourceKey src) override;

 private:
  Session* session_;
  std::mutex mu_;
  // Objects being linked (by the responsibility that links them), then registered ones by
  // the resource key that owns their memory.
  std::unordered_map<llvm::orc::MaterializationResponsibility*, std::shared_ptr<DebugObject>> linking_;
  std::unordered_map<llvm::orc::ResourceKey, std::vector<std::shared_ptr<DebugObject>>> registered_;
};

/// Whether every library's objects are registered (ORCJIT_DEBUGGER=1, or SetDebuggerEnabled).
bool DebuggerEnabled();
void SetDebuggerEnabled(bool on);

/// Number of entries on the GDB JIT list right now (tests: dispose must unregister).
size_t DebuggerEntryCount();

/// The source file and line of `pc`, from the DWARF of the registered object whose code
/// holds it; false if no registered object covers `pc` or it has no line for it.
bool SourceLineForJitAddress(uintptr_t pc, std::string* file, unsigned* line);

}  // namespace orcjit::jit
