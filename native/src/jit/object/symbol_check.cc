// Symbols: defined inside loaded sections, writable context symbols, no thread-local
// storage (external general-dynamic TLS aside: jit/llvm_patches/external_tls.h).
#include "jit/object/elf_view.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Demangle/Demangle.h"
#include "runtime/module.h"

namespace orcjit::jit::object {
namespace {

bool IsContextSymbol(llvm::StringRef n, const std::vector<std::pair<std::string, void*>>& ctx) {
  if (n == "__tvm_ffi__library_ctx") return true;
  for (auto& kv : ctx)
    if (n == kv.first) return true;
  return false;
}

}  // namespace

SymbolFacts CheckSymbols(const ElfView& v, const std::vector<uint8_t>& non_gd_ref) {
  const std::string& name = v.name;
  const auto& elf = v.elf;
  const auto& ehdr = v.elf.getHeader();
  auto sections = v.sections;
  const std::vector<std::string>& sec_names = v.sec_names;
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
  return SymbolFacts{std::move(sym_names), std::move(unique_sym_offsets)};
}

}  // namespace orcjit::jit::object
