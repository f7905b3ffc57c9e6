#include "jit/object_file.h"

#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "jit/jit_error.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/module.h"

namespace orcjit::jit {
namespace {

using ELFT = llvm::object::ELF64LE;

[[noreturn]] void Fail(const std::string& name, const std::string& what) {
  throw JitError(ErrorKind::kObjectFile, "'" + name + "': " + what);
}

const char* MachineName(unsigned machine) {
  switch (machine) {
    case llvm::ELF::EM_386: return "i386";
    case llvm::ELF::EM_X86_64: return "x86_64";
    case llvm::ELF::EM_ARM: return "arm";
    case llvm::ELF::EM_AARCH64: return "aarch64";
    case llvm::ELF::EM_RISCV: return "riscv";
    case llvm::ELF::EM_PPC64: return "ppc64";
    case llvm::ELF::EM_PPC: return "ppc";
    case llvm::ELF::EM_S390: return "s390x";
    case llvm::ELF::EM_LOONGARCH: return "loongarch";
    case llvm::ELF::EM_MIPS: return "mips";
    case llvm::ELF::EM_AMDGPU: return "amdgpu";
    case llvm::ELF::EM_CUDA: return "cuda";
    case llvm::ELF::EM_BPF: return "bpf";
    default: return nullptr;
  }
}

unsigned HostMachine(const llvm::Triple& host) {
  switch (host.getArch()) {
    case llvm::Triple::x86_64: return llvm::ELF::EM_X86_64;
    case llvm::Triple::aarch64: return llvm::ELF::EM_AARCH64;
    case llvm::Triple::riscv64: return llvm::ELF::EM_RISCV;
    case llvm::Triple::ppc64le: return llvm::ELF::EM_PPC64;
    case llvm::Triple::loongarch64: return llvm::ELF::EM_LOONGARCH;
    default: return llvm::ELF::EM_NONE;
  }
}

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

// Bounds-checked reader for .eh_frame records (the checks JITLink's EHFrameEdgeFixer and
// libgcc's unwinder rely on; a fuzzed augmentation made JITLink crash while reporting it).
bool ValidEncoding(uint8_t enc) {
  if (enc == 0xff) return true;  // DW_EH_PE_omit
  uint8_t app = enc & 0x70;
  if (app != 0x00 && app != 0x10 && app != 0x30) return false;  // absptr/pcrel/datarel only
  switch (enc & 0x0f) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x04:
    case 0x09: case 0x0a: case 0x0b: case 0x0c: return true;
    default: return false;
  }
}

struct EHRecordReader {
  const char* base;
  uint64_t pos, end;
  bool Skip(uint64_t n) {
    if (n > end - pos) return false;
    pos += n;
    return true;
  }
  bool Byte(uint8_t* out) {
    if (pos >= end) return false;
    *out = static_cast<uint8_t>(base[pos++]);
    return true;
  }
  bool Uleb(uint64_t* out) {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!Byte(&b)) return false;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *out = v;
        return true;
      }
    }
    return false;
  }
  // A pointer in DW_EH_PE encoding `enc` (only the forms compilers emit are accepted).
  bool Encoded(uint8_t enc) {
    if (enc == 0xff) return true;  // DW_EH_PE_omit
    if (!ValidEncoding(enc)) return false;
    switch (enc & 0x0f) {
      case 0x00: case 0x04: case 0x0c: return Skip(8);
      case 0x03: case 0x0b: return Skip(4);
      case 0x02: case 0x0a: return Skip(2);
      case 0x01: case 0x09: { uint64_t v; return Uleb(&v); }
      default: return false;
    }
  }
};

struct CIEInfo {
  bool has_z = false;
  uint8_t fde_encoding = 0;  // 'R', absptr by default
};

