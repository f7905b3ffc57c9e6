// .eh_frame record structure, checked before JITLink splits it into CIE/FDE records.
#include <cstring>
#include <map>

#include "jit/object/elf_view.h"
#include "llvm/BinaryFormat/ELF.h"

namespace orcjit::jit::object {
namespace {

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

}  // namespace

void CheckEhFrame(const ElfView& v) {
  llvm::StringRef bytes = v.bytes;
  const std::string& name = v.name;
  auto sections = v.sections;
  const std::vector<std::string>& sec_names = v.sec_names;
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
}

}  // namespace orcjit::jit::object
