// TVMFFIError* C API: error objects (kind, message, backtrace, cause chain, extra context) and
// the per-thread raised slot, which holds exactly one strong reference (TVM_FFI_ABI.md §3.1).
#include "runtime/error.h"

#include <cstring>
#include <new>

#include "runtime/object.h"

namespace orcjit::runtime {
namespace {

// The slot deliberately leaks an error left pending when a thread exits: its deleter may point
// into JIT code that is already unmapped by then.
thread_local TVMFFIObject* raised_error = nullptr;

TVMFFIByteArray View(const std::string& s) { return TVMFFIByteArray{s.data(), s.size()}; }

std::string FromBytes(const TVMFFIByteArray* b) {
  return (b && b->data) ? std::string(b->data, b->size) : std::string();
}

void UpdateBacktrace(TVMFFIObjectHandle self, const TVMFFIByteArray* bt, int32_t mode) {
  auto* err = static_cast<ErrorObj*>(self);
  try {
    if (mode == kTVMFFIBacktraceUpdateModeAppend) {
      err->backtrace += FromBytes(bt);
    } else {
      err->backtrace = FromBytes(bt);
    }
  } catch (...) {
    // Out of memory while growing a backtrace: keep the old text rather than fail.
  }
  err->SyncCell();
}

}  // namespace

ErrorObj::ErrorObj(std::string k, std::string m, std::string bt)
    : kind(std::move(k)), message(std::move(m)), backtrace(std::move(bt)) {
  cell.update_backtrace = &UpdateBacktrace;
  cell.cause_chain = nullptr;
  cell.extra_context = nullptr;
  SyncCell();
}

ErrorObj::~ErrorObj() {
  DecRef(static_cast<TVMFFIObject*>(cell.cause_chain));
  DecRef(static_cast<TVMFFIObject*>(cell.extra_context));
}

void ErrorObj::SyncCell() {
  cell.kind = View(kind);
  cell.message = View(message);
  cell.backtrace = View(backtrace);
}

TVMFFIObject* NewError(std::string kind, std::string message, std::string backtrace) {
  return Header(MakeObject<ErrorObj>(kTVMFFIError, 0, std::move(kind), std::move(message),
                                     std::move(backtrace)));
}

void RaiseError(const char* kind, const std::string& message) {
  TVMFFIObject* err = nullptr;
  try {
    err = NewError(kind, message, std::string());
  } catch (...) {
    return;  // nothing better to do when the error itself cannot be allocated
  }
  TVMFFIErrorSetRaised(err);
  DecRef(err);
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL void TVMFFIErrorMoveFromRaised(TVMFFIObjectHandle* result) {
  *result = raised_error;
  raised_error = nullptr;
}

TVM_FFI_DLL void TVMFFIErrorSetRaised(TVMFFIObjectHandle error) {
  auto* err = static_cast<TVMFFIObject*>(error);
  IncRef(err);
  TVMFFIObject* old = raised_error;
  raised_error = err;
  DecRef(old);
}

TVM_FFI_DLL void TVMFFIErrorSetRaisedFromCStr(const char* kind, const char* message) {
  const TVMFFIByteArray* bt = TVMFFIBacktrace(nullptr, 0, nullptr, 0);
  TVMFFIObject* err = nullptr;
  try {
    err = NewError(kind ? kind : "RuntimeError", message ? message : "", FromBytes(bt));
  } catch (...) {
    return;
  }
  TVMFFIErrorSetRaised(err);
  DecRef(err);
}

TVM_FFI_DLL void TVMFFIErrorSetRaisedFromCStrParts(const char* kind, const char** message_parts,
                                                   int32_t num_parts) {
  try {
    std::string msg;
    for (int32_t i = 0; i < num_parts; ++i) {
      if (message_parts[i]) msg += message_parts[i];
    }
    TVMFFIErrorSetRaisedFromCStr(kind, msg.c_str());
  } catch (...) {
  }
}

TVM_FFI_DLL int TVMFFIErrorCreate(const TVMFFIByteArray* kind, const TVMFFIByteArray* message,
                                  const TVMFFIByteArray* backtrace, TVMFFIObjectHandle* out) {
  return TVMFFIErrorCreateWithCauseAndExtraContext(kind, message, backtrace, nullptr, nullptr,
                                                   out);
}

TVM_FFI_DLL int TVMFFIErrorCreateWithCauseAndExtraContext(
    const TVMFFIByteArray* kind, const TVMFFIByteArray* message, const TVMFFIByteArray* backtrace,
    TVMFFIObjectHandle cause_chain, TVMFFIObjectHandle extra_context, TVMFFIObjectHandle* out) {
  // Documented to fail only on allocation failure and never to touch the raised slot.
  try {
    auto* err = static_cast<ErrorObj*>(static_cast<void*>(
        NewError(FromBytes(kind), FromBytes(message), FromBytes(backtrace))));
    err->cell.cause_chain = cause_chain;
    err->cell.extra_context = extra_context;
    IncRef(static_cast<TVMFFIObject*>(cause_chain));
    IncRef(static_cast<TVMFFIObject*>(extra_context));
    *out = err;
    return 0;
  } catch (...) {
    *out = nullptr;
    return -1;
  }
}

}  // extern "C"
