/*
 * tvm-ffi-orcjit C++ authoring API: byte order. TVM_FFI_LITTLE_ENDIAN is 1 on little-endian
 * targets; TVM_FFI_IO_NO_ENDIAN_SWAP is 1 when serialized data (little-endian by convention)
 * needs no swap. ByteSwap reverses the bytes of `num_elems` elements of `elem_bytes` each.
 */
#ifndef TVM_FFI_ENDIAN_H_
#define TVM_FFI_ENDIAN_H_

#include <cstddef>
#include <cstdint>

#ifndef TVM_FFI_LITTLE_ENDIAN
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define TVM_FFI_LITTLE_ENDIAN 0
#else
#define TVM_FFI_LITTLE_ENDIAN 1
#endif
#endif

#define TVM_FFI_IO_NO_ENDIAN_SWAP TVM_FFI_LITTLE_ENDIAN

namespace tvm {
namespace ffi {

/*! \brief Reverse the byte order of each element in place. */
inline void ByteSwap(void* data, size_t elem_bytes, size_t num_elems) {
  auto* p = static_cast<uint8_t*>(data);
  for (size_t e = 0; e < num_elems; ++e, p += elem_bytes) {
    for (size_t i = 0, j = elem_bytes - 1; i < j; ++i, --j) {
      uint8_t t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
  }
}

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_ENDIAN_H_
