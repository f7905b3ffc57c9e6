// The type table: static indices 0-12 and 64-77 pre-registered, dynamic indices from 128.
#pragma once
#include <tvm/ffi/c_api.h>

namespace orcjit::runtime {

/// Type info of `type_index`, or nullptr if it is not registered (never aborts).
const TVMFFITypeInfo* FindTypeInfo(int32_t type_index);

}  // namespace orcjit::runtime
