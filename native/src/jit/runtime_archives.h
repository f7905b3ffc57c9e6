// What a normal link pulls in besides the shared libraries the host process already has:
//  - static archives: libc_nonshared.a (atexit, at_quick_exit, pthread_atfork,
//    __stack_chk_fail_local: bound to the calling library's __dso_handle) and libgcc.a
//    (__cpu_model, __cpu_indicator_init, __cpu_features2, and helpers libgcc_s lacks);
//  - libatomic.so.1 (__atomic_*_N and the generic __atomic_* calls), loaded on first use.
// Archive members are linked into the library that needs them, like a static link into a
// shared object: each library gets its own copy, its constructors and its __dso_handle.
#pragma once
#include <memory>
#include <string>

#include "llvm/ExecutionEngine/Orc/Core.h"

namespace orcjit::jit {

class Library;

/// Generator for a library's own JITDylib: defines symbols that no other part of the link
/// order can (the host process, the runtime) by adding the archive member that defines them.
/// `lib` outlives the generator (the generator is owned by the library's JITDylib).
std::unique_ptr<llvm::orc::DefinitionGenerator> MakeArchiveGenerator(Library* lib);

/// True if a member of the indexed archives defines `symbol` (what the generator above could
/// add to a library on a lookup of it).
bool ArchivesDefine(llvm::StringRef symbol);

/// Generator for the session's runtime JITDylib: __atomic_* from libatomic.so.1.
std::unique_ptr<llvm::orc::DefinitionGenerator> MakeLibatomicGenerator();

/// For an unresolved symbol a normal link would have found in a system library: which
/// library and the package that provides it (e.g. for the error message); else "".
std::string RuntimeSymbolHint(const std::string& symbol);

}  // namespace orcjit::jit
