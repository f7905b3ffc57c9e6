// Object C API: version, inc/dec ref, opaque objects, and the allocator for runtime objects
// (body placed alignof(max_align_t) after the allocation base, TVMFFIObjectAllocHeader before it).
#include "runtime/object.h"

#include <atomic>
#include <cstdlib>
#include <string>

#include "runtime/error.h"

namespace orcjit::runtime {
namespace {

constexpr std::size_t kBodyOffset = alignof(std::max_align_t);
static_assert(kBodyOffset >= sizeof(void*) + sizeof(TVMFFIObjectAllocHeader),
              "room for the allocator pointer and the alloc header");

void* DefaultAllocate(std::size_t size, std::size_t alignment) {
  if (alignment < alignof(std::max_align_t)) alignment = alignof(std::max_align_t);
  void* p = nullptr;
  if (posix_memalign(&p, alignment, size) != 0) return nullptr;
  return p;
}
void DefaultDeallocate(void* ptr) { std::free(ptr); }

TVMFFICustomAllocator default_allocator = {&DefaultAllocate, &DefaultDeallocate};
std::atomic<TVMFFICustomAllocator*> current_allocator{&default_allocator};

// Runtime-allocated objects alive now (debug counter for leak tests, see OrcjitDebugLiveObjects).
std::atomic<int64_t> live_objects{0};

// Layout: [base: TVMFFICustomAllocator* used][alloc header][body...]
void DeleteSpace(void* body) {
  live_objects.fetch_sub(1, std::memory_order_relaxed);
  char* base = static_cast<char*>(body) - kBodyOffset;
  auto* alloc = *reinterpret_cast<TVMFFICustomAllocator**>(base);
  alloc->deallocate(base);
}

// Opaque foreign handle wrapper (cell at offset 24).
struct OpaqueObj {
  TVMFFIObject header;
  TVMFFIOpaqueObjectCell cell;
  void (*handle_deleter)(void*);
  ~OpaqueObj() {
    if (handle_deleter) handle_deleter(cell.handle);
  }
};

}  // namespace

void* AllocObjectBody(std::size_t size) {
  TVMFFICustomAllocator* alloc = current_allocator.load(std::memory_order_acquire);
  char* base = static_cast<char*>(alloc->allocate(size + kBodyOffset, alignof(std::max_align_t)));
  if (!base) throw std::bad_alloc();
  live_objects.fetch_add(1, std::memory_order_relaxed);
  *reinterpret_cast<TVMFFICustomAllocator**>(base) = alloc;
  char* body = base + kBodyOffset;
  reinterpret_cast<TVMFFIObjectAllocHeader*>(body - sizeof(TVMFFIObjectAllocHeader))
      ->delete_space = &DeleteSpace;
  return body;
}

void FreeObjectBody(void* body) {
  auto* hdr = reinterpret_cast<TVMFFIObjectAllocHeader*>(static_cast<char*>(body) -
                                                         sizeof(TVMFFIObjectAllocHeader));
  hdr->delete_space(body);
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL void TVMFFIGetVersion(TVMFFIVersion* out) {
  out->major = TVM_FFI_VERSION_MAJOR;
  out->minor = TVM_FFI_VERSION_MINOR;
  out->patch = TVM_FFI_VERSION_PATCH;
}

TVM_FFI_DLL int TVMFFIObjectIncRef(TVMFFIObjectHandle obj) {
  IncRef(static_cast<TVMFFIObject*>(obj));
  return 0;
}

TVM_FFI_DLL int TVMFFIObjectDecRef(TVMFFIObjectHandle obj) {
  DecRef(static_cast<TVMFFIObject*>(obj));
  return 0;
}

TVM_FFI_DLL int TVMFFIObjectCreateOpaque(void* handle, int32_t type_index,
                                         void (*deleter)(void* handle), TVMFFIObjectHandle* out) {
  ORCJIT_API_BEGIN();
  if (type_index != kTVMFFIOpaquePyObject) {
    RaiseError("ValueError", "TVMFFIObjectCreateOpaque: only type index " +
                                 std::to_string(kTVMFFIOpaquePyObject) +
                                 " (ffi.OpaquePyObject) is supported, got " +
                                 std::to_string(type_index));
    return -1;
  }
  OpaqueObj* obj = MakeObject<OpaqueObj>(type_index, 0);
  obj->cell.handle = handle;
  obj->handle_deleter = deleter;
  *out = obj;
  ORCJIT_API_END();
}

// Not part of the TVM-FFI ABI: number of objects the runtime allocated and has not freed yet.
// Defined for JIT code by jit/session.cc (outside the 48-entry C API table) so leak tests can read it from a kernel.
TVM_FFI_DLL int64_t OrcjitDebugLiveObjects(void) { return live_objects.load(std::memory_order_relaxed); }

TVM_FFI_DLL TVMFFICustomAllocator* TVMFFIGetCustomAllocator(void) {
  return current_allocator.load(std::memory_order_acquire);
}

TVM_FFI_DLL int TVMFFISetCustomAllocator(TVMFFICustomAllocator* allocator) {
  // Objects remember the allocator that made them, so swapping never mismatches frees; the
  // caller must keep `allocator` alive while such objects exist.
  current_allocator.store(allocator ? allocator : &default_allocator, std::memory_order_release);
  return 0;
}

}  // extern "C"
