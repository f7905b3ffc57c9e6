// Relocations: in bounds, naming existing symbols, of types JITLink knows.
#include <cstring>

#include "jit/object/elf_view.h"
#include "llvm/BinaryFormat/ELF.h"

namespace orcjit::jit::object {
namespace {

// Bytes a relocation writes (x86_64; other machines: at least one byte).
uint64_t RelocationWidth(unsigned machine, uint32_t type) {
  if (machine != llvm::ELF::EM_X86_64) return type == 0 ? 0 : 1;
  switch (type) {
    case llvm::ELF::R_X86_64_NONE: return 0;
    case llvm::ELF::R_X86_64_8:
    case llvm::ELF::R_X86_64_PC8: return 1;
    case llvm::ELF::R_X86_64_16:
    case llvm::ELF::R_X86_64_PC16: return 2;
    case llvm::ELF::R_X86_64_64:
    case llvm::ELF::R_X86_64_PC64:
    case llvm::ELF::R_X86_64_GOTOFF64:
    case llvm::ELF::R_X86_64_GOTPC64:
    case llvm::ELF::R_X86_64_GOT64:
    case llvm::ELF::R_X86_64_GOTPCREL64:
    case llvm::ELF::R_X86_64_GOTPLT64:
    case llvm::ELF::R_X86_64_PLTOFF64:
    case llvm::ELF::R_X86_64_SIZE64:
    case llvm::ELF::R_X86_64_DTPMOD64:
    case llvm::ELF::R_X86_64_DTPOFF64:
    case llvm::ELF::R_X86_64_TPOFF64: return 8;
    default: return 4;
  }
}

}  // namespace

std::vector<uint8_t> CheckRelocations(const ElfView& v) {
  llvm::StringRef bytes = v.bytes;
  const std::string& name = v.name;
  const auto& ehdr = v.elf.getHeader();
  auto sections = v.sections;
  const std::vector<std::string>& sec_names = v.sec_names;
  // Relocations: every fixup must lie inside its target section and name an existing symbol.
  // JITLink trusts r_offset and would write outside the block (a fuzzed object did; SEGV).
  // Also notes symbols referenced other than by R_X86_64_TLSGD: an external thread-local
  // variable is only supported through the general-dynamic model (llvm_patches/external_tls.h).
  std::vector<uint8_t> non_gd_ref;  // by symbol index
  for (size_t i = 0; i < sections.size(); ++i) {
    const auto& rs = sections[i];
    if (rs.sh_type != llvm::ELF::SHT_RELA && rs.sh_type != llvm::ELF::SHT_REL) continue;
    bool rela = rs.sh_type == llvm::ELF::SHT_RELA;
    size_t entsize = rela ? sizeof(typename ELFT::Rela) : sizeof(typename ELFT::Rel);
    if (rs.sh_info >= sections.size() || rs.sh_link >= sections.size())
      Fail(name, "corrupted ELF object: relocation section " + sec_names[i] +
                     " names section #" + std::to_string(rs.sh_info) + " / symbol table #" +
                     std::to_string(rs.sh_link) + ", which do not exist");
    const auto& target = sections[rs.sh_info];
    uint64_t nsyms = sections[rs.sh_link].sh_size / sizeof(typename ELFT::Sym);
    const char* base = bytes.data() + rs.sh_offset;
    for (uint64_t off = 0; off + entsize <= rs.sh_size; off += entsize) {
      uint64_t r_offset, r_info;
      std::memcpy(&r_offset, base + off, sizeof(r_offset));
      std::memcpy(&r_info, base + off + sizeof(r_offset), sizeof(r_info));
      uint32_t type = static_cast<uint32_t>(r_info & 0xffffffffu);
      uint64_t sym = r_info >> 32;
      // Unknown types: JITLink crashed formatting its own error for one (fuzzer).
      if (ehdr.e_machine == llvm::ELF::EM_X86_64 && type > llvm::ELF::R_X86_64_REX_GOTPCRELX + 8)
        Fail(name, "unsupported relocation type " + std::to_string(type) + " (relocation #" +
                       std::to_string(off / entsize) + " of " + sec_names[i] + ")");
      uint64_t width = RelocationWidth(ehdr.e_machine, type);
      bool inside = target.sh_type != llvm::ELF::SHT_NOBITS && r_offset <= target.sh_size &&
                    width <= target.sh_size - r_offset;
      if (type != llvm::ELF::R_X86_64_TLSGD || ehdr.e_machine != llvm::ELF::EM_X86_64) {
        if (sym < nsyms && sym >= non_gd_ref.size()) non_gd_ref.resize(sym + 1, 0);
        if (sym < nsyms) non_gd_ref[sym] = 1;
      }
      if (!inside || sym >= nsyms) {
        Fail(name, "corrupted ELF object: relocation #" + std::to_string(off / entsize) +
                       " of " + sec_names[i] + " (type " + std::to_string(type) + ", offset " +
                       std::to_string(r_offset) + ", symbol #" + std::to_string(sym) + ") " +
                       (inside ? "names a symbol that does not exist"
                               : "lies outside section " + sec_names[rs.sh_info] + " (" +
                                     std::to_string(target.sh_size) + " bytes)"));
      }
    }
  }
  return non_gd_ref;
}

}  // namespace orcjit::jit::object
