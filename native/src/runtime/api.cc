// Implementation of the C++ helpers in api.h (wrappers over the C API).
#include "runtime/api.h"

#include <memory>

#include "runtime/error.h"
#include "runtime/function.h"
#include "runtime/global_registry.h"
#include "runtime/object.h"
#include "runtime/string_object.h"
#include "runtime/type_table.h"

namespace orcjit::runtime {
namespace {

TVMFFIByteArray Bytes(std::string_view s) { return TVMFFIByteArray{s.data(), s.size()}; }

// safe_call of functions made by CreateFunction: self is a heap CppFunction.
int CppFunctionSafeCall(void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
  try {
    (*static_cast<CppFunction*>(self))(args, num_args, result);
    return 0;
  } catch (const FFIError& e) {
    SetRaisedError(e.info());
  } catch (const ErrorAlreadyRaised&) {
  } catch (const std::bad_alloc&) {
    RaiseError("MemoryError", "out of memory");
  } catch (const std::exception& e) {
    RaiseError("InternalError", e.what());
  } catch (...) {
    RaiseError("InternalError", "unknown C++ exception");
  }
  return -1;
}

void DeleteCppFunction(void* self) { delete static_cast<CppFunction*>(self); }

}  // namespace

FFIError::FFIError(ErrorInfo info) : info_(std::move(info)) {
  what_ = info_.kind + ": " + info_.message;
}
FFIError::FFIError(std::string kind, std::string message, std::string backtrace)
    : FFIError(ErrorInfo{std::move(kind), std::move(message), std::move(backtrace)}) {}

ErrorInfo ReadError(TVMFFIObject* error) {
  const TVMFFIErrorCell* cell = TVMFFIErrorGetCellPtr(error);
  auto str = [](const TVMFFIByteArray& b) {
    return b.data ? std::string(b.data, b.size) : std::string();
  };
  return ErrorInfo{str(cell->kind), str(cell->message), str(cell->backtrace)};
}

bool TakeRaisedError(ErrorInfo* out) {
  TVMFFIObjectHandle err = nullptr;
  TVMFFIErrorMoveFromRaised(&err);
  if (err == nullptr) return false;
  auto* obj = static_cast<TVMFFIObject*>(err);
  if (obj->type_index == kTVMFFIError) {
    *out = ReadError(obj);
  } else {
    *out = ErrorInfo{"InternalError", "raised value is not an ffi.Error (type " +
                                          TypeKey(obj->type_index) + ")", ""};
  }
  DecRef(obj);
  return true;
}

void ThrowRaisedError() {
  ErrorInfo info;
  if (!TakeRaisedError(&info)) {
    info = ErrorInfo{"InternalError", "call failed but no error was raised", ""};
  }
  throw FFIError(std::move(info));
}

TVMFFIObject* MakeError(const ErrorInfo& info) {
  return NewError(info.kind, info.message, info.backtrace);
}

void SetRaisedError(const ErrorInfo& info) {
  TVMFFIObject* err = nullptr;
  try {
    err = MakeError(info);
  } catch (...) {
    RaiseError("MemoryError", "out of memory");  // used inside catch blocks: must not throw
    return;
  }
  TVMFFIErrorSetRaised(err);
  DecRef(err);
}

TVMFFIAny AnyNone() {
  TVMFFIAny v;
  v.type_index = kTVMFFINone;
  v.zero_padding = 0;
  v.v_int64 = 0;
  return v;
}

TVMFFIAny MakeString(std::string_view s) { return MakeStringAny(s.data(), s.size(), false); }

TVMFFIAny MakeBytes(const void* data, std::size_t size) {
  return MakeStringAny(static_cast<const char*>(data), size, true);
}

bool AnyAsBytes(const TVMFFIAny& v, std::string_view* out) {
  TVMFFIByteArray b;
  if (!GetStringBytes(&v, &b)) return false;
  *out = std::string_view(b.data, b.size);
  return true;
}

void AnyRetain(const TVMFFIAny& v) {
  if (v.type_index >= kTVMFFIStaticObjectBegin) IncRef(v.v_obj);
}

void AnyRelease(TVMFFIAny* v) {
  if (v->type_index >= kTVMFFIStaticObjectBegin) DecRef(v->v_obj);
  *v = AnyNone();
}

TVMFFIAny AnyViewToOwned(const TVMFFIAny& view) {
  TVMFFIAny out = AnyNone();
  if (TVMFFIAnyViewToOwnedAny(&view, &out) != 0) ThrowRaisedError();
  return out;
}

std::string TypeKey(int32_t type_index) {
  const TVMFFITypeInfo* info = FindTypeInfo(type_index);  // never aborts, unlike the C API
  if (!info) return "<unregistered type " + std::to_string(type_index) + ">";
  return std::string(info->type_key.data, info->type_key.size);
}

TVMFFIObject* CreateFunction(CppFunction fn) {
  auto holder = std::make_unique<CppFunction>(std::move(fn));
  TVMFFIObject* f = NewFunction(holder.get(), &CppFunctionSafeCall, &DeleteCppFunction);
  holder.release();  // now owned by the function object
  return f;
}

void CallFunction(TVMFFIObject* func, const TVMFFIAny* args, int32_t num_args,
                  TVMFFIAny* result) {
  *result = AnyNone();
  if (TVMFFIFunctionCall(func, const_cast<TVMFFIAny*>(args), num_args, result) != 0) {
    ThrowRaisedError();
  }
}

TVMFFIObject* GetGlobalFunction(std::string_view name) {
  TVMFFIByteArray n = Bytes(name);
  TVMFFIObjectHandle out = nullptr;
  if (TVMFFIFunctionGetGlobal(&n, &out) != 0) ThrowRaisedError();
  return static_cast<TVMFFIObject*>(out);
}

void SetGlobalFunction(std::string_view name, TVMFFIObject* func, bool allow_override) {
  TVMFFIByteArray n = Bytes(name);
  if (TVMFFIFunctionSetGlobal(&n, func, allow_override ? 1 : 0) != 0) ThrowRaisedError();
}

std::vector<std::string> ListGlobalFunctionNames() { return GlobalFunctionNames(); }

bool RemoveGlobalFunction(std::string_view name) { return RemoveGlobal(std::string(name)); }

}  // namespace orcjit::runtime
