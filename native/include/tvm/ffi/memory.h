/*
 * tvm-ffi-orcjit C++ authoring API: object allocation. make_object<T>(args...) and
 * make_inplace_array_object<T, Elem>(n, args...) are defined in object.h (objects are plain
 * malloc/posix_memalign blocks whose deleter runs ~T and frees them, TVM_FFI_ABI.md §1.4);
 * this header gives them their upstream home and the allocator class names.
 */
#ifndef TVM_FFI_MEMORY_H_
#define TVM_FFI_MEMORY_H_

#include <tvm/ffi/object.h>

#include <cstddef>
#include <utility>

namespace tvm {
namespace ffi {

/*! \brief The allocator behind make_object: each object is one heap block. */
class SimpleObjAllocator {
 public:
  template <typename T, typename... Args>
  ObjectPtr<T> make_object(Args&&... args) {
    return ::tvm::ffi::make_object<T>(std::forward<Args>(args)...);
  }
  template <typename ArrayType, typename ElemType, typename... Args>
  ObjectPtr<ArrayType> make_inplace_array(size_t num_elems, Args&&... args) {
    return ::tvm::ffi::make_inplace_array_object<ArrayType, ElemType>(
        num_elems, std::forward<Args>(args)...);
  }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_MEMORY_H_
