// String/Bytes values: SmallStr/SmallBytes inline (<= 7 bytes) or a heap object with the
// characters inline right after the 40-byte object, NUL-terminated (TVM_FFI_ABI.md §1.2, §1.5).
#pragma once
#include <tvm/ffi/c_api.h>

#include <cstddef>

namespace orcjit::runtime {

struct BytesObj {
  TVMFFIObject header;
  TVMFFIByteArray cell;  // data points at the inline characters that follow the object
};
static_assert(sizeof(BytesObj) == 40, "String/Bytes objects are 40 bytes before the chars");

/// Owned SmallStr/Str (is_bytes false) or SmallBytes/Bytes value. Throws std::bad_alloc.
TVMFFIAny MakeStringAny(const char* data, std::size_t size, bool is_bytes);

/// Borrowed byte range of a string-like value (RawStr, ByteArrayPtr, Small*, Str, Bytes).
/// Returns false if `v` is not string-like.
bool GetStringBytes(const TVMFFIAny* v, TVMFFIByteArray* out);

}  // namespace orcjit::runtime
