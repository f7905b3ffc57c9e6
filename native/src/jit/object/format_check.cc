// Is it an object this host can link at all? File format, ELF class, byte order, machine.
#include "jit/object/elf_view.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/BinaryFormat/Magic.h"

namespace orcjit::jit::object {
namespace {

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

}  // namespace

void CheckFormat(llvm::StringRef bytes, const std::string& name, const llvm::Triple& host) {
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
}

void CheckMachine(const ElfView& v, const llvm::Triple& host) {
  const std::string& name = v.name;
  const auto& ehdr = v.elf.getHeader();
  unsigned machine = ehdr.e_machine;
  if (machine != HostMachine(host)) {
    const char* mn = MachineName(machine);
    Fail(name, std::string("object is for another architecture (") +
                   (mn ? mn : ("machine " + std::to_string(machine)).c_str()) +
                   "); this host is " + host.getArchName().str());
  }
}

}  // namespace orcjit::jit::object
