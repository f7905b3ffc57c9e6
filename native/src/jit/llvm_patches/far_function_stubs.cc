#include "jit/llvm_patches/far_function_stubs.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <map>

#include "llvm/ExecutionEngine/JITLink/x86_64.h"

namespace orcjit::jit {
namespace {

// True if `name` is a host function whose address does not fit the 32-bit field.
bool FarHostFunction(llvm::StringRef name, bool is_signed) {
  void* addr = dlsym(RTLD_DEFAULT, name.str().c_str());
  if (!addr) return false;
  auto a = reinterpret_cast<uint64_t>(addr);
  if (is_signed ? a < (uint64_t(1) << 31) : a <= 0xffffffffull) return false;
  Dl_info info;
  void* extra = nullptr;
  if (!dladdr1(addr, &info, &extra, RTLD_DL_SYMENT) || !extra) return false;
  const auto* sym = static_cast<const ElfW(Sym)*>(extra);
  unsigned type = ELF64_ST_TYPE(sym->st_info);
  return type == STT_FUNC || type == STT_GNU_IFUNC;
}

}  // namespace

llvm::Error StubFarFunctions(llvm::jitlink::LinkGraph& g) {
  namespace x64 = llvm::jitlink::x86_64;
  llvm::jitlink::Section* got = nullptr;
  llvm::jitlink::Section* stubs = nullptr;
  std::map<llvm::jitlink::Symbol*, llvm::jitlink::Symbol*> stub_of;
  for (auto* block : g.blocks()) {
    for (auto& edge : block->edges()) {
      bool is_signed = edge.getKind() == x64::Pointer32Signed;
      if (edge.getKind() != x64::Pointer32 && !is_signed) continue;
      auto& target = edge.getTarget();
      if (!target.isExternal() || !target.hasName() || edge.getAddend() != 0) continue;
      auto& stub = stub_of[&target];
      if (!stub) {
        if (!FarHostFunction(*target.getName(), is_signed)) continue;
        if (!got) {
          auto rw = llvm::orc::MemProt(unsigned(llvm::orc::MemProt::Read) | unsigned(llvm::orc::MemProt::Write));
          auto rx = llvm::orc::MemProt(unsigned(llvm::orc::MemProt::Read) | unsigned(llvm::orc::MemProt::Exec));
          got = &g.createSection("__orcjit_far_got", rw);
          stubs = &g.createSection("__orcjit_far_stubs", rx);
        }
        auto& ptr = x64::createAnonymousPointer(g, *got, &target);
        stub = &x64::createAnonymousPointerJumpStub(g, *stubs, ptr);
      }
      edge.setTarget(*stub);
    }
  }
  return llvm::Error::success();
}

}  // namespace orcjit::jit
