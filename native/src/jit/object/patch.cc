// The patched copy JITLink gets (jit/object_file.h): STB_GNU_UNIQUE -> STB_WEAK, and
// init/fini sections renamed "<name>@<index>[@<COMDAT signature>]" (parsed back by
// ParseInitFiniSectionName for the init/fini plugin).
#include <cstring>
#include <map>

#include "jit/object/elf_view.h"
#include "jit/object_file.h"
#include "llvm/BinaryFormat/ELF.h"

namespace orcjit::jit {
namespace object {
namespace {

bool IsInitFiniName(llvm::StringRef n) {
  for (llvm::StringRef base : {".init_array", ".fini_array", ".ctors", ".dtors"}) {
    if (n == base || (n.starts_with(base) && n.size() > base.size() && n[base.size()] == '.'))
      return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<llvm::MemoryBuffer> PatchedCopy(const ElfView& v, const SymbolFacts& syms) {
  llvm::StringRef bytes = v.bytes;
  const std::string& name = v.name;
  const auto& elf = v.elf;
  const auto& ehdr = v.elf.getHeader();
  auto sections = v.sections;
  llvm::StringRef shstrtab = v.shstrtab;
  const std::vector<std::string>& sec_names = v.sec_names;
  const std::vector<std::string>& sym_names = syms.names;
  const std::vector<uint64_t>& unique_sym_offsets = syms.unique_info_offsets;
  // COMDAT membership of init/fini sections.
  std::map<size_t, std::string> group_of;
  for (size_t i = 0; i < sections.size(); ++i) {
    const auto& s = sections[i];
    if (s.sh_type != llvm::ELF::SHT_GROUP) continue;
    auto words = elf.template getSectionContentsAsArray<llvm::support::ulittle32_t>(s);
    if (!words) Fail(name, "corrupted ELF section group: " + ErrText(words.takeError()));
    std::string sig = s.sh_info < sym_names.size() ? sym_names[s.sh_info] : std::string();
    for (size_t k = 1; k < words->size(); ++k) group_of[(*words)[k]] = sig;
  }

  // Build the renamed section-name table.
  std::string extra_names;
  std::vector<std::pair<size_t, uint32_t>> renames;  // section index -> new sh_name
  bool can_rename = ehdr.e_shstrndx != llvm::ELF::SHN_XINDEX && ehdr.e_shstrndx < sections.size();
  if (can_rename) {
    for (size_t i = 0; i < sections.size(); ++i) {
      if (!IsInitFiniName(sec_names[i])) continue;
      std::string nn = sec_names[i] + "@" + std::to_string(i);
      auto g = group_of.find(i);
      if (g != group_of.end() && !g->second.empty()) nn += "@" + g->second;
      renames.emplace_back(i, uint32_t(shstrtab.size() + extra_names.size()));
      extra_names += nn;
      extra_names.push_back('\0');
    }
  }

  size_t new_size = bytes.size() + (renames.empty() ? 0 : shstrtab.size() + extra_names.size());
  auto out = llvm::WritableMemoryBuffer::getNewUninitMemBuffer(new_size, name);
  if (!out) Fail(name, "out of memory copying the object");
  char* data = out->getBufferStart();
  std::memcpy(data, bytes.data(), bytes.size());
  for (uint64_t off : unique_sym_offsets) {
    auto& info = reinterpret_cast<uint8_t&>(data[off]);
    info = uint8_t((llvm::ELF::STB_WEAK << 4) | (info & 0xf));
  }
  if (!renames.empty()) {
    std::memcpy(data + bytes.size(), shstrtab.data(), shstrtab.size());
    std::memcpy(data + bytes.size() + shstrtab.size(), extra_names.data(), extra_names.size());
    auto* shdrs = reinterpret_cast<typename ELFT::Shdr*>(data + ehdr.e_shoff);
    shdrs[ehdr.e_shstrndx].sh_offset = bytes.size();
    shdrs[ehdr.e_shstrndx].sh_size = shstrtab.size() + extra_names.size();
    for (auto& [idx, off] : renames) shdrs[idx].sh_name = off;
  }
  return std::unique_ptr<llvm::MemoryBuffer>(std::move(out));
}

}  // namespace object

bool ParseInitFiniSectionName(llvm::StringRef name, InitFiniSectionName* out) {
  llvm::StringRef base = name, rest;
  std::tie(base, rest) = name.split('@');
  struct Known { const char* prefix; InitFiniSectionName::Kind kind; };
  static const Known kKnown[] = {{".init_array", InitFiniSectionName::kInitArray},
                                 {".ctors", InitFiniSectionName::kCtors},
                                 {".dtors", InitFiniSectionName::kDtors},
                                 {".fini_array", InitFiniSectionName::kFiniArray}};
  for (const Known& k : kKnown) {
    llvm::StringRef p(k.prefix);
    if (!base.starts_with(p)) continue;
    llvm::StringRef tail = base.drop_front(p.size());
    bool has_num = false;
    unsigned n = 0;
    if (!tail.empty()) {
      if (tail[0] != '.' || tail.drop_front(1).getAsInteger(10, n)) return false;
      has_num = true;
    }
    out->kind = k.kind;
    switch (k.kind) {
      case InitFiniSectionName::kInitArray: out->priority = has_num ? int(n) : 65535; break;
      case InitFiniSectionName::kCtors: out->priority = has_num ? -int(n) : 0; break;
      case InitFiniSectionName::kDtors: out->priority = has_num ? int(n) : 0; break;
      case InitFiniSectionName::kFiniArray: out->priority = has_num ? -int(n) : -65535; break;
    }
    out->section_index = 0;
    out->comdat.clear();
    if (!rest.empty()) {
      llvm::StringRef idx, sig;
      std::tie(idx, sig) = rest.split('@');
      if (idx.getAsInteger(10, out->section_index)) out->section_index = 0;
      out->comdat = sig.str();
    }
    return true;
  }
  return false;
}

}  // namespace orcjit::jit
