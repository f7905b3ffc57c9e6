#include "jit/debugger.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "jit/library.h"
#include "jit/session.h"
#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/ExecutionEngine/JITLink/JITLink.h"
#include "llvm/ExecutionEngine/Orc/Shared/WrapperFunctionUtils.h"
#include "llvm/Object/ELF.h"
#include "llvm/Object/ObjectFile.h"

// The GDB JIT interface: the layout and the two names are what debuggers look for (gdb's
// jit.h, lldb's JITLoaderGDB). They must be in the addon's dynamic symbol table (it is
// stripped, and LLVM's static archives are linked hidden), so they are defined here with
// default visibility. LLVM's OrcTargetProcess has its own pair in the archive member that
// also defines llvm_orc_registerJITLoaderGDBAllocAction (the entry point of LLVM's
// ELFDebugObjectPlugin, which we do not use); defining that entry point here too keeps the
// member, and a second, unexported descriptor, out of the link.
extern "C" {
struct jit_code_entry {
  jit_code_entry* next_entry;
  jit_code_entry* prev_entry;
  const char* symfile_addr;
  uint64_t symfile_size;
};
struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag;  // 0 none, 1 register, 2 unregister
  jit_code_entry* relevant_entry;
  jit_code_entry* first_entry;
};

// The debugger keeps a breakpoint here and reads the descriptor when it is hit; the empty
// asm keeps the compiler from removing the calls.
__attribute__((visibility("default"), used, noinline)) void __jit_debug_register_code() {
  __asm__ volatile("" ::: "memory");
}
__attribute__((visibility("default"), used)) jit_descriptor __jit_debug_descriptor = {1, 0, nullptr, nullptr};

// Only referenced as a bootstrap address by LLVM's default host values; never called here.
llvm::orc::shared::CWrapperFunctionBuffer llvm_orc_registerJITLoaderGDBAllocAction(const char*, size_t) {
  return llvm::orc::shared::WrapperFunctionBuffer::createOutOfBandError(
             "tvm-ffi-orcjit registers debug objects itself (native/src/jit/debugger.cc)")
      .release();
}
}

