#include "binding/values.h"

#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "binding/addon_data.h"
#include "binding/values_state.h"
#include "jit/library.h"
#include "runtime/api.h"
#include "runtime/global_registry.h"
#include "runtime/type_table.h"
#include "runtime/tensor.h"

namespace orcjit::binding {

// ---------------------------------------------------------------- ArgScratch
char* ArgScratch::StringBuffer(size_t len) {
  if (inline_used_ + len + 1 <= sizeof(inline_chars_)) {
    char* p = inline_chars_ + inline_used_;
    inline_used_ += len + 1;
    return p;
  }
  auto& strings = overflow().strings;
  strings.emplace_back(len, '\0');
  return strings.back().data();
}

TVMFFIByteArray* ArgScratch::ByteArray() {
  if (arrays_used_ < kInlineArgs) return &inline_arrays_[arrays_used_++];
  auto& arrays = overflow().arrays;
  arrays.push_back(std::make_unique<TVMFFIByteArray>());
  return arrays.back().get();
}

DLTensor* ArgScratch::Tensor1D() {
  TensorSlot* s;
  if (tensors_used_ < sizeof(inline_tensors_) / sizeof(inline_tensors_[0])) {
    s = &inline_tensors_[tensors_used_++];
  } else {
    auto& v = overflow().tensors;
    v.push_back(std::make_unique<TensorSlot>());
    s = v.back().get();
  }
  s->t.shape = &s->shape;
  return &s->t;
}

void ArgScratch::Own(TVMFFIObject* obj) {
  if (owned_count_ < kInlineArgs)
    owned_[owned_count_++] = obj;
  else
    overflow().owned.push_back(obj);
}

void ArgScratch::ReleaseSlow() {
  for (size_t i = 0; i < owned_count_; ++i) TVMFFIObjectDecRef(owned_[i]);
  owned_count_ = 0;
  if (overflow_) {
    for (TVMFFIObject* obj : overflow_->owned) TVMFFIObjectDecRef(obj);
    overflow_->owned.clear();
  }
}

// ---------------------------------------------------------------- boxes
namespace {
// Tags JS objects that carry a Box (napi_check_object_type_tag).
const napi_type_tag kBoxTag = {0x6f72636a69742d76ULL, 0x616c7565626f7831ULL};
}  // namespace

Box::~Box() {
  if (!JsThreadAlive()) return;  // environment teardown: release nothing
  if (obj) TVMFFIObjectDecRef(obj);
  obj = nullptr;
  if (owner) runtime::ReleaseOwner(owner);
  if (type_owner) runtime::ReleaseOwner(type_owner);
}

void BoxKeepAlive(Box* box, PinSource& src) {
  box->pin = src.Get();
  if (src.owner()) {
    runtime::RetainOwner(src.owner());
    box->owner = src.owner();
  }
}

namespace {
/// UnwrapBox for a value already known to be an object or a function.
Box* UnwrapBoxOfObject(napi_env env, napi_value value) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, &kBoxTag, &tagged) != napi_ok || !tagged)
    return nullptr;
  void* p = nullptr;
  if (napi_unwrap(env, value, &p) != napi_ok) return nullptr;
  return static_cast<Box*>(p);
}
}  // namespace

Box* UnwrapBox(napi_env env, napi_value value) {
  // Type-tag checks on a primitive would throw (ToObject).
  napi_valuetype t;
  if (napi_typeof(env, value, &t) != napi_ok || (t != napi_object && t != napi_function))
    return nullptr;
  return UnwrapBoxOfObject(env, value);
}

void AttachBox(Napi::Env env, napi_value target, Box* box) {
  napi_status st = napi_wrap(
      env, target, box, [](napi_env, void* d, void*) { delete static_cast<Box*>(d); }, nullptr,
      nullptr);
  if (st != napi_ok) {
    delete box;
    NAPI_THROW_VOID(Napi::Error::New(env, "cannot attach a native value (already wrapped?)"));
  }
  napi_type_tag_object(env, target, &kBoxTag);
}

// ---------------------------------------------------------------- JS buffers behind tensors
struct JsBuffer {
  napi_env env;
  napi_ref ref;
};

