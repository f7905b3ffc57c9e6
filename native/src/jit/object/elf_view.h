// The parsed view of one relocatable object that the checks (object/*_check.cc) and the
// patching (object/patch.cc) share; PrepareObject (jit/object_file.cc) runs them in order.
// Each check throws JitError(kObjectFile) (kLink for TLS) naming the object and the fault.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "jit/jit_error.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Triple.h"

namespace orcjit::jit::object {

using ELFT = llvm::object::ELF64LE;

[[noreturn]] inline void Fail(const std::string& name, const std::string& what) {
  throw JitError(ErrorKind::kObjectFile, "'" + name + "': " + what);
}

inline std::string ErrText(llvm::Error e) { return llvm::toString(std::move(e)); }

struct ElfView {
  llvm::StringRef bytes;
  const std::string& name;  // display name, for errors
  const llvm::object::ELFFile<ELFT>& elf;
  llvm::ArrayRef<ELFT::Shdr> sections;
  llvm::StringRef shstrtab;
  std::vector<std::string> sec_names;  // by section index
};

/// What the symbol check learned that the patching needs.
struct SymbolFacts {
  std::vector<std::string> names;             // by symbol index
  std::vector<uint64_t> unique_info_offsets;  // file offsets of STB_GNU_UNIQUE st_info bytes
};

// object/format_check.cc: the file is an ELF64 little-endian relocatable object for `host`.
void CheckFormat(llvm::StringRef bytes, const std::string& name, const llvm::Triple& host);
void CheckMachine(const ElfView& v, const llvm::Triple& host);
// object/section_check.cc: section headers lie inside the file; section names.
void CheckSections(ElfView& v);
// object/eh_frame_check.cc: the .eh_frame record structure JITLink and libgcc rely on.
void CheckEhFrame(const ElfView& v);
// object/relocation_check.cc: every fixup inside its section, naming an existing symbol.
// Returns, by symbol index, whether it is referenced other than by R_X86_64_TLSGD.
std::vector<uint8_t> CheckRelocations(const ElfView& v);
// object/symbol_check.cc: defined symbols inside loaded sections, context symbols writable,
// no TLS (but external general-dynamic); collects what the patching needs.
SymbolFacts CheckSymbols(const ElfView& v, const std::vector<uint8_t>& non_gd_ref);
// object/patch.cc: the patched copy (see jit/object_file.h).
std::unique_ptr<llvm::MemoryBuffer> PatchedCopy(const ElfView& v, const SymbolFacts& syms);

}  // namespace orcjit::jit::object
