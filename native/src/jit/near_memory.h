// JIT memory placed within ±2 GiB of the host executable's image.
//
// Objects compiled as PIE (gcc's default on Debian) reach data they expect in the
// executable (std::cout, libstdc++ vtables: the non-PIE node binary holds copy-relocated
// instances) with 32-bit PC-relative fixups; -fno-pic objects use 32-bit absolute fixups.
// Neither can be routed through a GOT after the fact. Both work when the JIT memory lies
// near the image (for a low, non-PIE image that also means below 2 GiB).
//
// NearImageMapper is an in-process MemoryMapper (working memory is the final memory) whose
// reservations are taken from a window above the image, leaving room for the brk heap that
// follows it. When the window is full, reservations go anywhere: objects compiled with
// -fPIC still link there, PIE/non-PIC ones then fail with an error naming -fPIC.
#pragma once
#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

#include "llvm/ExecutionEngine/Orc/MemoryMapper.h"

namespace orcjit::jit {

class NearImageMapper : public llvm::orc::MemoryMapper {
 public:
  NearImageMapper();
  ~NearImageMapper() override;

  unsigned int getPageSize() override { return page_size_; }
  void reserve(size_t bytes, OnReservedFunction on_reserved) override;
  char* prepare(llvm::jitlink::LinkGraph& g, llvm::orc::ExecutorAddr addr, size_t size) override;
  void initialize(AllocInfo& ai, OnInitializedFunction on_initialized) override;
  void deinitialize(llvm::ArrayRef<llvm::orc::ExecutorAddr> allocations,
                    OnDeinitializedFunction on_deinitialized) override;
  void release(llvm::ArrayRef<llvm::orc::ExecutorAddr> reservations,
               OnReleasedFunction on_released) override;

  /// Reservation size to use: small enough that several sessions fit in the window.
  static size_t DefaultGranularity();

 private:
  struct Allocation {
    size_t size;
    std::vector<llvm::orc::shared::WrapperFunctionCall> dealloc;
  };
  std::mutex mu_;
  std::map<uintptr_t, size_t> reservations_;     // base -> size
  std::map<uintptr_t, Allocation> allocations_;  // base -> allocation
  unsigned page_size_;
};

/// True if `addr` lies where 32-bit fixups from near JIT memory reach (for messages).
bool NearImageWindowAvailable();

}  // namespace orcjit::jit
