#include "jit/llvm_patches/external_tls.h"

#include <dlfcn.h>
#include <link.h>

#include <cstring>
#include <map>

#include "llvm/Demangle/Demangle.h"
#include "llvm/ExecutionEngine/JITLink/x86_64.h"

namespace orcjit::jit {
namespace {

struct TlsIndex {
  uint64_t module;
  uint64_t offset;
};

struct FindModule {
  uintptr_t addr;
  TlsIndex out;
  bool found;
};

// The module whose TLS block (this thread's instance) holds `addr`.
int VisitModule(dl_phdr_info* info, size_t, void* data) {
  auto* f = static_cast<FindModule*>(data);
  if (!info->dlpi_tls_modid || !info->dlpi_tls_data) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_TLS) continue;
    auto base = reinterpret_cast<uintptr_t>(info->dlpi_tls_data);
    if (f->addr >= base && f->addr < base + ph.p_memsz) {
      f->out = {info->dlpi_tls_modid, f->addr - base};
      f->found = true;
      return 1;
    }
  }
  return 0;
}

llvm::Error ResolveTlsIndex(llvm::StringRef name, TlsIndex* out) {
  // dlsym of a thread-local symbol gives its address in the calling thread's instance.
  void* addr = dlsym(RTLD_DEFAULT, name.str().c_str());
  FindModule f{reinterpret_cast<uintptr_t>(addr), {}, false};
  if (addr) dl_iterate_phdr(VisitModule, &f);
  if (!f.found) {
    std::string shown = llvm::demangle(name.str());
    if (shown != name) shown += " (" + name.str() + ")";
    return llvm::make_error<llvm::StringError>(
        "symbol '" + shown + "' is an external thread-local variable that no shared library of "
        "the host defines: thread_local storage of JIT objects is not supported. Fix: move the "
        "thread_local into the host and reach it through a function call, or build with "
        "clang -femulated-tls",
        llvm::inconvertibleErrorCode());
  }
  *out = f.out;
  return llvm::Error::success();
}

}  // namespace

llvm::Error RewriteGeneralDynamicTls(llvm::jitlink::LinkGraph& g) {
  namespace x64 = llvm::jitlink::x86_64;
  llvm::jitlink::Section* sec = nullptr;
  std::map<llvm::jitlink::Symbol*, llvm::jitlink::Symbol*> index_of;  // variable -> tls_index
  for (auto* block : g.blocks()) {
    for (auto& edge : block->edges()) {
      if (edge.getKind() != x64::RequestTLSDescInGOTAndTransformToDelta32) continue;
      auto& target = edge.getTarget();
      if (!target.isExternal() || !target.hasName()) continue;  // JIT-defined TLS: rejected earlier
      auto& entry = index_of[&target];
      if (!entry) {
        TlsIndex idx;
        if (auto err = ResolveTlsIndex(*target.getName(), &idx)) return err;
        if (!sec)
          sec = &g.createSection("__orcjit_tls_index",
                                 llvm::orc::MemProt(unsigned(llvm::orc::MemProt::Read)));
        auto content = g.allocateBuffer(sizeof(TlsIndex));
        std::memcpy(content.data(), &idx, sizeof(idx));
        auto& b = g.createMutableContentBlock(*sec, content, llvm::orc::ExecutorAddr(), 8, 0);
        entry = &g.addAnonymousSymbol(b, 0, sizeof(TlsIndex), false, false);
      }
      // The lea's displacement now points at the tls_index (same PC-relative formula).
      edge.setKind(x64::Delta32);
      edge.setTarget(*entry);
    }
  }
  return llvm::Error::success();
}

}  // namespace orcjit::jit