bool ParseCIE(EHRecordReader& r, CIEInfo* out) {
  uint8_t version, c;
  if (!r.Byte(&version) || (version != 1 && version != 3)) return false;
  std::string aug;
  for (;;) {
    if (!r.Byte(&c)) return false;
    if (c == 0) break;
    aug.push_back(static_cast<char>(c));
  }
  uint64_t v;
  if (!r.Uleb(&v) || !r.Uleb(&v)) return false;  // code alignment; data alignment (sleb form)
  if (version == 1 ? !r.Byte(&c) : !r.Uleb(&v)) return false;  // return address register
  if (aug.empty()) return true;
  if (aug[0] != 'z') return false;
  out->has_z = true;
  uint64_t n;
  if (!r.Uleb(&n) || n > r.end - r.pos) return false;
  EHRecordReader data{r.base, r.pos, r.pos + n};
  for (size_t i = 1; i < aug.size(); ++i) {
    uint8_t enc;
    switch (aug[i]) {
      case 'P': if (!data.Byte(&enc) || !data.Encoded(enc & 0x7f)) return false; break;
      case 'L': if (!data.Byte(&enc) || !ValidEncoding(enc)) return false; break;
      case 'R':
        if (!data.Byte(&enc) || !ValidEncoding(enc) || enc == 0xff) return false;
        out->fde_encoding = enc;
        break;
      case 'S': case 'B': break;
      default: return false;
    }
  }
  return true;
}

std::string ErrText(llvm::Error e) { return llvm::toString(std::move(e)); }

bool IsInitFiniName(llvm::StringRef n) {
  for (llvm::StringRef base : {".init_array", ".fini_array", ".ctors", ".dtors"}) {
    if (n == base || (n.starts_with(base) && n.size() > base.size() && n[base.size()] == '.'))
      return true;
  }
  return false;
}

bool IsContextSymbol(llvm::StringRef n, const std::vector<std::pair<std::string, void*>>& ctx) {
  if (n == "__tvm_ffi__library_ctx") return true;
  for (auto& kv : ctx)
    if (n == kv.first) return true;
  return false;
}

}  // namespace

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

