// Exports that box plain values (DataType, Device, ffi.float, JS-made tensors), parse and
// print data types, and dispose or compare boxed values.
#include <string>
#include <vector>

#include "binding/js_memory.h"
#include "binding/values.h"
#include "binding/values_api.h"
#include "runtime/global_registry.h"

namespace orcjit::binding {

Napi::Value BoxDataType(const Napi::CallbackInfo& info) {
  auto* box = new Box();
  box->kind = BoxKind::kDataType;
  box->dtype.code = uint8_t(info[1].As<Napi::Number>().Uint32Value());
  box->dtype.bits = uint8_t(info[2].As<Napi::Number>().Uint32Value());
  box->dtype.lanes = uint16_t(info[3].As<Napi::Number>().Uint32Value());
  AttachBox(info.Env(), info[0], box);
  return info.Env().Undefined();
}

// boxFloat(target, x): ffi.float(x), a number that always crosses as Float.
Napi::Value BoxFloat(const Napi::CallbackInfo& info) {
  auto* box = new Box();
  box->kind = BoxKind::kFloat;
  box->number = info[1].As<Napi::Number>().DoubleValue();
  AttachBox(info.Env(), info[0], box);
  return info.Env().Undefined();
}

Napi::Value BoxDevice(const Napi::CallbackInfo& info) {
  auto* box = new Box();
  box->kind = BoxKind::kDevice;
  box->device.device_type = DLDeviceType(info[1].As<Napi::Number>().Int32Value());
  box->device.device_id = info[2].As<Napi::Number>().Int32Value();
  AttachBox(info.Env(), info[0], box);
  return info.Env().Undefined();
}

namespace {

/// [i19n] The tensor must lie inside the ArrayBuffer as the engine sees it (the TS checks
/// used JS-visible values; this is the check that holds whatever JS reports), and the
/// ArrayBuffer gets pinned (binding/js_memory.h). Throws TypeError.
void CheckJsTensorExtent(Napi::Env env, napi_value ab, int64_t offset, const DLTensor& t) {
  size_t ab_len = 0;
  napi_get_arraybuffer_info(env, ab, nullptr, &ab_len);
  bool detached = false;
  napi_is_detached_arraybuffer(env, ab, &detached);
  if (detached) throw Napi::TypeError::New(env, "Tensor: the ArrayBuffer is detached");
  auto fail = [&](const std::string& why) -> void { throw Napi::TypeError::New(env, "Tensor: " + why); };
  if (offset < 0 || uint64_t(offset) > ab_len)
    fail("byteOffset " + std::to_string(offset) + " is outside the ArrayBuffer (" +
         std::to_string(ab_len) + " bytes)");
  int64_t elem = (int64_t(t.dtype.bits) * t.dtype.lanes + 7) / 8;
  int64_t last = 0;
  bool empty = false;
  for (int i = 0; i < t.ndim; ++i) {
    if (t.shape[i] < 0) fail("shape[" + std::to_string(i) + "] is negative");
    if (t.shape[i] == 0) empty = true;
  }
  int64_t extent = 0;
  if (!empty) {
    int64_t stride = 1;
    for (int i = t.ndim - 1; i >= 0; --i) {
      int64_t s = t.strides ? t.strides[i] : stride;
      if (s < 0) fail("strides[" + std::to_string(i) + "] is negative");
      int64_t step;
      if (__builtin_mul_overflow(t.shape[i] - 1, s, &step) || __builtin_add_overflow(last, step, &last))
        fail("shape and strides overflow");
      if (!t.strides && __builtin_mul_overflow(stride, t.shape[i], &stride))
        fail("shape overflows");
    }
    if (__builtin_add_overflow(last, int64_t(1), &extent) ||
        __builtin_mul_overflow(extent, elem, &extent))
      fail("shape and strides overflow");
  }
  if (uint64_t(extent) > ab_len - uint64_t(offset))
    fail("shape and strides reach " + std::to_string(extent) + " bytes from byteOffset " +
         std::to_string(offset) + ", the ArrayBuffer has " + std::to_string(ab_len));
  if (!PinArrayBuffer(env, ab))
    fail("a resizable ArrayBuffer cannot back a Tensor: native code may keep the tensor, and "
         "resize() could free its memory. Copy the data into a fixed-length ArrayBuffer");
}

}  // namespace

// boxTensor(target, arrayBuffer, byteOffset, shape[], strides[]|null, code, bits, lanes,
//           devType, devId): a JS-made tensor over JS memory (validated in TS).
Napi::Value BoxTensor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsArrayBuffer()) throw Napi::TypeError::New(env, "boxTensor: expected an ArrayBuffer");
  auto shape_arr = info[3].As<Napi::Array>();
  int ndim = int(shape_arr.Length());
  std::vector<int64_t> shape(ndim), strides(ndim);
  for (int i = 0; i < ndim; ++i) shape[i] = shape_arr.Get(uint32_t(i)).As<Napi::Number>().Int64Value();
  bool has_strides = info[4].IsArray();
  if (has_strides) {
    auto s = info[4].As<Napi::Array>();
    for (int i = 0; i < ndim; ++i) strides[i] = s.Get(uint32_t(i)).As<Napi::Number>().Int64Value();
  }
  DLTensor t{};
  t.ndim = ndim;
  t.shape = shape.data();
  t.strides = has_strides ? strides.data() : nullptr;
  t.dtype.code = uint8_t(info[5].As<Napi::Number>().Uint32Value());
  t.dtype.bits = uint8_t(info[6].As<Napi::Number>().Uint32Value());
  t.dtype.lanes = uint16_t(info[7].As<Napi::Number>().Uint32Value());
  t.device.device_type = DLDeviceType(info[8].As<Napi::Number>().Int32Value());
  t.device.device_id = info[9].As<Napi::Number>().Int32Value();
  int64_t offset = info[2].As<Napi::Number>().Int64Value();
  CheckJsTensorExtent(env, info[1], offset, t);  // [i19n] engine extents, pinning
  auto* box = new Box();
  box->obj = MakeJsTensor(env, info[1], size_t(offset), t, &box->buffer);
  AttachBox(env, info[0], box);
  return env.Undefined();
}