namespace {
std::mutex g_pending_mu;
std::vector<JsBuffer*>* g_pending_buffers = new std::vector<JsBuffer*>();

void ReleaseJsBuffer(void* ctx) {
  auto* b = static_cast<JsBuffer*>(ctx);
  EnvState* st = CurrentEnvState();
  if (st && st->env == b->env) {
    napi_delete_reference(b->env, b->ref);
    delete b;
    return;
  }
  // Released on another thread: the JS thread frees it on its next tensor creation.
  std::lock_guard<std::mutex> lock(g_pending_mu);
  g_pending_buffers->push_back(b);
}

void DrainPendingBuffers(napi_env env) {
  std::vector<JsBuffer*> mine;
  {
    std::lock_guard<std::mutex> lock(g_pending_mu);
    if (g_pending_buffers->empty()) return;
    auto& v = *g_pending_buffers;
    for (size_t i = 0; i < v.size();) {
      if (v[i]->env == env) {
        mine.push_back(v[i]);
        v[i] = v.back();
        v.pop_back();
      } else {
        ++i;
      }
    }
  }
  for (JsBuffer* b : mine) {
    napi_delete_reference(env, b->ref);
    delete b;
  }
}
}  // namespace

TVMFFIObject* MakeJsTensor(Napi::Env env, napi_value array_buffer, size_t byte_offset,
                           const DLTensor& proto, JsBuffer** out_buf) {
  DrainPendingBuffers(env);
  auto* b = new JsBuffer{env, nullptr};
  if (napi_create_reference(env, array_buffer, 1, &b->ref) != napi_ok) {
    delete b;
    throw Napi::Error::New(env, "cannot reference the tensor's ArrayBuffer");
  }
  void* base = nullptr;
  napi_get_arraybuffer_info(env, array_buffer, &base, nullptr);
  DLTensor t = proto;
  t.data = static_cast<char*>(base) + byte_offset;
  t.byte_offset = 0;
  TVMFFIObject* obj = runtime::CreateTensorFromExternal(t, b, &ReleaseJsBuffer);
  if (out_buf) *out_buf = b;
  return obj;
}

bool JsBufferDetached(napi_env env, JsBuffer* buf) {
  napi_value ab;
  if (napi_get_reference_value(env, buf->ref, &ab) != napi_ok || ab == nullptr) return true;
  bool detached = false;
  napi_is_detached_arraybuffer(env, ab, &detached);
  return detached;
}

// ---------------------------------------------------------------- JS -> Any
namespace {

[[noreturn]] void ArgTypeError(Napi::Env env, const char* fn_name, size_t index,
                               const std::string& what) {
  throw Napi::TypeError::New(env, std::string("argument #") + std::to_string(index) + " of '" +
                                      fn_name + "': " + what);
}

void SetNone(TVMFFIAny* out) {
  out->type_index = kTVMFFINone;
  out->zero_padding = 0;
  out->v_int64 = 0;
}

void BigIntToAny(Napi::Env env, napi_value value, TVMFFIAny* out, const char* fn, size_t i) {
  int64_t v;
  bool lossless = false;
  napi_get_value_bigint_int64(env, value, &v, &lossless);
  if (!lossless) {
    throw Napi::RangeError::New(env, std::string("argument #") + std::to_string(i) + " of '" +
                                         fn + "': bigint out of the int64 range");
  }
  out->type_index = kTVMFFIInt;
  out->zero_padding = 0;
  out->v_int64 = v;
}

void StringToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch) {
  size_t len = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &len);
  if (len <= 7) {
    out->type_index = kTVMFFISmallStr;
    out->small_str_len = static_cast<uint32_t>(len);
    out->v_int64 = 0;
    char buf[8];
    size_t got = 0;
    napi_get_value_string_utf8(env, value, buf, sizeof(buf), &got);
    std::memcpy(out->v_bytes, buf, got);
    return;
  }
  char* buf = scratch.StringBuffer(len);
  size_t got = 0;
  napi_get_value_string_utf8(env, value, buf, len + 1, &got);
  if (std::memchr(buf, '\0', got) == nullptr) {
    out->type_index = kTVMFFIRawStr;
    out->zero_padding = 0;
    out->v_c_str = buf;
    return;
  }
  // An embedded NUL cannot travel as a C string: make a Str object.
  TVMFFIByteArray bytes{buf, got};
  if (TVMFFIStringFromByteArray(&bytes, out) != 0) {
    TVMFFIObjectHandle err = nullptr;
    TVMFFIErrorMoveFromRaised(&err);
    if (err) TVMFFIObjectDecRef(err);
    throw Napi::Error::New(env, "cannot allocate a string argument");
  }
  if (out->type_index >= kTVMFFIStaticObjectBegin) scratch.Own(out->v_obj);
}