std::unique_ptr<llvm::MemoryBuffer> PrepareObject(llvm::StringRef bytes, const std::string& name,
                                                  const llvm::Triple& host) {
  using llvm::file_magic;
  if (bytes.size() < 16) {
    Fail(name, "not an object file (" + std::to_string(bytes.size()) +
                   " bytes, too short for any object format)");
  }
  file_magic magic = llvm::identify_magic(bytes);
  switch (magic) {
    case file_magic::elf_relocatable: break;
    case file_magic::elf_shared_object:
      Fail(name, "is an ELF shared library, not a relocatable object file; compile with -c "
                 "to get a .o, or load the .so with dlopen");
    case file_magic::elf_executable:
      Fail(name, "is an ELF executable, not a relocatable object file; compile with -c");
    case file_magic::elf_core: Fail(name, "is an ELF core dump, not a relocatable object file");
    case file_magic::elf:
      Fail(name, "is an ELF file of an unknown type, not a relocatable object file");
    case file_magic::archive:
      Fail(name, "is a static archive (.a); extract its members (ar x) and add the .o files");
    case file_magic::coff_object:
    case file_magic::coff_import_library:
    case file_magic::pecoff_executable:
      Fail(name, "is a COFF/PE (Windows) object; this host (" + host.str() +
                     ") loads ELF relocatable objects");
    case file_magic::macho_object:
    case file_magic::macho_executable:
    case file_magic::macho_dynamically_linked_shared_lib:
    case file_magic::macho_universal_binary:
      Fail(name, "is a Mach-O (macOS) object; this host (" + host.str() +
                     ") loads ELF relocatable objects");
    case file_magic::bitcode:
      Fail(name, "is LLVM bitcode, not machine code; compile without -flto / -emit-llvm");
    default:
      Fail(name, "not an object file (unrecognised file format; expected an ELF relocatable "
                 "object produced by 'cc -c')");
  }
  unsigned char ei_class = static_cast<unsigned char>(bytes[llvm::ELF::EI_CLASS]);
  unsigned char ei_data = static_cast<unsigned char>(bytes[llvm::ELF::EI_DATA]);
  if (ei_class != llvm::ELF::ELFCLASS64 || ei_data != llvm::ELF::ELFDATA2LSB) {
    // Read e_machine (offset 18, in the file's byte order) to name the architecture.
    // (A fuzzed 19-byte file made this read past the end: check the size first.)
    unsigned m = bytes.size() < 20 ? 0
                 : ei_data == llvm::ELF::ELFDATA2MSB
                     ? (unsigned(uint8_t(bytes[18])) << 8 | uint8_t(bytes[19]))
                     : (unsigned(uint8_t(bytes[19])) << 8 | uint8_t(bytes[18]));
    const char* mn = MachineName(m);
    Fail(name, std::string("object is for another architecture (") +
                   (ei_class == llvm::ELF::ELFCLASS32 ? "32-bit " : "") +
                   (ei_data == llvm::ELF::ELFDATA2MSB ? "big-endian " : "") +
                   (mn ? mn : ("machine " + std::to_string(m)).c_str()) + "); this host is " +
                   host.getArchName().str());
  }

  auto file_or_err = llvm::object::ELFFile<ELFT>::create(bytes);
  if (!file_or_err)
    Fail(name, "corrupted or truncated ELF object: " + ErrText(file_or_err.takeError()));
  const llvm::object::ELFFile<ELFT>& elf = *file_or_err;
  const auto& ehdr = elf.getHeader();
  unsigned machine = ehdr.e_machine;
  if (machine != HostMachine(host)) {
    const char* mn = MachineName(machine);
    Fail(name, std::string("object is for another architecture (") +
                   (mn ? mn : ("machine " + std::to_string(machine)).c_str()) +
                   "); this host is " + host.getArchName().str());
  }

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

  // .eh_frame: JITLink splits it into CIE/FDE records and follows each FDE's CIE pointer; a
  // record running past the section or an FDE pointing anywhere but at a CIE made it fail
  // with a corrupted llvm::Error (a fuzzed object; SEGV). Check the record structure first.
  for (size_t i = 0; i < sections.size(); ++i) {
    const auto& es = sections[i];
    if (sec_names[i] != ".eh_frame") continue;
    // What JITLink and libgcc treat as unwind tables must look like one (a fuzzed header with
    // a garbage type and flags crashed __register_frame).
    if ((es.sh_type != llvm::ELF::SHT_PROGBITS && es.sh_type != llvm::ELF::SHT_X86_64_UNWIND) ||
        (es.sh_flags & ~uint64_t(llvm::ELF::SHF_ALLOC | llvm::ELF::SHF_WRITE)) != 0 ||
        !(es.sh_flags & llvm::ELF::SHF_ALLOC))
      Fail(name, "corrupted ELF object: section .eh_frame has type " + std::to_string(es.sh_type) +
                     " and flags " + std::to_string(es.sh_flags) +
                     " (expected an allocated PROGBITS unwind table)");
    const char* base = bytes.data() + es.sh_offset;
    uint64_t size = es.sh_size;
    std::map<uint64_t, CIEInfo> cies;
    auto bad = [&](uint64_t at, const std::string& what) {
      Fail(name, "corrupted ELF object: .eh_frame record at offset " + std::to_string(at) + " " +
                     what);
    };
    for (uint64_t off = 0; off + 4 <= size;) {
      uint32_t len;
      std::memcpy(&len, base + off, 4);
      if (len == 0) break;  // terminator
      if (len == 0xffffffffu) bad(off, "uses the 64-bit DWARF format (not supported)");
      if (len < 4 || len > size - off - 4) bad(off, "runs past the end of the section");
      uint32_t id;
      std::memcpy(&id, base + off + 4, 4);
      EHRecordReader r{base, off + 8, off + 4 + uint64_t(len)};
      if (id == 0) {
        CIEInfo cie;
        if (!ParseCIE(r, &cie)) bad(off, "is a malformed CIE (augmentation or pointer encoding)");
        cies[off] = cie;
      } else {
        // The CIE pointer is relative to its own field (off + 4) and points back.
        auto it = id > off + 4 ? cies.end() : cies.find(off + 4 - id);
        if (it == cies.end()) bad(off, "does not point at a CIE");
        const CIEInfo& cie = it->second;
        bool ok = r.Encoded(cie.fde_encoding) && r.Encoded(cie.fde_encoding & 0x0f);
        if (ok && cie.has_z) {
          uint64_t n = 0;
          ok = r.Uleb(&n) && r.Skip(n);
        }
        if (!ok) bad(off, "is a malformed FDE (runs past its end)");
      }
      off += 4 + uint64_t(len);
    }
  }

  // Relocations: every fixup must lie inside its target section and name an existing symbol.
  // JITLink trusts r_offset and would write outside the block (a fuzzed object did; SEGV).
  // Also notes symbols referenced other than by R_X86_64_TLSGD: an external thread-local
  // variable is only supported through the general-dynamic model (external_tls.h).
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

  // Symbols: TLS check and GNU_UNIQUE positions.
  std::vector<uint64_t> unique_sym_offsets;  // file offsets of st_info bytes to patch
  const typename ELFT::Shdr* symtab = nullptr;
  for (const auto& s : sections)
    if (s.sh_type == llvm::ELF::SHT_SYMTAB) symtab = &s;
  std::vector<std::string> sym_names;
  std::vector<std::string> tls_user, tls_generated;
  if (symtab) {
    auto syms = elf.symbols(symtab);
    if (!syms) Fail(name, "corrupted ELF symbol table: " + ErrText(syms.takeError()));
    auto strtab = elf.getStringTableForSymtab(*symtab, sections);
    if (!strtab) Fail(name, "corrupted ELF string table: " + ErrText(strtab.takeError()));
    sym_names.resize(syms->size());
    const auto context_symbols = runtime::ContextSymbols();
    size_t idx = 0;
    for (const auto& sym : *syms) {
      auto sn = sym.getName(*strtab);
      if (!sn) Fail(name, "corrupted ELF symbol table: " + ErrText(sn.takeError()));
      sym_names[idx] = sn->str();
      unsigned type = sym.getType();
      // A defined symbol must lie inside a section that is loaded (a fuzzed object with a
      // function "defined" in a relocation section corrupted JITLink's heap).
      unsigned shndx = sym.st_shndx;
      if (shndx != llvm::ELF::SHN_UNDEF && shndx < llvm::ELF::SHN_LORESERVE &&
          type != llvm::ELF::STT_SECTION && type != llvm::ELF::STT_FILE) {
        std::string shown = "'" + sn->str() + "'";
        if (shndx >= sections.size())
          Fail(name, "corrupted ELF object: symbol " + shown + " names section #" +
                         std::to_string(shndx) + ", which does not exist");
        const auto& home = sections[shndx];
        bool loaded = (home.sh_flags & llvm::ELF::SHF_ALLOC) != 0 &&
                      home.sh_type != llvm::ELF::SHT_RELA && home.sh_type != llvm::ELF::SHT_REL &&
                      home.sh_type != llvm::ELF::SHT_SYMTAB &&
                      home.sh_type != llvm::ELF::SHT_STRTAB && home.sh_type != llvm::ELF::SHT_GROUP;
        bool global = sym.getBinding() != llvm::ELF::STB_LOCAL;
        if (!loaded && (global || type == llvm::ELF::STT_FUNC || type == llvm::ELF::STT_OBJECT))
          Fail(name, "corrupted ELF object: symbol " + shown + " is defined in section " +
                         sec_names[shndx] + ", which is not loaded");
        if (loaded && (sym.st_value > home.sh_size || sym.st_size > home.sh_size - sym.st_value))
          Fail(name, "corrupted ELF object: symbol " + shown + " (offset " +
                         std::to_string(sym.st_value) + ", size " + std::to_string(sym.st_size) +
                         ") extends past the end of section " + sec_names[shndx] + " (" +
                         std::to_string(home.sh_size) + " bytes)");
      }
      bool external_gd = sym.st_shndx == llvm::ELF::SHN_UNDEF &&
                         ehdr.e_machine == llvm::ELF::EM_X86_64 &&
                         (idx >= non_gd_ref.size() || !non_gd_ref[idx]);
      if (type == llvm::ELF::STT_TLS && !external_gd) {
        std::string shown = "'" + llvm::demangle(sn->str()) + "'";
        if (shown != "'" + sn->str() + "'") shown += " (" + sn->str() + ")";
        std::string where = sym.st_shndx == llvm::ELF::SHN_UNDEF
                                ? "an external thread-local variable"
                                : sym.st_shndx < sections.size()
                                      ? "a thread-local variable in " + sec_names[sym.st_shndx]
                                      : "a thread-local variable";
        // Compiler-generated guards go last: name the user's variable first.
        bool generated = sn->starts_with("__tls_guard") || sn->starts_with("_ZGV");
        (generated ? tls_generated : tls_user).push_back(shown + " is " + where);
      }
      // The library writes a pointer into __tvm_ffi__library_ctx (and registered context
      // symbols) after linking: a function, a const or a too-small symbol would make that
      // write fault or overflow (found by fuzz/). Require a writable pointer-sized variable.
      if (sym.st_shndx != llvm::ELF::SHN_UNDEF && IsContextSymbol(*sn, context_symbols)) {
        bool common = sym.st_shndx == llvm::ELF::SHN_COMMON;
        bool writable = common || (sym.st_shndx < sections.size() &&
                                   (sections[sym.st_shndx].sh_flags & llvm::ELF::SHF_WRITE) &&
                                   (sections[sym.st_shndx].sh_flags & llvm::ELF::SHF_ALLOC) &&
                                   sym.st_value + 8 >= sym.st_value &&
                                   sym.st_value + 8 <= sections[sym.st_shndx].sh_size);
        if (!writable || type == llvm::ELF::STT_FUNC || sym.st_size < sizeof(void*))
          Fail(name, "'" + sn->str() + "' must be a writable pointer variable (void* " +
                         sn->str() + " = NULL;), not a function, constant or smaller object");
      }
      if (sym.getBinding() == 10 /* STB_GNU_UNIQUE */) {
        unique_sym_offsets.push_back(symtab->sh_offset + idx * sizeof(typename ELFT::Sym) +
                                     offsetof(typename ELFT::Sym, st_info));
      }
      ++idx;
    }
  }
  if (!tls_user.empty() || !tls_generated.empty()) {
    tls_user.insert(tls_user.end(), tls_generated.begin(), tls_generated.end());
    std::string list;
    for (size_t i = 0; i < tls_user.size() && i < 4; ++i) list += (i ? "; symbol " : "symbol ") + tls_user[i];
    if (tls_user.size() > 4) list += "; and " + std::to_string(tls_user.size() - 4) + " more";
    throw JitError(ErrorKind::kLink,
                   "'" + name + "': " + list +
                       ": thread_local storage is not supported in JIT-linked objects (ELF TLS "
                       "needs the dynamic loader; without it reads would return garbage). Fix: "
                       "move the thread_local into the host and reach it through a function "
                       "call, or build the object with clang -femulated-tls so it uses "
                       "__emutls_get_address");
  }
  for (size_t i = 0; i < sections.size(); ++i) {
    if ((sections[i].sh_flags & llvm::ELF::SHF_TLS) && sections[i].sh_size != 0) {
      throw JitError(ErrorKind::kLink,
                     "'" + name + "': section " + sec_names[i] +
                         " holds thread_local storage, which is not supported in JIT-linked "
                         "objects. Fix: move the thread_local into the host and reach it "
                         "through a function call, or build with clang -femulated-tls");
    }
  }

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

}  // namespace orcjit::jit
