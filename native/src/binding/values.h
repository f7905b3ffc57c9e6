// JS wrappers of FFI values and the value layer's shared pieces. The JS <-> TVMFFIAny
// conversion itself is binding/convert.h.
//
// JS wrappers of FFI values (FFIObject, Tensor, functions returned by C++, DataType, Device,
// ffi.float numbers, returned Array/Map/Shape values) carry a native Box (napi_wrap + a type
// tag): the strong object reference and the pin of the library that produced it
// (binding/lifetime.h). Passing such a wrapper back passes the object as-is.
#pragma once
#include <napi.h>
#include <tvm/ffi/c_api.h>

#include <memory>
#include <string>
#include <vector>

#include "binding/convert.h"
#include "binding/js_errors.h"
#include "binding/lifetime.h"

namespace orcjit::binding {

// ---------------------------------------------------------------- boxes
enum class BoxKind : uint8_t { kObject, kDataType, kDevice, kFloat };

struct JsBuffer;
struct Signature;

struct Box {
  BoxKind kind = BoxKind::kObject;
  TVMFFIObject* obj = nullptr;  // strong reference (kObject); null after dispose()
  DLDataType dtype{};
  DLDevice device{};
  double number = 0;  // kFloat: ffi.float(x)
  Pin pin;
  uint64_t owner = 0;  // retained runtime owner (runtime/global_registry.h), 0 = none
  uint64_t type_owner = 0;  // objects: retained library owning the type's reflection (RetainTypeOwner)
  JsBuffer* buffer = nullptr;  // JS-made tensors: the ArrayBuffer (owned by the tensor object)
  std::string name;            // functions: name used in errors
  // [k12t] Functions with export metadata (a .so export, module-tree functions, typed
  // function results): calls are checked and converted by it (binding/typed_args.h).
  // A shared_ptr: destroyed without the complete type (typed_args.h) in every user of Box.
  std::shared_ptr<const Signature> sig;
  ~Box();
};

/// The Box of a tagged JS wrapper, or nullptr.
Box* UnwrapBox(napi_env env, napi_value value);
/// UnwrapBox for a value already known to be an object or a function.
Box* UnwrapBoxOfObject(napi_env env, napi_value value);
/// Attaches `box` (ownership passes to the JS object) and tags the object.
void AttachBox(Napi::Env env, napi_value target, Box* box);

/// Registers the value functions on `exports` (binding/values_api.cc).
void InitValues(Napi::Env env, Napi::Object exports);

/// A JS function calling the Function object `fn` (one strong reference is taken over).
Napi::Value MakeFunctionValue(Napi::Env env, TVMFFIObject* fn, Pin pin, const std::string& name,
                              uint64_t owner = 0);
/// [k12t] Runs the JS converter `checker` (src/values/checked-args.ts) on `*arg` (parameter
/// #index, or a result) and stores what it returns there. False with a pending JS exception.
bool ApplyParamChecker(napi_env env, napi_ref checker, size_t index, napi_value* arg);
/// [k12t] A strong reference to `value` (a function, else nullptr) deleted when `owner` is
/// collected.
napi_ref HoldFor(napi_env env, napi_value owner, napi_value value);
/// [k12t] values.setValueSignature(fn, name, kinds, types, deep?, result?): declared types
/// for a function value (an ffi.Function box: .so exports, module-tree functions, typed
/// function results), as setFunctionSignature for getFunction exports.
Napi::Value SetValueSignature(const Napi::CallbackInfo& info);
/// Makes `box` hold `pin` and retain the runtime owner of `src`.
void BoxKeepAlive(Box* box, PinSource& src);

/// Wrap a JS function as a Function object (caller owns the reference).
TVMFFIObject* WrapJsFunction(Napi::Env env, napi_value fn, const std::string& name);

/// A new ffi.Tensor over JS memory (`buffer` is an ArrayBuffer); the tensor keeps the
/// ArrayBuffer alive. Returns the object (owned) and the JsBuffer record via *out_buf.
TVMFFIObject* MakeJsTensor(Napi::Env env, napi_value array_buffer, size_t byte_offset,
                           const DLTensor& proto, JsBuffer** out_buf);

/// True if the JsBuffer's ArrayBuffer was detached (transferred).
bool JsBufferDetached(napi_env env, JsBuffer* buf);

// JS wrappers of values (binding/values.cc), for FromAny. Objects are borrowed.
Napi::Value TensorToJs(Napi::Env env, TVMFFIObject* obj, PinSource& pin);
Napi::Value ObjectToJs(Napi::Env env, TVMFFIObject* obj, PinSource& pin);
Napi::Value DataTypeToJs(Napi::Env env, DLDataType dt);
Napi::Value DeviceToJs(Napi::Env env, DLDevice dev);
/// An empty read-only map for a returned ffi.Map (a plain Map before initialize).
Napi::Object MakeMapValue(Napi::Env env);

}  // namespace orcjit::binding
