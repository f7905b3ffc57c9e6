#include "jit/near_memory.h"

#include "jit/crash_guard.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "llvm/ExecutionEngine/Orc/Shared/AllocationActions.h"
#include "llvm/Support/Memory.h"

namespace orcjit::jit {
namespace {

constexpr uintptr_t kMiB = uintptr_t(1) << 20;
constexpr uintptr_t kReach = uintptr_t(2048) * kMiB;  // ±2 GiB: 32-bit fixups
constexpr uintptr_t kHeapRoom = 256 * kMiB;            // the brk heap grows above the image
constexpr uintptr_t kMargin = 16 * kMiB;               // addends, stubs placed after a block
constexpr uintptr_t kStep = 16 * kMiB;                 // candidate spacing in the window
constexpr size_t kReturnPages = 256 * 1024;            // freed ranges this large: MADV_DONTNEED

struct Window {
  uintptr_t lo = 0, hi = 0;  // usable [lo, hi); empty if no image was found
};

int FirstObject(dl_phdr_info* info, size_t, void* data) {
  auto* image = static_cast<std::pair<uintptr_t, uintptr_t>*>(data);
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t a = info->dlpi_addr + ph.p_vaddr;
    lo = std::min(lo, a);
    hi = std::max(hi, a + ph.p_memsz);
  }
  if (hi > lo) *image = {lo, hi};
  return 1;  // the first object is the main program
}

// Addresses whose distance to every byte of the executable image is below 2 GiB (minus a
// margin), starting past the brk heap room; for a low (non-PIE) image also below 2 GiB, so
// that -fno-pic's sign-extended 32-bit absolute fixups reach JIT memory too.
const Window& GetWindow() {
  static Window w = [] {
    std::pair<uintptr_t, uintptr_t> image{0, 0};
    dl_iterate_phdr(FirstObject, &image);
    Window out;
    if (image.second <= image.first) return out;
    uintptr_t start = (image.second + kHeapRoom + kStep - 1) & ~(kStep - 1);
    uintptr_t end = image.first + kReach - kMargin;
    if (image.first < kReach) end = std::min(end, kReach - kMargin);
    if (end > start) out = {start, end};
    return out;
  }();
  return w;
}

void* MapAt(uintptr_t addr, size_t bytes) {
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
#ifdef MAP_FIXED_NOREPLACE
  if (addr) flags |= MAP_FIXED_NOREPLACE;
#endif
  void* p = mmap(reinterpret_cast<void*>(addr), bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  if (addr && reinterpret_cast<uintptr_t>(p) != addr) {  // kernel without MAP_FIXED_NOREPLACE
    munmap(p, bytes);
    return nullptr;
  }
  return p;
}

bool Has(llvm::orc::MemProt prot, llvm::orc::MemProt bit) {
  return (unsigned(prot) & unsigned(bit)) != 0;
}

unsigned ProtFlags(llvm::orc::MemProt prot) {
  unsigned flags = 0;
  if (Has(prot, llvm::orc::MemProt::Read)) flags |= llvm::sys::Memory::MF_READ;
  if (Has(prot, llvm::orc::MemProt::Write)) flags |= llvm::sys::Memory::MF_WRITE;
  if (Has(prot, llvm::orc::MemProt::Exec)) flags |= llvm::sys::Memory::MF_EXEC;
  return flags;
}

}  // namespace

bool NearImageWindowAvailable() { return GetWindow().hi > GetWindow().lo; }

size_t NearImageMapper::DefaultGranularity() {
  return NearImageWindowAvailable() ? 256 * kMiB : 1024 * kMiB;
}

NearImageMapper::NearImageMapper() : page_size_(unsigned(sysconf(_SC_PAGESIZE))) {}

NearImageMapper::~NearImageMapper() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [base, size] : reservations_) {
    RemoveJitRange(base);  // [i15] crash_guard.h
    munmap(reinterpret_cast<void*>(base), size);
  }
}

void NearImageMapper::reserve(size_t bytes, OnReservedFunction on_reserved) {
  bytes = (bytes + page_size_ - 1) & ~size_t(page_size_ - 1);
  void* p = nullptr;
  const Window& w = GetWindow();
  for (uintptr_t a = w.lo; !p && a + bytes <= w.hi && a + bytes > a; a += kStep) p = MapAt(a, bytes);
  if (!p) p = MapAt(0, bytes);  // anywhere: -fPIC objects do not care
  if (!p) {
    on_reserved(llvm::make_error<llvm::StringError>(
        "cannot reserve " + std::to_string(bytes) + " bytes of JIT memory: " + std::strerror(errno),
        llvm::inconvertibleErrorCode()));
    return;
  }
  auto base = reinterpret_cast<uintptr_t>(p);
  {
    std::lock_guard<std::mutex> lock(mu_);
    reservations_[base] = bytes;
  }
  AddJitRange(base, bytes);  // [i15] faults here are containable (crash_guard.h)
  on_reserved(llvm::orc::ExecutorAddrRange(llvm::orc::ExecutorAddr(base),
                                           llvm::orc::ExecutorAddrDiff(bytes)));
}