/// Typed arrays: Uint8Array → Bytes; every other kind → a 1-D DLTensor view (zero-copy).
/// False if `value` is not a typed array.
bool TypedArrayToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
                     const char* fn, size_t index) {
  // One call: fails (napi_invalid_arg) for anything that is not a typed array. Measured: the
  // kind lookup inside (V8 IsXArray checks) is about a fifth of a tensor call; a prototype
  // cache to avoid it cost as much as it saved.
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value ab;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, &ab, nullptr) != napi_ok)
    return false;
  if (data == nullptr && length == 0) {
    bool detached = false;
    napi_is_detached_arraybuffer(env, ab, &detached);
    if (detached) ArgTypeError(env, fn, index, "the typed array's ArrayBuffer is detached");
  }
  out->zero_padding = 0;
  if (type == napi_uint8_array || type == napi_uint8_clamped_array) {
    TVMFFIByteArray* arr = scratch.ByteArray();
    arr->data = static_cast<const char*>(data);
    arr->size = length;
    out->type_index = kTVMFFIByteArrayPtr;
    out->v_ptr = arr;
    return true;
  }
  DLTensor* t = scratch.Tensor1D();
  t->data = data;
  t->device = {kDLCPU, 0};
  t->ndim = 1;
  TypedArrayDType(type, &t->dtype);
  t->shape[0] = static_cast<int64_t>(length);
  t->strides = nullptr;
  t->byte_offset = 0;
  out->type_index = kTVMFFIDLTensorPtr;
  out->v_ptr = t;
  return true;
}

void BoxToAny(Napi::Env env, Box* box, TVMFFIAny* out, const char* fn, size_t index) {
  out->zero_padding = 0;
  out->v_int64 = 0;
  switch (box->kind) {
    case BoxKind::kDataType:
      out->type_index = kTVMFFIDataType;
      out->v_dtype = box->dtype;
      return;
    case BoxKind::kDevice:
      out->type_index = kTVMFFIDevice;
      out->v_device = box->device;
      return;
    case BoxKind::kObject:
      if (!box->obj) ArgTypeError(env, fn, index, "the value has been disposed");
      if (box->buffer && JsBufferDetached(env, box->buffer))
        ArgTypeError(env, fn, index, "the tensor's ArrayBuffer is detached");
      out->type_index = box->obj->type_index;
      out->v_obj = box->obj;
      return;
  }
}

constexpr const char* kSupported =
    " (supported: number, bigint, boolean, string, null, undefined, Uint8Array/Buffer, other "
    "typed arrays, Tensor, DataType, Device, FFIObject, functions)";

}  // namespace

void ToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
           const char* fn_name, size_t index) {
  // Fast path: numbers need one N-API call instead of typeof + get.
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok) return NumberToAny(d, out);
  ToAnyNonNumber(env, value, out, scratch, fn_name, index);
}

namespace {
void ToAnyRest(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
               const char* fn_name, size_t index);
}  // namespace

void ToAnyNonNumber(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
                    const char* fn_name, size_t index) {
  // Typed arrays first: napi_get_typedarray_info rejects anything else cheaply, so a
  // Float32Array costs this one call instead of typeof + it.
  if (TypedArrayToAny(env, value, out, scratch, fn_name, index)) return;
  ToAnyRest(env, value, out, scratch, fn_name, index);
}

void ToAnyNotTypedArray(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
                        const char* fn_name, size_t index) {
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok) return NumberToAny(d, out);
  ToAnyRest(env, value, out, scratch, fn_name, index);
}

void ToAnyTypedArrayFirst(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
                          const char* fn_name, size_t index) {
  if (TypedArrayToAny(env, value, out, scratch, fn_name, index)) return;
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok) return NumberToAny(d, out);
  ToAnyRest(env, value, out, scratch, fn_name, index);
}

