/*
 * tvm-ffi-orcjit C++ authoring API: reserved symbol names of TVM-FFI libraries.
 * (The C++ Module class of tvm-ffi is not part of this header set: modules are loaded and
 * called from TypeScript.)
 */
#ifndef TVM_FFI_EXTRA_MODULE_H_
#define TVM_FFI_EXTRA_MODULE_H_

#include <tvm/ffi/c_api.h>
#include <tvm/ffi/extra/c_env_api.h>

namespace tvm {
namespace ffi {
namespace symbol {

/*! \brief Prefix of exported functions: `__tvm_ffi_<name>`. */
constexpr const char* tvm_ffi_symbol_prefix = "__tvm_ffi_";
/*! \brief Default entry function. */
constexpr const char* tvm_ffi_main = "__tvm_ffi_main";
/*! \brief Writable global the loader sets to the library's module handle. */
constexpr const char* tvm_ffi_library_ctx = "__tvm_ffi__library_ctx";
/*! \brief Embedded binary blob of imported modules. */
constexpr const char* tvm_ffi_library_bin = "__tvm_ffi__library_bin";
/*! \brief Prefix of per-function metadata symbols. */
constexpr const char* tvm_ffi_metadata_prefix = "__tvm_ffi__metadata_";
/*! \brief Prefix of per-function docstring symbols. */
constexpr const char* tvm_ffi_doc_prefix = "__tvm_ffi__doc_";

}  // namespace symbol
}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_EXTRA_MODULE_H_
