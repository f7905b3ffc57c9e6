// ffi.Tensor objects made by the runtime: a DLTensor at offset 24 (TVM_FFI_ABI.md §1.5); the
// private tail records who owns the memory. shape/strides live inline after the object and
// strides are always filled in (compact row-major when the producer gave none).
#pragma once
#include <tvm/ffi/c_api.h>

namespace orcjit::runtime {

struct TensorObj {
  TVMFFIObject header;
  DLTensor tensor;
  // ---- private: exactly one of these owns the memory (or none for borrowed views)
  DLManagedTensor* legacy = nullptr;
  DLManagedTensorVersioned* versioned = nullptr;
  TVMFFIObject* source = nullptr;  // strong ref (unsafe views)
  void* ext_ctx = nullptr;
  void (*ext_release)(void*) = nullptr;
  uint64_t dlpack_flags = 0;  // flags carried from/to versioned DLPack

  ~TensorObj();
};

/// New tensor object describing `proto` (shape/strides copied). Throws std::bad_alloc.
TensorObj* NewTensor(const DLTensor& proto);

}  // namespace orcjit::runtime