namespace {
/// Neither a number nor a typed array.
void ToAnyRest(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
               const char* fn_name, size_t index) {
  napi_valuetype t;
  napi_typeof(env, value, &t);
  switch (t) {
    case napi_boolean: {
      bool b = false;
      napi_get_value_bool(env, value, &b);
      out->type_index = kTVMFFIBool;
      out->zero_padding = 0;
      out->v_int64 = b ? 1 : 0;
      return;
    }
    case napi_undefined:
    case napi_null: return SetNone(out);
    case napi_string: return StringToAny(env, value, out, scratch);
    case napi_bigint: return BigIntToAny(env, value, out, fn_name, index);
    case napi_object: {
      if (Box* box = UnwrapBoxOfObject(env, value)) return BoxToAny(env, box, out, fn_name, index);
      bool is_ab = false;
      napi_is_arraybuffer(env, value, &is_ab);
      if (is_ab)
        ArgTypeError(env, fn_name, index,
                     "an ArrayBuffer has no element type: pass a typed array or a Tensor");
      bool is_dv = false;
      napi_is_dataview(env, value, &is_dv);
      if (is_dv)
        ArgTypeError(env, fn_name, index, "a DataView has no element type: pass a Tensor");
      ArgTypeError(env, fn_name, index, std::string("unsupported object") + kSupported);
    }
    case napi_function: {
      if (Box* box = UnwrapBoxOfObject(env, value)) return BoxToAny(env, box, out, fn_name, index);
      TVMFFIObject* f = WrapJsFunction(env, value, fn_name);
      scratch.Own(f);
      out->type_index = kTVMFFIFunction;
      out->zero_padding = 0;
      out->v_obj = f;
      return;
    }
    default:
      ArgTypeError(env, fn_name, index,
                   std::string("cannot pass ") + (t == napi_symbol ? "a symbol" : "a value") +
                       kSupported);
  }
}
}  // namespace

