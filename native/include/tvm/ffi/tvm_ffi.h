/*
 * tvm-ffi-orcjit C++ authoring API: umbrella header (everything below tvm/ffi).
 */
#ifndef TVM_FFI_TVM_FFI_H_
#define TVM_FFI_TVM_FFI_H_

#include <tvm/ffi/c_api.h>
#include <tvm/ffi/extra/c_env_api.h>
#include <tvm/ffi/base_details.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/string.h>
#include <tvm/ffi/any.h>
#include <tvm/ffi/optional.h>
#include <tvm/ffi/dtype.h>
#include <tvm/ffi/function.h>
#include <tvm/ffi/container/array.h>
#include <tvm/ffi/container/map.h>
#include <tvm/ffi/container/shape.h>
#include <tvm/ffi/container/tensor.h>
#include <tvm/ffi/reflection/registry.h>
#include <tvm/ffi/extra/module.h>
#include <tvm/ffi/type_traits.h>
#include <tvm/ffi/cast.h>
#include <tvm/ffi/expected.h>
#include <tvm/ffi/rvalue_ref.h>
#include <tvm/ffi/memory.h>
#include <tvm/ffi/device.h>
#include <tvm/ffi/endian.h>
#include <tvm/ffi/enum.h>
#include <tvm/ffi/container/tuple.h>
#include <tvm/ffi/container/list.h>
#include <tvm/ffi/container/dict.h>
#include <tvm/ffi/container/variant.h>
#include <tvm/ffi/reflection/accessor.h>

#endif  // TVM_FFI_TVM_FFI_H_
