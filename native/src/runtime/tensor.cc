// Tensor C API: from/to DLPack (legacy and versioned) and unsafe views.
#include "runtime/tensor.h"

#include <cstring>
#include <string>

#include "runtime/api.h"
#include "runtime/error.h"
#include "runtime/object.h"

namespace orcjit::runtime {
namespace {

bool IsContiguous(const DLTensor& t) {
  if (t.strides == nullptr) return true;
  int64_t expected = 1;
  for (int32_t i = t.ndim - 1; i >= 0; --i) {
    if (t.shape[i] != 1 && t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

// Raise and return false if `t` violates the requested alignment/contiguity.
bool CheckImport(const DLTensor& t, int32_t require_alignment, int32_t require_contiguous) {
  if (require_alignment > 0) {
    auto addr = reinterpret_cast<uintptr_t>(t.data) + t.byte_offset;
    if (addr % static_cast<uintptr_t>(require_alignment) != 0) {
      RaiseError("ValueError", "FromDLPack: data is not aligned to " +
                                   std::to_string(require_alignment) + " bytes");
      return false;
    }
  }
  if (require_contiguous && !IsContiguous(t)) {
    RaiseError("ValueError", "FromDLPack: tensor is not contiguous");
    return false;
  }
  if (t.ndim < 0 || (t.ndim > 0 && t.shape == nullptr)) {
    RaiseError("ValueError", "FromDLPack: invalid ndim/shape");
    return false;
  }
  return true;
}

TensorObj* AsTensor(TVMFFIObjectHandle h) {
  auto* obj = static_cast<TVMFFIObject*>(h);
  if (obj == nullptr || obj->type_index != kTVMFFITensor) {
    RaiseError("TypeError", "expected an ffi.Tensor");
    return nullptr;
  }
  return static_cast<TensorObj*>(h);
}

void DeleteLegacyExport(DLManagedTensor* self) {
  DecRef(static_cast<TVMFFIObject*>(self->manager_ctx));
  delete self;
}

void DeleteVersionedExport(DLManagedTensorVersioned* self) {
  DecRef(static_cast<TVMFFIObject*>(self->manager_ctx));
  delete self;
}

}  // namespace

TensorObj::~TensorObj() {
  if (legacy && legacy->deleter) legacy->deleter(legacy);
  if (versioned && versioned->deleter) versioned->deleter(versioned);
  DecRef(source);
  if (ext_release) ext_release(ext_ctx);
}

TensorObj* NewTensor(const DLTensor& proto) {
  int32_t ndim = proto.ndim < 0 ? 0 : proto.ndim;
  TensorObj* t = MakeObject<TensorObj>(kTVMFFITensor, 2 * sizeof(int64_t) * ndim);
  auto* shape = reinterpret_cast<int64_t*>(reinterpret_cast<char*>(t) + sizeof(TensorObj));
  int64_t* strides = shape + ndim;
  if (ndim) std::memcpy(shape, proto.shape, sizeof(int64_t) * ndim);
  if (proto.strides) {
    if (ndim) std::memcpy(strides, proto.strides, sizeof(int64_t) * ndim);
  } else {
    int64_t stride = 1;
    for (int32_t i = ndim - 1; i >= 0; --i) {
      strides[i] = stride;
      stride *= shape[i];
    }
  }
  t->tensor = proto;
  t->tensor.ndim = ndim;
  t->tensor.shape = ndim ? shape : nullptr;
  t->tensor.strides = ndim ? strides : nullptr;
  return t;
}

TVMFFIObject* CreateTensorFromExternal(const DLTensor& proto, void* ctx, void (*release)(void*)) {
  TensorObj* t = NewTensor(proto);
  t->ext_ctx = ctx;
  t->ext_release = release;
  return Header(t);
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int TVMFFITensorFromDLPack(DLManagedTensor* from, int32_t require_alignment,
                                       int32_t require_contiguous, TVMFFIObjectHandle* out) {
  // On failure the caller keeps ownership of `from`.
  ORCJIT_API_BEGIN();
  if (!CheckImport(from->dl_tensor, require_alignment, require_contiguous)) return -1;
  TensorObj* t = NewTensor(from->dl_tensor);
  t->legacy = from;
  *out = t;
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFITensorFromDLPackVersioned(DLManagedTensorVersioned* from,
                                                int32_t require_alignment,
                                                int32_t require_contiguous,
                                                TVMFFIObjectHandle* out) {
  ORCJIT_API_BEGIN();
  if (from->version.major > DLPACK_MAJOR_VERSION) {
    RaiseError("ValueError", "FromDLPack: unsupported DLPack major version " +
                                 std::to_string(from->version.major));
    return -1;
  }
  if (!CheckImport(from->dl_tensor, require_alignment, require_contiguous)) return -1;
  TensorObj* t = NewTensor(from->dl_tensor);
  t->versioned = from;
  t->dlpack_flags = from->flags;
  *out = t;
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFITensorToDLPack(TVMFFIObjectHandle from, DLManagedTensor** out) {
  ORCJIT_API_BEGIN();
  TensorObj* t = AsTensor(from);
  if (!t) return -1;
  auto* mt = new DLManagedTensor();
  mt->dl_tensor = t->tensor;  // shape/strides stay valid: the export holds a reference
  mt->manager_ctx = t;
  mt->deleter = &DeleteLegacyExport;
  IncRef(Header(t));
  *out = mt;
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFITensorToDLPackVersioned(TVMFFIObjectHandle from,
                                              DLManagedTensorVersioned** out) {
  ORCJIT_API_BEGIN();
  TensorObj* t = AsTensor(from);
  if (!t) return -1;
  auto* mt = new DLManagedTensorVersioned();
  mt->version.major = DLPACK_MAJOR_VERSION;
  mt->version.minor = DLPACK_MINOR_VERSION;
  mt->manager_ctx = t;
  mt->deleter = &DeleteVersionedExport;
  mt->flags = t->dlpack_flags & ~static_cast<uint64_t>(DLPACK_FLAG_BITMASK_IS_COPIED);
  mt->dl_tensor = t->tensor;
  IncRef(Header(t));
  *out = mt;
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFITensorCreateUnsafeView(TVMFFIObjectHandle source, const DLTensor* prototype,
                                             TVMFFIObjectHandle* out) {
  ORCJIT_API_BEGIN();
  TensorObj* t = NewTensor(*prototype);
  t->source = static_cast<TVMFFIObject*>(source);
  IncRef(t->source);
  *out = t;
  ORCJIT_API_END();
}

}  // extern "C"
