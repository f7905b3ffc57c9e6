/*
 * tvm-ffi-orcjit C++ authoring API: common macros and small helpers.
 * Clean-room implementation of the tvm-ffi C++ API shape (same names and include paths).
 * Nothing in these headers uses thread_local: per-thread state lives in the runtime and is
 * reached through the C API only.
 */
#ifndef TVM_FFI_BASE_DETAILS_H_
#define TVM_FFI_BASE_DETAILS_H_

#include <tvm/ffi/c_api.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#if defined(_MSC_VER)
#define TVM_FFI_INLINE __forceinline
#define TVM_FFI_NO_INLINE __declspec(noinline)
#define TVM_FFI_UNREACHABLE() __assume(false)
#define TVM_FFI_FUNC_SIG __FUNCSIG__
#define TVM_FFI_PREDICT_TRUE(x) (x)
#define TVM_FFI_PREDICT_FALSE(x) (x)
#else
#define TVM_FFI_INLINE inline __attribute__((always_inline))
#define TVM_FFI_NO_INLINE __attribute__((noinline))
#define TVM_FFI_UNREACHABLE() __builtin_unreachable()
#define TVM_FFI_FUNC_SIG __PRETTY_FUNCTION__
#define TVM_FFI_PREDICT_TRUE(x) __builtin_expect(!!(x), 1)
#define TVM_FFI_PREDICT_FALSE(x) __builtin_expect(!!(x), 0)
#endif

#define TVM_FFI_STR_CONCAT_(a, b) a##b
#define TVM_FFI_STR_CONCAT(a, b) TVM_FFI_STR_CONCAT_(a, b)
#define TVM_FFI_STRINGIFY_(x) #x
#define TVM_FFI_STRINGIFY(x) TVM_FFI_STRINGIFY_(x)

#if defined(__COUNTER__)
#define TVM_FFI_UNIQUE_ID __COUNTER__
#else
#define TVM_FFI_UNIQUE_ID __LINE__
#endif

#define TVM_FFI_CLEAR_PTR_PADDING_IN_FFI_ANY(any) \
  if constexpr (sizeof((any)->v_ptr) != sizeof((any)->v_int64)) (any)->v_int64 = 0

namespace tvm {
namespace ffi {
namespace details {

/*! \brief Make a TVMFFIByteArray over (data, size). */
TVM_FFI_INLINE TVMFFIByteArray MakeByteArray(const char* data, size_t size) {
  TVMFFIByteArray arr;
  arr.data = data;
  arr.size = size;
  return arr;
}

/*! \brief Constant-time-ish NUL length (no <cstring> dependency in hot headers). */
TVM_FFI_INLINE size_t CStrLen(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

}  // namespace details
}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_BASE_DETAILS_H_
