// Section headers lie inside the file and have names.
#include "jit/object/elf_view.h"
#include "llvm/BinaryFormat/ELF.h"

namespace orcjit::jit::object {

void CheckSections(ElfView& v) {
  llvm::StringRef bytes = v.bytes;
  const std::string& name = v.name;
  const auto& elf = v.elf;
  auto sections_or_err = elf.sections();
  if (!sections_or_err)
    Fail(name, "corrupted or truncated ELF object: " + ErrText(sections_or_err.takeError()));
  auto sections = *sections_or_err;
  if (sections.empty()) Fail(name, "corrupted ELF object: no section headers");
  for (size_t i = 0; i < sections.size(); ++i) {
    const auto& s = sections[i];
    if (s.sh_type == llvm::ELF::SHT_NOBITS || s.sh_type == llvm::ELF::SHT_NULL) continue;
    uint64_t end = uint64_t(s.sh_offset) + uint64_t(s.sh_size);
    if (end < s.sh_offset || end > bytes.size()) {
      Fail(name, "truncated or corrupted ELF object: section #" + std::to_string(i) +
                     " extends to byte " + std::to_string(end) + " but the file has " +
                     std::to_string(bytes.size()) + " bytes");
    }
  }
  auto shstrtab_or_err = elf.getSectionStringTable(sections);
  if (!shstrtab_or_err)
    Fail(name, "corrupted ELF object: " + ErrText(shstrtab_or_err.takeError()));
  llvm::StringRef shstrtab = *shstrtab_or_err;

  std::vector<std::string> sec_names(sections.size());
  for (size_t i = 0; i < sections.size(); ++i) {
    auto n = elf.getSectionName(sections[i], shstrtab);
    if (!n) Fail(name, "corrupted ELF object: " + ErrText(n.takeError()));
    sec_names[i] = n->str();
  }
  v.sections = sections;
  v.shstrtab = shstrtab;
  v.sec_names = std::move(sec_names);
}

}  // namespace orcjit::jit::object