char* NearImageMapper::prepare(llvm::jitlink::LinkGraph&, llvm::orc::ExecutorAddr addr, size_t) {
  return addr.toPtr<char*>();  // in process: JITLink writes the final memory directly
}

void NearImageMapper::initialize(AllocInfo& ai, OnInitializedFunction on_initialized) {
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (auto& seg : ai.Segments) {
    char* base = (ai.MappingBase + seg.Offset).toPtr<char*>();
    std::memset(base + seg.ContentSize, 0, seg.ZeroFillSize);
    size_t size = seg.ContentSize + seg.ZeroFillSize;
    uintptr_t b = reinterpret_cast<uintptr_t>(base);
    lo = std::min(lo, b);
    hi = std::max(hi, b + size);
    uintptr_t pb = b & ~uintptr_t(page_size_ - 1);
    size_t len = ((b + size + page_size_ - 1) & ~uintptr_t(page_size_ - 1)) - pb;
    if (auto ec = llvm::sys::Memory::protectMappedMemory(
            llvm::sys::MemoryBlock(reinterpret_cast<void*>(pb), len), ProtFlags(seg.AG.getMemProt()))) {
      on_initialized(llvm::errorCodeToError(ec));
      return;
    }
    if (Has(seg.AG.getMemProt(), llvm::orc::MemProt::Exec))
      llvm::sys::Memory::InvalidateInstructionCache(base, size);
  }
  auto dealloc = llvm::orc::shared::runFinalizeActions(ai.Actions);
  if (!dealloc) {
    on_initialized(dealloc.takeError());
    return;
  }
  if (lo > hi) lo = hi = ai.MappingBase.getValue();
  {
    std::lock_guard<std::mutex> lock(mu_);
    allocations_[lo] = {hi - lo, std::move(*dealloc)};
  }
  on_initialized(llvm::orc::ExecutorAddr(lo));
}

void NearImageMapper::deinitialize(llvm::ArrayRef<llvm::orc::ExecutorAddr> allocations,
                                   OnDeinitializedFunction on_deinitialized) {
  llvm::Error err = llvm::Error::success();
  for (auto it = allocations.rbegin(); it != allocations.rend(); ++it) {
    Allocation a;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto found = allocations_.find(it->getValue());
      if (found == allocations_.end()) continue;
      a = std::move(found->second);
      allocations_.erase(found);
    }
    err = llvm::joinErrors(std::move(err), llvm::orc::shared::runDeallocActions(a.dealloc));
    // Back to read-write for reuse, and the pages go back to the system.
    uintptr_t pb = it->getValue() & ~uintptr_t(page_size_ - 1);
    size_t len = ((it->getValue() + a.size + page_size_ - 1) & ~uintptr_t(page_size_ - 1)) - pb;
    if (len) {
      mprotect(reinterpret_cast<void*>(pb), len, PROT_READ | PROT_WRITE);
      // Large ranges go back to the system. A small one (a library of a few objects) keeps
      // its pages: the next link reuses the range, and returning them made every link of a
      // create/dispose loop take a page fault per page (a zeroed page each) for nothing.
      if (len >= kReturnPages) madvise(reinterpret_cast<void*>(pb), len, MADV_DONTNEED);
    }
  }
  on_deinitialized(std::move(err));
}

void NearImageMapper::release(llvm::ArrayRef<llvm::orc::ExecutorAddr> reservations,
                              OnReleasedFunction on_released) {
  llvm::Error err = llvm::Error::success();
  for (auto base : reservations) {
    size_t size = 0;
    std::vector<llvm::orc::ExecutorAddr> inside;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto r = reservations_.find(base.getValue());
      if (r == reservations_.end()) continue;
      size = r->second;
      reservations_.erase(r);
      RemoveJitRange(base.getValue());  // [i15] crash_guard.h
      for (auto& [a, alloc] : allocations_)
        if (a >= base.getValue() && a < base.getValue() + size) inside.push_back(llvm::orc::ExecutorAddr(a));
    }
    if (!inside.empty()) {
      // Allocations still initialized: run their deallocation actions first.
      deinitialize(inside, [&err](llvm::Error e) { err = llvm::joinErrors(std::move(err), std::move(e)); });
    }
    if (munmap(base.toPtr<void*>(), size) != 0)
      err = llvm::joinErrors(std::move(err), llvm::errorCodeToError(std::error_code(errno, std::generic_category())));
  }
  on_released(std::move(err));
}

}  // namespace orcjit::jit
