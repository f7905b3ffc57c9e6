// Error objects and the per-thread raised-error slot (internal to the runtime).
#pragma once
#include <tvm/ffi/c_api.h>

#include <string>

#include "runtime/api.h"

namespace orcjit::runtime {

/// Error object made by the runtime: ErrorCell at offset 24, storage for its strings after.
struct ErrorObj {
  TVMFFIObject header;
  TVMFFIErrorCell cell;
  std::string kind;
  std::string message;
  std::string backtrace;

  ErrorObj(std::string k, std::string m, std::string bt);
  ~ErrorObj();
  void SyncCell();  // point the cell's byte arrays at the strings
};

/// New Error object (strong ref owned by the caller). Throws std::bad_alloc.
TVMFFIObject* NewError(std::string kind, std::string message, std::string backtrace);

/// Store a new runtime-made error in this thread's raised slot.
void RaiseError(const char* kind, const std::string& message);

}  // namespace orcjit::runtime

/// Run `body` (a C API implementation); convert C++ exceptions into a raised error and -1.
#define ORCJIT_API_BEGIN() try {
#define ORCJIT_API_END()                                                  \
  }                                                                       \
  catch (const ::orcjit::runtime::FFIError& e) {                          \
    ::orcjit::runtime::SetRaisedError(e.info());                          \
    return -1;                                                            \
  }                                                                       \
  catch (const std::bad_alloc&) {                                         \
    ::orcjit::runtime::RaiseError("MemoryError", "out of memory");        \
    return -1;                                                            \
  }                                                                       \
  catch (const std::exception& e) {                                       \
    ::orcjit::runtime::RaiseError("InternalError", e.what());             \
    return -1;                                                            \
  }                                                                       \
  return 0;
