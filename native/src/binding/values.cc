#include "binding/values.h"

#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "binding/addon_state.h"
#include "jit/library.h"
#include "runtime/api.h"
#include "runtime/global_registry.h"
#include "runtime/type_table.h"
#include "runtime/tensor.h"

namespace orcjit::binding {

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

Box* UnwrapBoxOfObject(napi_env env, napi_value value) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, &kBoxTag, &tagged) != napi_ok || !tagged)
    return nullptr;
  void* p = nullptr;
  if (napi_unwrap(env, value, &p) != napi_ok) return nullptr;
  return static_cast<Box*>(p);
}

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
  Addon* st = Addon::Current();
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

// ---------------------------------------------------------------- Any -> JS
namespace {

ValueFactories& Classes(Napi::Env env) {
  // The JS thread's own Addon (a thread_local read) is the common case: wrappers are built
  // on every call that returns an object or a tensor.
  Addon* addon = Addon::Current();
  if (!addon || addon->env != env) addon = Addon::Get(env);
  if (!addon || !addon->initialized)
    throw Napi::Error::New(env, "tvm-ffi-orcjit is not initialized (initialize({ errors, factories }))");
  return addon->factories;
}

}  // namespace

Napi::Value DataTypeToJs(Napi::Env env, DLDataType dt) {
  return Classes(env).dtype.Call({Napi::Number::New(env, dt.code), Napi::Number::New(env, dt.bits),
                                  Napi::Number::New(env, dt.lanes)});
}

Napi::Value DeviceToJs(Napi::Env env, DLDevice dev) {
  return Classes(env).device.Call(
      {Napi::Number::New(env, dev.device_type), Napi::Number::New(env, dev.device_id)});
}

Napi::Object MakeMapValue(Napi::Env env) {
  return Classes(env).map.Call({}).As<Napi::Object>();
}

namespace {

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

}  // namespace

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

}  // namespace orcjit::binding
