// JITLink plugin that makes static initialisers and finalisers work without an ORC runtime:
//  - pre-prune: keeps init/fini sections (.init_array*, .fini_array*, .ctors*, .dtors*)
//    alive, except those of COMDAT groups this library discarded (clang emits one
//    .init_array per inline variable inside its group);
//  - post-fixup: reads the fixed-up function pointers and hands them to the library, which
//    runs initialisers after the lookup that linked them and finalisers on dispose.
//  - the library's own __dso_handle graph (Library::Init, linked on first reference): after
//    fixups, hands its address to the library (Library::NoteDsoHandleLinked).
// Section names arrive renamed by PrepareObject ("<name>@<index>[@<signature>]"), which
// is how object and section order stay stable.
#pragma once
#include "jit/graph_pass_plugin.h"

namespace orcjit::jit {

class Session;

class InitFiniPlugin : public GraphPassPlugin {
 public:
  explicit InitFiniPlugin(Session* session) : session_(session) {}
  void modifyPassConfig(llvm::orc::MaterializationResponsibility& mr, llvm::jitlink::LinkGraph& g,
                        llvm::jitlink::PassConfiguration& config) override;

 private:
  Session* session_;
};

}  // namespace orcjit::jit
