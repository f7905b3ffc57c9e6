/*
 * TVM-FFI environment C API (streams, tensor allocator, module context), written for
 * tvm-ffi-orcjit from the published interface facts. Same names and path as tvm-ffi.
 */
#ifndef TVM_FFI_EXTRA_C_ENV_API_H_
#define TVM_FFI_EXTRA_C_ENV_API_H_

#include <tvm/ffi/c_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/*! \brief A device stream (e.g. cudaStream_t); NULL is the default stream. */
typedef void* TVMFFIStreamHandle;

/*!
 * \brief Set the current stream of (device_type, device_id) for this thread.
 * If opt_out_original_stream is not NULL it receives the previous stream.
 */
TVM_FFI_DLL int TVMFFIEnvSetStream(int32_t device_type, int32_t device_id,
                                   TVMFFIStreamHandle stream,
                                   TVMFFIStreamHandle* opt_out_original_stream);

/*! \brief Current stream of (device_type, device_id) for this thread (NULL if never set). */
TVM_FFI_DLL TVMFFIStreamHandle TVMFFIEnvGetStream(int32_t device_type, int32_t device_id);

/*!
 * \brief Set the allocator TVMFFIEnvTensorAlloc uses: for this thread, or for all threads
 * when write_to_global_context is non-zero. NULL restores the builtin CPU allocator.
 */
TVM_FFI_DLL int TVMFFIEnvSetDLPackManagedTensorAllocator(
    DLPackManagedTensorAllocator allocator, int write_to_global_context,
    DLPackManagedTensorAllocator* opt_out_original_allocator);

/*! \brief The allocator in effect on this thread (never NULL). */
TVM_FFI_DLL DLPackManagedTensorAllocator TVMFFIEnvGetDLPackManagedTensorAllocator(void);

/*! \brief Allocate a Tensor shaped like prototype (its data is ignored) with the env allocator. */
TVM_FFI_DLL int TVMFFIEnvTensorAlloc(DLTensor* prototype, TVMFFIObjectHandle* out);

/*! \brief Give the host a chance to raise on pending signals (e.g. Ctrl-C). */
TVM_FFI_DLL int TVMFFIEnvCheckSignals(void);

/*! \brief Register a host environment hook by name (e.g. "TVMFFIPyCheckSignals"). */
TVM_FFI_DLL int TVMFFIEnvRegisterCAPI(const char* name, void* symbol);

/*!
 * \brief Find function `func_name` in the imports of the module `library_ctx` (the value the
 * loader wrote into __tvm_ffi__library_ctx). *out is a borrowed reference cached by the module.
 */
TVM_FFI_DLL int TVMFFIEnvModLookupFromImports(TVMFFIObjectHandle library_ctx,
                                              const char* func_name, TVMFFIObjectHandle* out);

/*! \brief At load time, the loader writes `symbol` into any library global named `name`. */
TVM_FFI_DLL int TVMFFIEnvModRegisterContextSymbol(const char* name, void* symbol);

/*! \brief Register a symbol of the system library (static-link style modules). */
TVM_FFI_DLL int TVMFFIEnvModRegisterSystemLibSymbol(const char* name, void* symbol);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // TVM_FFI_EXTRA_C_ENV_API_H_
