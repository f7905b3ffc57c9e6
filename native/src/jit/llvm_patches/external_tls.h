// External thread-local variables through the general-dynamic TLS model (x86-64): code
// compiled with -fPIC reaches a thread_local defined in a shared library of the host (e.g.
// libstdc++'s std::__once_callable, used by std::call_once) with
//     lea  tls_index(%rip), %rdi      ; R_X86_64_TLSGD
//     call __tls_get_addr@PLT
// where tls_index = { module id, offset } is normally filled by the dynamic loader.
// Without the ORC platform runtime, JITLink has nothing to point that lea at. This plugin
// builds the 16-byte tls_index in JIT memory (module id and offset of the variable in its
// module's TLS block, found with dlsym and dl_iterate_phdr) and points the lea there; the
// call goes to the host's real __tls_get_addr, so every thread gets its own instance.
// A variable no host module defines as thread-local fails the link naming it.
// Thread-locals defined by the JIT objects themselves stay unsupported (PrepareObject).
#pragma once
#include "llvm/ExecutionEngine/JITLink/JITLink.h"

namespace orcjit::jit {

/// The pass (x86-64, pre-prune: before JITLink's TLS table pass sees the edges).
llvm::Error RewriteGeneralDynamicTls(llvm::jitlink::LinkGraph& g);

}  // namespace orcjit::jit
