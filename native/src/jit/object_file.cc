#include "jit/object_file.h"

#include "jit/object/elf_view.h"

namespace orcjit::jit {

// Cheap checks first; each later one may rely on what the earlier ones established (the
// relocation and symbol checks index sections the section check bounded).
std::unique_ptr<llvm::MemoryBuffer> PrepareObject(llvm::StringRef bytes, const std::string& name,
                                                  const llvm::Triple& host) {
  using namespace object;
  CheckFormat(bytes, name, host);
  auto file_or_err = llvm::object::ELFFile<ELFT>::create(bytes);
  if (!file_or_err)
    Fail(name, "corrupted or truncated ELF object: " + ErrText(file_or_err.takeError()));
  ElfView view{bytes, name, *file_or_err, {}, {}, {}};
  CheckMachine(view, host);
  CheckSections(view);
  CheckEhFrame(view);
  std::vector<uint8_t> non_gd_ref = CheckRelocations(view);
  SymbolFacts symbols = CheckSymbols(view, non_gd_ref);
  return PatchedCopy(view, symbols);
}

}  // namespace orcjit::jit
