// TVMFFIEnvTensorAlloc and the DLPack managed-tensor allocator: per thread, else global, else
// the builtin CPU allocator (64-byte aligned, sub-byte elements padded to one byte each).
#include <tvm/ffi/extra/c_env_api.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/error.h"

namespace orcjit::runtime {
namespace {

constexpr size_t kCPUAlignment = 64;

struct CPUManaged {
  DLManagedTensorVersioned managed;
  // shape storage follows
};

void DeleteCPUManaged(DLManagedTensorVersioned* self) {
  std::free(self->dl_tensor.data);
  std::free(self);
}

int DefaultCPUAllocator(DLTensor* prototype, DLManagedTensorVersioned** out, void* error_ctx,
                        void (*set_error)(void*, const char*, const char*)) {
  if (prototype->device.device_type != kDLCPU) {
    set_error(error_ctx, "RuntimeError",
              ("the builtin tensor allocator only allocates CPU memory (device type " +
               std::to_string(prototype->device.device_type) +
               "); register one with TVMFFIEnvSetDLPackManagedTensorAllocator")
                  .c_str());
    return -1;
  }
  int64_t numel = 1;
  for (int32_t i = 0; i < prototype->ndim; ++i) {
    if (prototype->shape[i] < 0) {
      set_error(error_ctx, "ValueError", "negative dimension in tensor shape");
      return -1;
    }
    numel *= prototype->shape[i];
  }
  int32_t lanes = static_cast<int16_t>(prototype->dtype.lanes);
  if (lanes < 0) lanes = -lanes;  // scalable vectors: allocate the minimum
  size_t elem_bytes = (static_cast<size_t>(prototype->dtype.bits) * lanes + 7) / 8;
  size_t nbytes = static_cast<size_t>(numel) * elem_bytes;
  size_t rounded = (nbytes + kCPUAlignment - 1) / kCPUAlignment * kCPUAlignment;
  void* data = std::aligned_alloc(kCPUAlignment, rounded ? rounded : kCPUAlignment);
  size_t ndim = prototype->ndim > 0 ? static_cast<size_t>(prototype->ndim) : 0;
  auto* m = static_cast<CPUManaged*>(std::malloc(sizeof(CPUManaged) + ndim * sizeof(int64_t)));
  if (!data || !m) {
    std::free(data);
    std::free(m);
    set_error(error_ctx, "MemoryError", "out of memory allocating a tensor");
    return -1;
  }
  auto* shape = reinterpret_cast<int64_t*>(m + 1);
  if (ndim) std::memcpy(shape, prototype->shape, ndim * sizeof(int64_t));
  m->managed.version.major = DLPACK_MAJOR_VERSION;
  m->managed.version.minor = DLPACK_MINOR_VERSION;
  m->managed.manager_ctx = nullptr;
  m->managed.deleter = &DeleteCPUManaged;
  m->managed.flags = (prototype->dtype.bits * lanes < 8) ? DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED
                                                          : 0;
  DLTensor& t = m->managed.dl_tensor;
  t.data = data;
  t.device = prototype->device;
  t.ndim = static_cast<int32_t>(ndim);
  t.dtype = prototype->dtype;
  t.shape = ndim ? shape : nullptr;
  t.strides = nullptr;
  t.byte_offset = 0;
  *out = &m->managed;
  return 0;
}

std::atomic<DLPackManagedTensorAllocator> global_allocator{nullptr};
thread_local DLPackManagedTensorAllocator thread_allocator = nullptr;

struct AllocError {
  std::string kind = "RuntimeError";
  std::string message = "tensor allocator failed";
};

void SetAllocError(void* ctx, const char* kind, const char* message) {
  auto* e = static_cast<AllocError*>(ctx);
  if (kind) e->kind = kind;
  if (message) e->message = message;
}

}  // namespace
}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int TVMFFIEnvSetDLPackManagedTensorAllocator(
    DLPackManagedTensorAllocator allocator, int write_to_global_context,
    DLPackManagedTensorAllocator* opt_out_original_allocator) {
  if (opt_out_original_allocator) {
    *opt_out_original_allocator = TVMFFIEnvGetDLPackManagedTensorAllocator();
  }
  if (write_to_global_context) {
    global_allocator.store(allocator, std::memory_order_release);
  } else {
    thread_allocator = allocator;
  }
  return 0;
}

TVM_FFI_DLL DLPackManagedTensorAllocator TVMFFIEnvGetDLPackManagedTensorAllocator(void) {
  if (thread_allocator) return thread_allocator;
  DLPackManagedTensorAllocator g = global_allocator.load(std::memory_order_acquire);
  return g ? g : &DefaultCPUAllocator;
}

TVM_FFI_DLL int TVMFFIEnvTensorAlloc(DLTensor* prototype, TVMFFIObjectHandle* out) {
  ORCJIT_API_BEGIN();
  DLManagedTensorVersioned* managed = nullptr;
  AllocError err;
  if (TVMFFIEnvGetDLPackManagedTensorAllocator()(prototype, &managed, &err, &SetAllocError) != 0 ||
      managed == nullptr) {
    RaiseError(err.kind.c_str(), err.message);
    return -1;
  }
  if (TVMFFITensorFromDLPackVersioned(managed, 0, 0, out) != 0) {
    if (managed->deleter) managed->deleter(managed);
    return -1;
  }
  ORCJIT_API_END();
}

}  // extern "C"
