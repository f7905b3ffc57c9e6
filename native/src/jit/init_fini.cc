#include "jit/init_fini.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>

#include "jit/library.h"
#include "jit/session.h"
#include "llvm/Support/raw_ostream.h"

namespace orcjit::jit {
namespace {

using llvm::jitlink::LinkGraph;

/// True when `sig` names a COMDAT group whose copy in this graph was discarded (ORC turned
/// its weak definition into an external reference because another object defined it first).
bool GroupDiscarded(LinkGraph& g, const std::string& sig) {
  if (sig.empty()) return false;
  for (auto* sym : g.external_symbols())
    if (sym->hasName() && *sym->getName() == sig) return true;
  return false;
}

}  // namespace

void InitFiniPlugin::modifyPassConfig(llvm::orc::MaterializationResponsibility& mr,
                                      LinkGraph& g, llvm::jitlink::PassConfiguration& config) {
  Library* lib = session_->FindLibrary(mr.getTargetJITDylib());
  if (!lib) return;  // the runtime / process libraries hold no objects
  // The library's __dso_handle graph (Library::Init), linked the first time an object
  // references it: it holds its own address and is registered before constructors run.
  if (g.findSectionByName(Library::kDsoHandleSection)) {
    config.PostFixupPasses.push_back([lib](LinkGraph& g) -> llvm::Error {
      for (auto* sym : g.findSectionByName(Library::kDsoHandleSection)->symbols())
        if (sym->hasName() && *sym->getName() == "__dso_handle")
          lib->NoteDsoHandleLinked(sym->getAddress().toPtr<void*>());
      return llvm::Error::success();
    });
    return;
  }
  auto discarded = std::make_shared<std::set<std::string>>();
  if (std::getenv("ORCJIT_DUMP_GRAPH")) {
    config.PrePrunePasses.push_back([](LinkGraph& g) -> llvm::Error {
      llvm::errs() << "=== pre-prune " << g.getName() << "\n";
      g.dump(llvm::errs());
      return llvm::Error::success();
    });
    config.PostFixupPasses.push_back([](LinkGraph& g) -> llvm::Error {
      llvm::errs() << "=== post-fixup " << g.getName() << "\n";
      g.dump(llvm::errs());
      return llvm::Error::success();
    });
  }

  config.PrePrunePasses.push_back([discarded](LinkGraph& g) -> llvm::Error {
    for (auto& sec : g.sections()) {
      InitFiniSectionName parsed;
      if (!ParseInitFiniSectionName(sec.getName(), &parsed)) continue;
      if (GroupDiscarded(g, parsed.comdat)) {
        discarded->insert(sec.getName().str());
        continue;
      }
      for (auto* block : sec.blocks())
        g.addAnonymousSymbol(*block, 0, block->getSize(), false, /*IsLive=*/true);
    }
    return llvm::Error::success();
  });

  config.PostFixupPasses.push_back([lib, discarded](LinkGraph& g) -> llvm::Error {
    std::vector<InitFiniEntry> entries;
    unsigned seq = lib->ObjectSeq(g.getName());
    for (auto& sec : g.sections()) {
      InitFiniSectionName parsed;
      if (!ParseInitFiniSectionName(sec.getName(), &parsed)) continue;
      if (discarded->count(sec.getName().str())) continue;
      for (auto* block : sec.blocks()) {
        if (block->isZeroFill()) continue;
        auto content = block->getContent();
        for (size_t off = 0; off + sizeof(uint64_t) <= content.size(); off += sizeof(uint64_t)) {
          uint64_t value;
          std::memcpy(&value, content.data() + off, sizeof(value));
          if (value == 0 || value == ~uint64_t(0)) continue;
          entries.push_back({parsed.kind, parsed.priority, seq, parsed.section_index, off,
                             reinterpret_cast<void (*)()>(value)});
        }
      }
    }
    if (!entries.empty()) lib->RecordInitFini(std::move(entries));
    return llvm::Error::success();
  });
}

}  // namespace orcjit::jit