namespace orcjit::jit {

using llvm::jitlink::Block;
using llvm::jitlink::LinkGraph;

struct DebugObject {
  jit_code_entry entry{};
  std::unique_ptr<llvm::WritableMemoryBuffer> copy;  // what the debugger reads
  // The linker's input buffer: block contents point into it until allocation copies them.
  const char* input = nullptr;
  size_t input_size = 0;
  struct Sec {
    uint64_t offset, size;
    bool alloc, nobits, exec;
    std::string name;
    bool placed = false;
    uint64_t addr = 0;
  };
  std::vector<Sec> secs;                             // by ELF section index
  std::vector<std::pair<uint64_t, size_t>> by_offset;  // allocated content sections: (offset, index)
  uint64_t shoff = 0;
  std::unordered_map<const Block*, uint64_t> file_offset;  // content blocks -> offset in file
  std::unordered_map<const Block*, size_t> whole;          // block == a whole section -> its index
  uintptr_t code_lo = UINTPTR_MAX, code_hi = 0;            // executable sections' span
  // For source lines, made on first use (under the registry lock).
  std::unique_ptr<llvm::object::ObjectFile> obj;
  std::unique_ptr<llvm::DWARFContext> dwarf;
};

namespace {

std::atomic<int> g_enabled{-1};  // -1: not read from the environment yet

// Every registered object, in list order; guards the descriptor too.
std::mutex& RegistryMu() {
  static auto* mu = new std::mutex();
  return *mu;
}
std::vector<DebugObject*>& Registered() {
  static auto* v = new std::vector<DebugObject*>();
  return *v;
}

void Register(DebugObject* d) {
  std::lock_guard<std::mutex> lock(RegistryMu());
  jit_code_entry* e = &d->entry;
  e->symfile_addr = d->copy->getBufferStart();
  e->symfile_size = d->copy->getBufferSize();
  e->prev_entry = nullptr;
  e->next_entry = __jit_debug_descriptor.first_entry;
  if (e->next_entry) e->next_entry->prev_entry = e;
  __jit_debug_descriptor.first_entry = e;
  __jit_debug_descriptor.relevant_entry = e;
  __jit_debug_descriptor.action_flag = 1;
  __jit_debug_register_code();
  Registered().push_back(d);
}

void Unregister(DebugObject* d) {
  std::lock_guard<std::mutex> lock(RegistryMu());
  auto& v = Registered();
  auto it = std::find(v.begin(), v.end(), d);
  if (it == v.end()) return;
  v.erase(it);
  jit_code_entry* e = &d->entry;
  if (e->prev_entry) e->prev_entry->next_entry = e->next_entry;
  else __jit_debug_descriptor.first_entry = e->next_entry;
  if (e->next_entry) e->next_entry->prev_entry = e->prev_entry;
  __jit_debug_descriptor.relevant_entry = e;
  __jit_debug_descriptor.action_flag = 2;
  __jit_debug_register_code();
  e->next_entry = e->prev_entry = nullptr;
}

/// Section table of `bytes` (an ELF64 little-endian relocatable object, already validated by
/// PrepareObject); false if it cannot be read (the object is then simply not registered).
bool ReadSections(llvm::StringRef bytes, DebugObject* d) {
  auto elf = llvm::object::ELF64LEFile::create(bytes);
  if (!elf) {
    llvm::consumeError(elf.takeError());
    return false;
  }
  auto sections = elf->sections();
  if (!sections) {
    llvm::consumeError(sections.takeError());
    return false;
  }
  auto names = elf->getSectionStringTable(*sections);
  if (!names) {
    llvm::consumeError(names.takeError());
    return false;
  }
  d->shoff = elf->getHeader().e_shoff;
  for (const auto& s : *sections) {
    DebugObject::Sec sec{s.sh_offset, s.sh_size, (s.sh_flags & llvm::ELF::SHF_ALLOC) != 0,
                         s.sh_type == llvm::ELF::SHT_NOBITS,
                         (s.sh_flags & llvm::ELF::SHF_EXECINSTR) != 0, ""};
    auto n = elf->getSectionName(s, *names);
    if (n) sec.name = n->str();
    else llvm::consumeError(n.takeError());
    d->secs.push_back(std::move(sec));
  }
  return true;
}

/// After allocation: each allocated section's address from a block that came from it, then
/// the copy's section headers are patched with those addresses.
void PlaceSections(LinkGraph& g, DebugObject* d) {
  for (auto* b : g.blocks()) {
    uint64_t addr = b->getAddress().getValue();
    auto f = b->isZeroFill() ? d->file_offset.end() : d->file_offset.find(b);
    if (f == d->file_offset.end()) {
      // Zero-fill blocks, and blocks whose bytes a fix-up plugin copied (e.g. instruction
      // rewrites): placed if they still are the whole section they were built from.
      auto w = d->whole.find(b);
      if (w == d->whole.end()) continue;
      auto& sec = d->secs[w->second];
      if (!sec.placed && b->getSize() == sec.size) sec.placed = true, sec.addr = addr;
      continue;
    }
    // The section whose bytes hold the block's (the last one starting at or before them).
    auto it = std::upper_bound(d->by_offset.begin(), d->by_offset.end(),
                               std::make_pair(f->second, SIZE_MAX));
    if (it == d->by_offset.begin()) continue;
    auto& sec = d->secs[std::prev(it)->second];
    if (f->second >= sec.offset + sec.size) continue;
    // Blocks split from one section (e.g. .eh_frame records) keep their offset in it.
    if (!sec.placed) sec.placed = true, sec.addr = addr - (f->second - sec.offset);
  }
  auto* shdrs = reinterpret_cast<llvm::object::ELF64LE::Shdr*>(d->copy->getBufferStart() + d->shoff);
  for (size_t i = 0; i < d->secs.size(); ++i) {
    auto& sec = d->secs[i];
    if (!sec.placed) continue;
    shdrs[i].sh_addr = sec.addr;
    if (sec.exec && sec.size) {
      d->code_lo = std::min<uintptr_t>(d->code_lo, sec.addr);
      d->code_hi = std::max<uintptr_t>(d->code_hi, sec.addr + sec.size);
    }
  }
  d->file_offset.clear();
  d->whole.clear();
  d->input = nullptr;
}

}  // namespace

bool DebuggerEnabled() {
  int v = g_enabled.load(std::memory_order_relaxed);
  if (v < 0) {
    const char* env = std::getenv("ORCJIT_DEBUGGER");
    v = env && std::strcmp(env, "1") == 0;
    g_enabled.store(v, std::memory_order_relaxed);
  }
  return v != 0;
}

void SetDebuggerEnabled(bool on) { g_enabled.store(on ? 1 : 0, std::memory_order_relaxed); }

size_t DebuggerEntryCount() {
  std::lock_guard<std::mutex> lock(RegistryMu());
  size_t n = 0;
  for (auto* e = __jit_debug_descriptor.first_entry; e; e = e->next_entry) ++n;
  return n;
}

DebuggerPlugin::~DebuggerPlugin() {
  // The session ends by removing every resource; this is only a safety net.
  for (auto& [key, objs] : registered_)
    for (auto& d : objs) Unregister(d.get());
}

void DebuggerPlugin::notifyMaterializing(llvm::orc::MaterializationResponsibility& mr, LinkGraph& g,
                                         llvm::jitlink::JITLinkContext&, llvm::MemoryBufferRef object) {
  Library* lib = session_->FindLibrary(mr.getTargetJITDylib());
  if (!lib || !(lib->debugger() || DebuggerEnabled())) return;  // off: nothing else happens
  auto d = std::make_shared<DebugObject>();
  if (!ReadSections(object.getBuffer(), d.get())) return;
  d->copy = llvm::WritableMemoryBuffer::getNewUninitMemBuffer(object.getBufferSize(), object.getBufferIdentifier());
  if (!d->copy) return;
  std::memcpy(d->copy->getBufferStart(), object.getBufferStart(), object.getBufferSize());
  d->input = object.getBufferStart();
  d->input_size = object.getBufferSize();
  // The graph is fresh: each section is one block. Content blocks are found by where their
  // bytes lie in the input; zero-fill blocks, which have none, by NOBITS sections of the same
  // name and size.
  std::unordered_map<uint64_t, size_t> at_offset;  // content section by file offset
  std::vector<size_t> nobits;
  for (size_t i = 0; i < d->secs.size(); ++i) {
    auto& s = d->secs[i];
    if (!s.alloc || s.size == 0) continue;
    if (s.nobits) {
      nobits.push_back(i);
    } else {
      at_offset.emplace(s.offset, i);
      d->by_offset.emplace_back(s.offset, i);
    }
  }
  std::sort(d->by_offset.begin(), d->by_offset.end());
  std::vector<bool> claimed(d->secs.size());
  for (auto& gs : g.sections()) {
    for (auto* b : gs.blocks()) {
      if (!b->isZeroFill()) {
        const char* p = b->getContent().data();
        if (p < d->input || p >= d->input + d->input_size) continue;
        auto it = at_offset.find(uint64_t(p - d->input));
        if (it != at_offset.end() && d->secs[it->second].size == b->getSize()) d->whole[b] = it->second;
        continue;
      }
      for (size_t i : nobits) {
        auto& s = d->secs[i];
        if (claimed[i] || s.size != b->getSize() || s.name != gs.getName()) continue;
        claimed[i] = true;
        d->whole[b] = i;
        break;
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  linking_[&mr] = std::move(d);
}

void DebuggerPlugin::modifyPassConfig(llvm::orc::MaterializationResponsibility& mr, LinkGraph&,
                                      llvm::jitlink::PassConfiguration& config) {
  std::shared_ptr<DebugObject> d;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = linking_.find(&mr);
    if (it == linking_.end()) return;
    d = it->second;
  }
  // Last before allocation (after every plugin's pruning and splitting): blocks whose bytes
  // are still the input's tell which section and offset they came from.
  config.PostPrunePasses.push_back([d](LinkGraph& g) -> llvm::Error {
    for (auto* b : g.blocks()) {
      if (b->isZeroFill()) continue;
      const char* p = b->getContent().data();
      if (p >= d->input && p < d->input + d->input_size) d->file_offset[b] = uint64_t(p - d->input);
    }
    return llvm::Error::success();
  });
  config.PostAllocationPasses.push_back([d](LinkGraph& g) -> llvm::Error {
    PlaceSections(g, d.get());
    return llvm::Error::success();
  });
}

llvm::Error DebuggerPlugin::notifyEmitted(llvm::orc::MaterializationResponsibility& mr) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = linking_.find(&mr);
  if (it == linking_.end()) return llvm::Error::success();
  auto d = std::move(it->second);
  linking_.erase(it);
  // Registered after finalisation (the code is in place, so breakpoints the debugger
  // inserts now are not overwritten) and before any of it runs (initialisers run after).
  return mr.withResourceKeyDo([&](llvm::orc::ResourceKey key) {
    registered_[key].push_back(d);
    Register(d.get());
  });
}

llvm::Error DebuggerPlugin::notifyFailed(llvm::orc::MaterializationResponsibility& mr) {
  std::lock_guard<std::mutex> lock(mu_);
  linking_.erase(&mr);
  return llvm::Error::success();
}

llvm::Error DebuggerPlugin::notifyRemovingResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey key) {
  // Called before the memory is freed.
  std::vector<std::shared_ptr<DebugObject>> objs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = registered_.find(key);
    if (it == registered_.end()) return llvm::Error::success();
    objs = std::move(it->second);
    registered_.erase(it);
  }
  for (auto& d : objs) Unregister(d.get());
  return llvm::Error::success();
}