Napi::Value DTypeParse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string s = Utf8(info[0]);
  TVMFFIByteArray b{s.data(), s.size()};
  DLDataType dt;
  if (TVMFFIDataTypeFromString(&b, &dt) != 0) ThrowValue(env, TakeRaisedError(env, -1, "DataType.parse"));
  auto arr = Napi::Array::New(env, 3);
  arr.Set(0u, Napi::Number::New(env, dt.code));
  arr.Set(1u, Napi::Number::New(env, dt.bits));
  arr.Set(2u, Napi::Number::New(env, dt.lanes));
  return arr;
}

Napi::Value DTypeToString(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DLDataType dt;
  dt.code = uint8_t(info[0].As<Napi::Number>().Uint32Value());
  dt.bits = uint8_t(info[1].As<Napi::Number>().Uint32Value());
  dt.lanes = uint16_t(info[2].As<Napi::Number>().Uint32Value());
  TVMFFIAny out;
  out.type_index = kTVMFFINone;
  if (TVMFFIDataTypeToString(&dt, &out) != 0) ThrowValue(env, TakeRaisedError(env, -1, "DataType.toString"));
  return FromAny(env, &out, "DataType.toString");
}

Napi::Value DisposeValue(const Napi::CallbackInfo& info) {
  Box* box = info.Length() > 0 ? UnwrapBox(info.Env(), info[0]) : nullptr;
  if (box && box->obj) {
    TVMFFIObject* obj = box->obj;
    box->obj = nullptr;
    box->buffer = nullptr;
    uint64_t owner = box->owner, type_owner = box->type_owner;
    box->owner = 0;
    box->type_owner = 0;
    Pin pin = std::move(box->pin);
    // [i19n] From a JS callback, a running kernel may hold this object as a borrowed
    // argument: the reference goes when no callback is in flight (binding/lifetime.h).
    AfterCallbacks([obj, owner, type_owner, pin]() mutable {
      TVMFFIObjectDecRef(obj);
      if (owner) runtime::ReleaseOwner(owner);
      if (type_owner) runtime::ReleaseOwner(type_owner);
      pin.reset();
    });
  }
  return info.Env().Undefined();
}

// valueInfo(target) -> -2 not a value, -1 disposed, else the type index.
Napi::Value ValueTypeIndex(const Napi::CallbackInfo& info) {
  Box* box = info.Length() > 0 ? UnwrapBox(info.Env(), info[0]) : nullptr;
  int32_t r = -2;
  if (box && box->kind == BoxKind::kObject) r = box->obj ? box->obj->type_index : -1;
  return Napi::Number::New(info.Env(), r);
}

Napi::Value SameObject(const Napi::CallbackInfo& info) {
  Box* a = UnwrapBox(info.Env(), info[0]);
  Box* b = UnwrapBox(info.Env(), info[1]);
  return Napi::Boolean::New(info.Env(), a && b && a->obj && a->obj == b->obj);
}

}  // namespace orcjit::binding
