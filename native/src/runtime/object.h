// Object header helpers shared by the runtime: the combined strong/weak refcount protocol
// (must match what user objects inline; see TVM_FFI_ABI.md §1.4) and allocation of the
// objects the runtime itself creates.
#pragma once
#include <tvm/ffi/c_api.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace orcjit::runtime {

constexpr uint64_t kCombinedRefCountOne = (uint64_t{1} << 32) | 1;  // strong 1, weak 1
constexpr uint64_t kWeakOne = uint64_t{1} << 32;

inline void IncRef(TVMFFIObject* obj) {
  if (obj) __atomic_fetch_add(&obj->combined_ref_count, 1, __ATOMIC_RELAXED);
}

// acq_rel on the decrement (rather than release + an acquire fence when it reaches zero):
// the same ordering, the same `lock xadd` on x86-64, and ThreadSanitizer understands it
// (it does not model standalone fences: objects freed by another worker thread than the
// one that last used them were reported as races).
inline void DecRef(TVMFFIObject* obj) {
  if (!obj) return;
  uint64_t old = __atomic_fetch_sub(&obj->combined_ref_count, 1, __ATOMIC_ACQ_REL);
  if (old == kCombinedRefCountOne) {
    // Last strong and only weak reference: destroy and free in one go.
    if (obj->deleter) obj->deleter(obj, kTVMFFIObjectDeleterFlagBitMaskBoth);
  } else if ((old & 0xFFFFFFFFu) == 1) {
    if (obj->deleter) obj->deleter(obj, kTVMFFIObjectDeleterFlagBitMaskStrong);
    // The strong side holds one weak reference; drop it.
    if (__atomic_fetch_sub(&obj->combined_ref_count, kWeakOne, __ATOMIC_ACQ_REL) == kWeakOne) {
      if (obj->deleter) obj->deleter(obj, kTVMFFIObjectDeleterFlagBitMaskWeak);
    }
  }
}

inline uint32_t StrongCount(const TVMFFIObject* obj) {
  return static_cast<uint32_t>(__atomic_load_n(&obj->combined_ref_count, __ATOMIC_RELAXED));
}

/// Storage for a runtime-made object body of `size` bytes, through the current custom
/// allocator; a TVMFFIObjectAllocHeader sits right before the body. Throws std::bad_alloc.
void* AllocObjectBody(std::size_t size);
/// Release storage from AllocObjectBody (calls the alloc header's delete_space).
void FreeObjectBody(void* body);

/// Deleter for a runtime object type T whose first member is the TVMFFIObject header.
template <typename T>
void ObjectDeleter(void* self, int flags) {
  T* p = static_cast<T*>(self);
  if (flags & kTVMFFIObjectDeleterFlagBitMaskStrong) p->~T();
  if (flags & kTVMFFIObjectDeleterFlagBitMaskWeak) FreeObjectBody(p);
}

/// Construct a T (first member: TVMFFIObject header) with `extra` trailing bytes, refcount
/// strong=1/weak=1. Throws std::bad_alloc.
template <typename T, typename... Args>
T* MakeObject(int32_t type_index, std::size_t extra, Args&&... args) {
  void* mem = AllocObjectBody(sizeof(T) + extra);
  T* p = new (mem) T(std::forward<Args>(args)...);
  TVMFFIObject* h = reinterpret_cast<TVMFFIObject*>(p);
  h->combined_ref_count = kCombinedRefCountOne;
  h->type_index = type_index;
  h->__padding = 0;
  h->deleter = &ObjectDeleter<T>;
  return p;
}

/// Header of a runtime object as TVMFFIObject*.
template <typename T>
TVMFFIObject* Header(T* p) {
  return reinterpret_cast<TVMFFIObject*>(p);
}

}  // namespace orcjit::runtime