void DebuggerPlugin::notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey dst,
                                                 llvm::orc::ResourceKey src) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = registered_.find(src);
  if (it == registered_.end()) return;
  auto moved = std::move(it->second);
  registered_.erase(it);
  auto& v = registered_[dst];
  for (auto& d : moved) v.push_back(std::move(d));
}

bool SourceLineForJitAddress(uintptr_t pc, std::string* file, unsigned* line) {
  std::lock_guard<std::mutex> lock(RegistryMu());
  for (DebugObject* d : Registered()) {
    if (pc < d->code_lo || pc >= d->code_hi) continue;
    uint64_t index = llvm::object::SectionedAddress::UndefSection;
    bool found = false;
    for (size_t i = 0; i < d->secs.size(); ++i) {
      auto& s = d->secs[i];
      if (s.exec && s.placed && pc >= s.addr && pc < s.addr + s.size) {
        index = i;
        found = true;
        break;
      }
    }
    if (!found) continue;
    if (!d->dwarf) {
      auto obj = llvm::object::ObjectFile::createObjectFile(d->copy->getMemBufferRef());
      if (!obj) {
        llvm::consumeError(obj.takeError());
        return false;
      }
      d->obj = std::move(*obj);
      // Applies the object's relocations to its DWARF with the patched section addresses.
      d->dwarf = llvm::DWARFContext::create(*d->obj);
    }
    // The unit whose code ranges hold pc, found through the DIEs (relocated): the context's
    // own lookup trusts .debug_aranges, which it reads without relocations (gcc emits them).
    llvm::object::SectionedAddress at{pc, index};
    for (auto& unit : d->dwarf->compile_units()) {
      auto ranges = unit->getUnitDIE().getAddressRanges();
      if (!ranges) {
        llvm::consumeError(ranges.takeError());
        continue;
      }
      bool holds = false;
      for (auto& r : *ranges)
        if (r.SectionIndex == index && pc >= r.LowPC && pc < r.HighPC) holds = true;
      if (!holds) continue;
      const auto* table = d->dwarf->getLineTableForUnit(unit.get());
      llvm::DILineInfo info;
      if (!table || !table->getFileLineInfoForAddress(
                        at, /*Approximate=*/false, unit->getCompilationDir(),
                        llvm::DILineInfoSpecifier::FileLineInfoKind::AbsoluteFilePath, info) ||
          info.Line == 0)
        return false;
      *file = info.FileName;
      *line = info.Line;
      return true;
    }
    return false;
  }
  return false;
}

}  // namespace orcjit::jit