void ToOwnedAny(Napi::Env env, napi_value value, TVMFFIAny* out, const char* what) {
  ArgScratch scratch;
  TVMFFIAny view;
  ToAny(env, value, &view, scratch, what, 0);
  if (view.type_index == kTVMFFIDLTensorPtr) {
    throw Napi::TypeError::New(env, std::string(what) +
                                        ": a typed array cannot be returned as a tensor view; "
                                        "return a Tensor (Tensor.from(array))");
  }
  try {
    *out = runtime::AnyViewToOwned(view);
  } catch (const runtime::FFIError& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// ---------------------------------------------------------------- Any -> JS
namespace {

Napi::Value IntToJs(Napi::Env env, int64_t v) {
  if (v >= -kMaxSafeInteger && v <= kMaxSafeInteger)
    return Napi::Number::New(env, static_cast<double>(v));
  return Napi::BigInt::New(env, v);
}

/// [i19n] A JS string from UTF-8; one V8 cannot hold (about 2^29 characters on 64-bit) is a
/// RangeError naming the function, not N-API's bare "Unknown failure".
Napi::Value StrToJs(Napi::Env env, const char* data, size_t size, const char* fn_name) {
  napi_value out = nullptr;
  if (size <= size_t(INT32_MAX) && napi_create_string_utf8(env, data, size, &out) == napi_ok)
    return Napi::Value(env, out);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  throw Napi::RangeError::New(
      env, std::string("result of '") + fn_name + "': a string of " + std::to_string(size) +
               " bytes is longer than a JavaScript string can be (V8's limit is about 2^29 "
               "characters); return it as bytes (ffi::Bytes) or in pieces");
}

Napi::Value BytesToJs(Napi::Env env, const char* data, size_t size) {
  auto ab = Napi::ArrayBuffer::New(env, size);
  if (size) std::memcpy(ab.Data(), data, size);
  return Napi::Uint8Array::New(env, size, ab, 0);
}

/// Releases the reference an owned result holds.
struct ResultRef {
  TVMFFIObject* obj;
  ~ResultRef() {
    if (obj) TVMFFIObjectDecRef(obj);
  }
};

ValueClasses& Classes(Napi::Env env) {
  ValueClasses* c = GetValueClasses(env);
  if (!c || c->object.IsEmpty())
    throw Napi::Error::New(env, "tvm-ffi-orcjit values are not initialized (initValues)");
  return *c;
}

Napi::Value DataTypeToJs(Napi::Env env, DLDataType dt) {
  return Classes(env).dtype.Call({Napi::Number::New(env, dt.code), Napi::Number::New(env, dt.bits),
                                  Napi::Number::New(env, dt.lanes)});
}

Napi::Value DeviceToJs(Napi::Env env, DLDevice dev) {
  return Classes(env).device.Call(
      {Napi::Number::New(env, dev.device_type), Napi::Number::New(env, dev.device_id)});
}

/// Byte extent of a tensor's elements starting at data+byte_offset; -1 if unsupported
/// (negative strides).
int64_t TensorExtent(const DLTensor& t) {
  int64_t elem = (int64_t(t.dtype.bits) * t.dtype.lanes + 7) / 8;
  int64_t last = 0;
  for (int i = 0; i < t.ndim; ++i) {
    if (t.shape[i] == 0) return 0;
    int64_t stride;
    if (t.strides) {
      stride = t.strides[i];
    } else {
      stride = 1;
      for (int j = i + 1; j < t.ndim; ++j) stride *= t.shape[j];
    }
    if (stride < 0) return -1;
    last += (t.shape[i] - 1) * stride;
  }
  return (last + 1) * elem;
}

void ReleaseTensorRef(napi_env, void*, void* hint) {
  if (JsThreadAlive()) TVMFFIObjectDecRef(static_cast<TVMFFIObject*>(hint));
}

/// Tensor object (borrowed `obj`) -> JS Tensor; the JS object and its buffer each hold a ref.
Napi::Value TensorToJs(Napi::Env env, TVMFFIObject* obj, PinSource& pin) {
  auto* tobj = reinterpret_cast<runtime::TensorObj*>(obj);
  const DLTensor& t = *TVMFFITensorGetDLTensorPtr(obj);
  napi_value buffer = nullptr;
  size_t js_offset = 0;
  char* start = t.data ? static_cast<char*>(t.data) + t.byte_offset : nullptr;
  bool cpu = t.device.device_type == kDLCPU || t.device.device_type == kDLCUDAHost ||
             t.device.device_type == kDLROCMHost;
  int64_t extent = TensorExtent(t);
  JsBuffer* js_buf = nullptr;
  if (cpu && extent >= 0) {
    if (tobj->ext_release == &ReleaseJsBuffer) {
      // Memory that came from JS: hand back the same ArrayBuffer.
      js_buf = static_cast<JsBuffer*>(tobj->ext_ctx);
      napi_value ab;
      if (napi_get_reference_value(env, js_buf->ref, &ab) == napi_ok && ab) {
        void* base = nullptr;
        napi_get_arraybuffer_info(env, ab, &base, nullptr);
        buffer = ab;
        js_offset = static_cast<size_t>(start - static_cast<char*>(base));
      }
    } else if (extent == 0 || start == nullptr) {
      buffer = Napi::ArrayBuffer::New(env, 0);
    } else {
      TVMFFIObjectIncRef(obj);
      napi_status st = napi_create_external_arraybuffer(env, start, size_t(extent),
                                                        ReleaseTensorRef, obj, &buffer);
      if (st != napi_ok) {
        TVMFFIObjectDecRef(obj);
        // No external buffers (sandboxed V8): a copy is better than nothing.
        auto ab = Napi::ArrayBuffer::New(env, size_t(extent));
        std::memcpy(ab.Data(), start, size_t(extent));
        buffer = ab;
      }
    }
  }
  auto shape = Napi::Array::New(env, t.ndim);
  auto strides = Napi::Array::New(env, t.ndim);
  for (int i = 0; i < t.ndim; ++i) {
    shape.Set(uint32_t(i), Napi::Number::New(env, double(t.shape[i])));
    int64_t s = 1;
    if (t.strides) {
      s = t.strides[i];
    } else {
      for (int j = i + 1; j < t.ndim; ++j) s *= t.shape[j];
    }
    strides.Set(uint32_t(i), Napi::Number::New(env, double(s)));
  }
  Napi::Value buf_v = buffer ? Napi::Value(env, buffer) : env.Null();
  Napi::Value js = Classes(env).tensor.Call(
      {buf_v, Napi::Number::New(env, double(js_offset)), shape, strides,
       Napi::Number::New(env, t.dtype.code), Napi::Number::New(env, t.dtype.bits),
       Napi::Number::New(env, t.dtype.lanes), Napi::Number::New(env, t.device.device_type),
       Napi::Number::New(env, t.device.device_id)});
  auto* box = new Box();
  TVMFFIObjectIncRef(obj);
  box->obj = obj;
  BoxKeepAlive(box, pin);
  box->buffer = js_buf;
  AttachBox(env, js, box);
  return js;
}

Napi::Value ObjectToJs(Napi::Env env, TVMFFIObject* obj, PinSource& pin) {
  int32_t ti = obj->type_index;
  Napi::Value js = Classes(env).object.Call(
      {Napi::Number::New(env, ti), Napi::String::New(env, runtime::TypeKey(ti))});
  auto* box = new Box();
  TVMFFIObjectIncRef(obj);
  box->obj = obj;
  BoxKeepAlive(box, pin);
  // Its fields/methods (and likely its deleter) are the defining library's code: keep that
  // mapped while the wrapper lives, wherever the object came from (e.g. new Cls()).
  box->type_owner = runtime::RetainTypeOwner(ti);
  if (!box->pin && box->type_owner) {
    // Not from a library call (e.g. new Cls(), a callback argument): pin the type's library
    // like a returned value, so its dispose (and the session's) waits for this wrapper.
    auto lib = jit::Library::FindByOwner(box->type_owner);
    if (lib && !lib->disposed()) box->pin = PinLibrary(lib);
  }
  AttachBox(env, js, box);
  return js;
}

Napi::Value ErrorObjectToJs(Napi::Env env, TVMFFIObject* err);

Napi::Value SeqToJs(Napi::Env env, TVMFFIObject* obj, const char* fn, PinSource& pin) {
  auto* cell = reinterpret_cast<TVMFFISeqCell*>(reinterpret_cast<char*>(obj) + sizeof(TVMFFIObject));
  auto* items = static_cast<const TVMFFIAny*>(cell->data);
  auto arr = Napi::Array::New(env, size_t(cell->size));
  for (int64_t i = 0; i < cell->size; ++i)
    arr.Set(uint32_t(i), FromAnyView(env, items[i], fn, pin));
  return arr;
}

struct MapCellView {
  TVMFFIAny* data;
  int64_t size;
};

Napi::Value MapToJs(Napi::Env env, TVMFFIObject* obj, const char* fn, PinSource& pin) {
  auto* cell =
      reinterpret_cast<MapCellView*>(reinterpret_cast<char*>(obj) + sizeof(TVMFFIObject));
  Napi::Function map_ctor = env.Global().Get("Map").As<Napi::Function>();
  Napi::Object m = map_ctor.New({});
  Napi::Function set = m.Get("set").As<Napi::Function>();
  for (int64_t i = 0; i < cell->size; ++i) {
    Napi::Value k = FromAnyView(env, cell->data[2 * i], fn, pin);
    Napi::Value v = FromAnyView(env, cell->data[2 * i + 1], fn, pin);
    set.Call(m, {k, v});
  }
  return m;
}

Napi::Value ShapeToJs(Napi::Env env, TVMFFIObject* obj) {
  TVMFFIShapeCell* cell = TVMFFIShapeGetCellPtr(obj);
  auto arr = Napi::Array::New(env, cell->size);
  for (size_t i = 0; i < cell->size; ++i)
    arr.Set(uint32_t(i), IntToJs(env, cell->data[i]));
  return arr;
}

}  // namespace

Napi::Value FromAny(Napi::Env env, TVMFFIAny* value, const char* fn_name) {
  PinSource none;
  return FromAny(env, value, fn_name, none);
}

Napi::Value FromAny(Napi::Env env, TVMFFIAny* value, const char* fn_name, PinSource& pin) {
  ResultRef ref{value->type_index >= kTVMFFIStaticObjectBegin ? value->v_obj : nullptr};
  switch (value->type_index) {
    case kTVMFFINone: return env.Null();
    case kTVMFFIInt: return IntToJs(env, value->v_int64);
    case kTVMFFIBool: return Napi::Boolean::New(env, value->v_int64 != 0);
    case kTVMFFIFloat: return Napi::Number::New(env, value->v_float64);
    case kTVMFFIOpaquePtr:
      return Napi::BigInt::New(env, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(value->v_ptr)));
    case kTVMFFIDataType: return DataTypeToJs(env, value->v_dtype);
    case kTVMFFIDevice: return DeviceToJs(env, value->v_device);
    case kTVMFFISmallStr:
      return Napi::String::New(env, value->v_bytes, value->small_str_len);
    case kTVMFFIRawStr: {
      const char* c = value->v_c_str ? value->v_c_str : "";
      return StrToJs(env, c, std::strlen(c), fn_name);
    }
    case kTVMFFISmallBytes: return BytesToJs(env, value->v_bytes, value->small_str_len);
    case kTVMFFIByteArrayPtr: {
      auto* b = static_cast<const TVMFFIByteArray*>(value->v_ptr);
      return BytesToJs(env, b ? b->data : nullptr, b ? b->size : 0);
    }
    case kTVMFFIDLTensorPtr: {
      // A borrowed view (callback arguments): a tensor object describing it, valid while the
      // caller keeps the memory alive.
      if (!value->v_ptr) return env.Null();
      TVMFFIObject* t = runtime::CreateTensorFromExternal(
          *static_cast<const DLTensor*>(value->v_ptr), nullptr, nullptr);
      ResultRef tref{t};
      return TensorToJs(env, t, pin);
    }
    case kTVMFFIStr: {
      TVMFFIByteArray* b = TVMFFIBytesGetByteArrayPtr(value->v_obj);
      return StrToJs(env, b->data, b->size, fn_name);
    }
    case kTVMFFIBytes: {
      TVMFFIByteArray* b = TVMFFIBytesGetByteArrayPtr(value->v_obj);
      return BytesToJs(env, b->data, b->size);
    }
    case kTVMFFIError: return ErrorObjectToJs(env, value->v_obj);
    case kTVMFFIFunction: {
      TVMFFIObject* f = value->v_obj;
      ref.obj = nullptr;  // ownership moves to the JS function
      return MakeFunctionValue(env, f, pin.Get(), fn_name, pin.owner());
    }
    case kTVMFFIShape: return ShapeToJs(env, value->v_obj);
    case kTVMFFITensor: return TensorToJs(env, value->v_obj, pin);
    case kTVMFFIArray:
    case kTVMFFIList: return SeqToJs(env, value->v_obj, fn_name, pin);
    case kTVMFFIMap:
    case kTVMFFIDict: return MapToJs(env, value->v_obj, fn_name, pin);
    default:
      if (value->type_index >= kTVMFFIStaticObjectBegin) return ObjectToJs(env, value->v_obj, pin);
      throw Napi::TypeError::New(env, std::string("result of '") + fn_name +
                                          "' has TVM-FFI type index " +
                                          std::to_string(value->type_index) +
                                          ", which cannot be converted to JS");
  }
}

Napi::Value FromAnyView(Napi::Env env, const TVMFFIAny& view, const char* fn_name,
                        PinSource& pin) {
  TVMFFIAny copy = view;
  if (copy.type_index >= kTVMFFIStaticObjectBegin && copy.v_obj) TVMFFIObjectIncRef(copy.v_obj);
  return FromAny(env, &copy, fn_name, pin);
}

// ---------------------------------------------------------------- errors
namespace {

// Error objects raised for JS exceptions carry a marker object as extra_context; the marker
// maps back to the original JS error (while the error object lives).
struct JsErrorRef {
  napi_env env;
  napi_ref ref;
};
std::mutex g_err_mu;
std::unordered_map<TVMFFIObject*, JsErrorRef>* g_js_errors =
    new std::unordered_map<TVMFFIObject*, JsErrorRef>();

napi_value LookupJsError(napi_env env, TVMFFIObject* marker) {
  if (!marker) return nullptr;
  std::lock_guard<std::mutex> lock(g_err_mu);
  auto it = g_js_errors->find(marker);
  if (it == g_js_errors->end() || it->second.env != env) return nullptr;
  napi_value holder = nullptr, v = nullptr;
  if (napi_get_reference_value(env, it->second.ref, &holder) != napi_ok || !holder) return nullptr;
  napi_get_element(env, holder, 0, &v);
  return v;
}

Napi::Value ErrorObjectToJs(Napi::Env env, TVMFFIObject* err) {
  TVMFFIErrorCell* cell = TVMFFIErrorGetCellPtr(err);
  if (napi_value orig = LookupJsError(env, static_cast<TVMFFIObject*>(cell->extra_context)))
    return Napi::Value(env, orig);
  std::string kind(cell->kind.data, cell->kind.size);
  std::string message(cell->message.data, cell->message.size);
  std::string backtrace(cell->backtrace.data, cell->backtrace.size);
  return MakeFFIError(env, kind, message, backtrace);
}

}  // namespace

void RaiseJsError(Napi::Env env, napi_value error) {
  // kind: the JS error's name ("Error", "TypeError", ...), or "JSError" for non-errors.
  std::string kind = "JSError", message, stack;
  bool is_error = false;
  napi_is_error(env, error, &is_error);
  Napi::Value v(env, error);
  if (is_error) {
    Napi::Object o = v.As<Napi::Object>();
    Napi::Value name = o.Get("name"), msg = o.Get("message"), st = o.Get("stack");
    if (name.IsString()) kind = name.As<Napi::String>().Utf8Value();
    if (msg.IsString()) message = msg.As<Napi::String>().Utf8Value();
    if (st.IsString()) stack = st.As<Napi::String>().Utf8Value();
  } else {
    // [i19n] String(value), not ToString: ToString throws for a Symbol, and that TypeError
    // would replace the thrown value. Objects whose conversion throws get a placeholder.
    napi_value string_fn = nullptr, global = nullptr, s = nullptr;
    napi_get_global(env, &global);
    napi_get_named_property(env, global, "String", &string_fn);
    napi_valuetype t = napi_undefined;
    if (string_fn && napi_call_function(env, global, string_fn, 1, &error, &s) == napi_ok &&
        napi_typeof(env, s, &t) == napi_ok && t == napi_string) {
      message = Napi::Value(env, s).As<Napi::String>().Utf8Value();
    } else {
      napi_value ignored;
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) napi_get_and_clear_last_exception(env, &ignored);
      message = "<a thrown value that cannot be converted to a string>";
    }
  }
  // References to primitives are not portable across Node versions: hold [error].
  napi_value box;
  napi_create_array_with_length(env, 1, &box);
  napi_set_element(env, box, 0, error);
  napi_ref ref = nullptr;
  napi_create_reference(env, box, 1, &ref);
  // The marker's deleter (when the error object dies) forgets the JS error.
  auto holder = std::make_shared<TVMFFIObject*>(nullptr);
  napi_env raw = env;
  struct Forget {
    std::shared_ptr<TVMFFIObject*> key;
    napi_env env;
    napi_ref ref;
    ~Forget() {
      if (!key || !*key) return;
      {
        std::lock_guard<std::mutex> lock(g_err_mu);
        g_js_errors->erase(*key);
      }
      EnvState* st = CurrentEnvState();
      if (st && st->env == env) napi_delete_reference(env, ref);
    }
  };
  auto forget = std::make_shared<Forget>(Forget{holder, raw, ref});
  TVMFFIObject* marker = runtime::CreateFunction(
      [forget](const TVMFFIAny*, int32_t, TVMFFIAny*) {});
  *holder = marker;
  {
    std::lock_guard<std::mutex> lock(g_err_mu);
    (*g_js_errors)[marker] = JsErrorRef{raw, ref};
  }
  TVMFFIByteArray k{kind.data(), kind.size()}, m{message.data(), message.size()},
      b{stack.data(), stack.size()};
  TVMFFIObjectHandle err = nullptr;
  int rc = TVMFFIErrorCreateWithCauseAndExtraContext(&k, &m, &b, nullptr, marker, &err);
  TVMFFIObjectDecRef(marker);  // the error holds it now
  if (rc != 0 || !err) {
    runtime::SetRaisedError({kind, message, stack});
    return;
  }
  TVMFFIErrorSetRaised(err);
  TVMFFIObjectDecRef(err);
}

Napi::Value TakeRaisedError(Napi::Env env, int rc, const char* fn_name) {
  TVMFFIObjectHandle err = nullptr;
  TVMFFIErrorMoveFromRaised(&err);
  if (!err) {
    return MakeFFIError(env, "InternalError",
                        std::string("'") + fn_name + "' returned " + std::to_string(rc) +
                            " without raising an error",
                        "");
  }
  ResultRef ref{static_cast<TVMFFIObject*>(err)};
  return ErrorObjectToJs(env, static_cast<TVMFFIObject*>(err));
}

}  // namespace orcjit::binding
