#include "binding/convert.h"

#include <tvm/ffi/container/array.h>
#include <tvm/ffi/container/map.h>

#include <cstring>

#include "binding/values.h"
#include "runtime/api.h"
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

ViewSlot* ArgScratch::View() {
  if (views_used_ < sizeof(inline_views_) / sizeof(inline_views_[0]))
    return &inline_views_[views_used_++];
  auto& v = overflow().views;
  v.push_back(std::make_unique<ViewSlot>());
  return v.back().get();
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

// ---------------------------------------------------------------- JS -> Any
namespace {

std::string ArgName(const char* fn_name, size_t index) {
  return std::string("argument #") + std::to_string(index) + " of '" + fn_name + "'";
}

[[noreturn]] void ArgTypeError(Napi::Env env, const char* fn_name, size_t index,
                               const std::string& what) {
  throw Napi::TypeError::New(env, ArgName(fn_name, index) + ": " + what);
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
  if (!lossless)
    throw Napi::RangeError::New(env, ArgName(fn, i) + ": bigint out of the int64 range");
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
  if (!FillTypedArrayView(type, length, data, out, scratch.View()))
    ArgTypeError(env, fn, index, "unsupported typed array kind");
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
    case BoxKind::kFloat: return FloatToAny(box->number, out);
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
    "typed arrays, Tensor, DataType, Device, FFIObject, functions, arrays, Map and plain "
    "objects)";

// ---------------------------------------------------------------- containers
/// One level of the container being converted: cycles are found by walking up, and an error
/// names the element by the keys along the way ("argument #0 of 'f', element [2].x").
struct ContainerPath {
  napi_value value;
  const ContainerPath* parent;
  int depth;
  // How the parent reached this level, turned into text only for errors: an array index,
  // or a map / object key (`key`), or that key itself (`is_key`).
  int64_t index = -1;
  napi_value key = nullptr;
  bool object_key = false;  // key of a plain object (".x") rather than of a Map ("[k]")
  bool is_key = false;
};

/// Deeper nesting than this is refused (the C stack is finite; no real argument nests so).
constexpr int kMaxNesting = 128;
/// Longer arrays are refused before allocating (a sparse `a.length = 2**32 - 1` would ask for
/// 64 GB and billions of element reads); typed arrays are the way to pass bulk data.
constexpr uint32_t kMaxContainerElements = uint32_t(1) << 24;

enum class ContainerKind { kNone, kArray, kMap, kPlainObject };

ContainerKind ContainerKindOf(Napi::Env env, napi_value value) {
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  if (is_array) return ContainerKind::kArray;
  Napi::Object global = env.Global();
  napi_value map_ctor = global.Get("Map");
  bool is_map = false;
  napi_instanceof(env, value, map_ctor, &is_map);
  if (is_map) return ContainerKind::kMap;
  napi_value proto;
  if (napi_get_prototype(env, value, &proto) != napi_ok) return ContainerKind::kNone;
  napi_valuetype pt;
  napi_typeof(env, proto, &pt);
  if (pt == napi_null) return ContainerKind::kPlainObject;
  napi_value object_proto = global.Get("Object").As<Napi::Object>().Get("prototype");
  bool same = false;
  napi_strict_equals(env, proto, object_proto, &same);
  return same ? ContainerKind::kPlainObject : ContainerKind::kNone;
}

std::string StepText(napi_env env, const ContainerPath& p) {
  if (p.index >= 0) return "[" + std::to_string(p.index) + "]";
  Napi::Value k(env, p.key);
  std::string text;
  if (k.IsString() && p.object_key) {
    text = "." + k.As<Napi::String>().Utf8Value();
  } else if (k.IsString()) {
    text = "[\"" + k.As<Napi::String>().Utf8Value() + "\"]";
  } else {
    napi_value s;
    text = napi_coerce_to_string(env, p.key, &s) == napi_ok
               ? "[" + Napi::Value(env, s).As<Napi::String>().Utf8Value() + "]"
               : "[?]";
  }
  return p.is_key ? text + " (key)" : text;
}

std::string PathText(napi_env env, const ContainerPath* p) {
  std::string s;
  for (; p && p->parent; p = p->parent) s = StepText(env, *p) + s;
  return s;
}

TVMFFIObject* ContainerToOwned(Napi::Env env, napi_value value, ContainerKind kind,
                               const ContainerPath& path, const char* fn, size_t index);

/// Releases an owned Any on scope exit unless taken.
struct OwnedAny {
  TVMFFIAny v{};
  ~OwnedAny() {
    if (v.type_index >= kTVMFFIStaticObjectBegin && v.v_obj) TVMFFIObjectDecRef(v.v_obj);
  }
  TVMFFIAny Take() {
    TVMFFIAny r = v;
    v.type_index = kTVMFFINone;
    v.v_obj = nullptr;
    return r;
  }
};

/// A typed array as an owned value: Bytes (copied) for Uint8Array, else a Tensor over the
/// array's memory that keeps its ArrayBuffer alive.
void TypedArrayToOwned(Napi::Env env, napi_value value, const TVMFFIAny& view, TVMFFIAny* out) {
  if (view.type_index != kTVMFFIDLTensorPtr) {
    *out = runtime::AnyViewToOwned(view);
    return;
  }
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  napi_value ab;
  napi_get_typedarray_info(env, value, &type, &length, &data, &ab, &offset);
  TVMFFIObject* t =
      MakeJsTensor(env, ab, offset, *static_cast<const DLTensor*>(view.v_ptr), nullptr);
  out->type_index = kTVMFFITensor;
  out->zero_padding = 0;
  out->v_obj = t;
}

/// One container element (or map key) as an owned Any; errors name it by its path.
void ElementToOwned(Napi::Env env, napi_value value, const ContainerPath& path, const char* fn,
                    size_t index, TVMFFIAny* out) {
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok) return NumberToAny(d, out);
  napi_valuetype t;
  napi_typeof(env, value, &t);
  if (t == napi_object && !UnwrapBox(env, value)) {
    ContainerKind kind = ContainerKindOf(env, value);
    if (kind != ContainerKind::kNone) {
      TVMFFIObject* obj = ContainerToOwned(env, value, kind, path, fn, index);
      out->type_index = obj->type_index;
      out->zero_padding = 0;
      out->v_obj = obj;
      return;
    }
  }
  ArgScratch scratch;
  TVMFFIAny view;
  try {
    ToAny(env, value, &view, scratch, fn, index);
    if (view.type_index == kTVMFFIDLTensorPtr || view.type_index == kTVMFFIByteArrayPtr)
      TypedArrayToOwned(env, value, view, out);
    else
      *out = runtime::AnyViewToOwned(view);
  } catch (const Napi::Error& e) {
    // "argument #0 of 'f': what" → "argument #0 of 'f', element [1].x: what"
    std::string msg = e.Message(), prefix = ArgName(fn, index) + ": ";
    if (msg.compare(0, prefix.size(), prefix) == 0) msg = msg.substr(prefix.size());
    throw Napi::TypeError::New(
        env, ArgName(fn, index) + ", element " + PathText(env, &path) + ": " + msg);
  } catch (const runtime::FFIError& e) {
    throw Napi::Error::New(env, ArgName(fn, index) + ", element " + PathText(env, &path) + ": " +
                                    e.what());
  }
}

TVMFFIObject* ContainerToOwned(Napi::Env env, napi_value value, ContainerKind kind,
                               const ContainerPath& path, const char* fn, size_t index) {
  using tvm::ffi::Any;
  using tvm::ffi::details::AnyUnsafe;
  using tvm::ffi::details::ObjectUnsafe;
  for (const ContainerPath* p = &path; p; p = p->parent) {
    bool same = false;
    napi_strict_equals(env, p->value, value, &same);
    if (same && p != &path)
      ArgTypeError(env, fn, index,
                   "the value is cyclic: element " + PathText(env, &path) +
                       " is the container it is in" + (p->parent ? " (" + PathText(env, p) + ")" : ""));
  }
  if (path.depth >= kMaxNesting)
    ArgTypeError(env, fn, index,
                 "containers nested deeper than " + std::to_string(kMaxNesting) + " levels");
  Napi::Object obj(env, value);
  if (kind == ContainerKind::kArray) {
    uint32_t n = obj.As<Napi::Array>().Length();
    if (n > kMaxContainerElements)
      throw Napi::RangeError::New(
          env, ArgName(fn, index) + ": an array of " + std::to_string(n) +
                   " elements is too large to convert (at most " +
                   std::to_string(kMaxContainerElements) +
                   " elements; pass bulk numbers as a typed array)");
    auto arr = tvm::ffi::ArrayObj::Empty(n);
    for (uint32_t i = 0; i < n; ++i) {
      napi_value el;
      if (napi_get_element(env, value, i, &el) != napi_ok) throw Napi::Error::New(env);
      ContainerPath child{el, &path, path.depth + 1, int64_t(i)};
      OwnedAny owned;
      ElementToOwned(env, el, child, fn, index, &owned.v);
      arr->EmplaceUnchecked(AnyUnsafe::FromOwned(owned.Take()));
    }
    return ObjectUnsafe::MoveObjectPtrToHandle(std::move(arr));
  }
  // Map or plain object: the pairs first (a Map's iteration order, an object's own
  // enumerable string keys), then one map object sized for them.
  std::vector<std::pair<napi_value, napi_value>> pairs;
  if (kind == ContainerKind::kMap) {
    Napi::Value entries_fn = obj.Get("entries");
    Napi::Object it = entries_fn.As<Napi::Function>().Call(obj, {}).As<Napi::Object>();
    Napi::Function next = it.Get("next").As<Napi::Function>();
    for (;;) {
      Napi::Object r = next.Call(it, {}).As<Napi::Object>();
      if (r.Get("done").ToBoolean().Value()) break;
      Napi::Array kv = r.Get("value").As<Napi::Array>();
      pairs.emplace_back(kv.Get(0u), kv.Get(1u));
    }
  } else {
    Napi::Array keys = obj.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      napi_value k = keys.Get(i);
      pairs.emplace_back(k, obj.Get(k));
    }
  }
  auto map = tvm::ffi::MapObj::Empty(static_cast<int64_t>(pairs.size()));
  for (auto& [k, v] : pairs) {
    bool object_key = kind == ContainerKind::kPlainObject;
    ContainerPath kpath{k, &path, path.depth + 1, -1, k, object_key, true};
    OwnedAny key;
    ElementToOwned(env, k, kpath, fn, index, &key.v);
    ContainerPath vpath{v, &path, path.depth + 1, -1, k, object_key, false};
    OwnedAny val;
    ElementToOwned(env, v, vpath, fn, index, &val.v);
    int64_t at = map->Find(&key.v);
    if (at >= 0)
      map->SetValueAt(at, AnyUnsafe::FromOwned(val.Take()));
    else
      map->AppendUnchecked(AnyUnsafe::FromOwned(key.Take()), AnyUnsafe::FromOwned(val.Take()));
  }
  return ObjectUnsafe::MoveObjectPtrToHandle(std::move(map));
}

/// A JS array, Map or plain object as an owned ffi.Array / ffi.Map (released after the call).
bool ContainerToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
                    const char* fn, size_t index) {
  ContainerKind kind = ContainerKindOf(env, value);
  if (kind == ContainerKind::kNone) return false;
  ContainerPath root{value, nullptr, 0};
  try {
    TVMFFIObject* obj = ContainerToOwned(env, value, kind, root, fn, index);
    scratch.Own(obj);
    out->type_index = obj->type_index;
    out->zero_padding = 0;
    out->v_obj = obj;
  } catch (const runtime::FFIError& e) {
    ArgTypeError(env, fn, index, e.what());
  } catch (const std::bad_alloc&) {
    // e.g. a sparse array with a huge length: its elements would not fit in memory
    throw Napi::RangeError::New(env, ArgName(fn, index) + ": the container is too large to convert");
  }
  return true;
}

void ToAnyRest(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
               const char* fn_name, size_t index);

}  // namespace

void ToAny(Napi::Env env, napi_value value, TVMFFIAny* out, ArgScratch& scratch,
           const char* fn_name, size_t index) {
  // Fast path: numbers need one N-API call instead of typeof + get.
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok) return NumberToAny(d, out);
  ToAnyNonNumber(env, value, out, scratch, fn_name, index);
}

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

void ConvertArgs(Napi::Env env, const napi_value* argv, size_t argc, TVMFFIAny* args,
                 ArgScratch& scratch, const char* fn_name) {
  for (size_t i = 0; i < argc; ++i) ToAny(env, argv[i], &args[i], scratch, fn_name, i);
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
      if (Box* box = UnwrapBox(env, value)) return BoxToAny(env, box, out, fn_name, index);
      if (ContainerToAny(env, value, out, scratch, fn_name, index)) return;
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
      if (Box* box = UnwrapBox(env, value)) return BoxToAny(env, box, out, fn_name, index);
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
  ContainerPath root{value, nullptr, 0};
  try {
    ElementToOwned(env, value, root, what, 0, out);
  } catch (const runtime::FFIError& e) {
    throw Napi::Error::New(env, e.what());
  }
}

void CallbackResultToOwnedAny(Napi::Env env, napi_value value, TVMFFIAny* out,
                              const std::string& callback) {
  ToOwnedAny(env, value, out, ("result of JS function '" + callback + "'").c_str());
}

// ---------------------------------------------------------------- Any -> JS
namespace {

Napi::Value IntToJs(Napi::Env env, int64_t v) {
  if (v >= -kMaxSafeInteger && v <= kMaxSafeInteger)
    return Napi::Number::New(env, static_cast<double>(v));
  return Napi::BigInt::New(env, v);
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

/// Attaches the container object `obj` (borrowed) to its JS copy: passing the JS value back
/// passes `obj` itself (no copy). Arrays and shapes are frozen, maps are FFIMap instances
/// (read-only), so the JS value cannot drift from the object it stands for.
void AttachContainer(Napi::Env env, napi_value js, TVMFFIObject* obj, PinSource& pin,
                     bool freeze) {
  auto* box = new Box();
  TVMFFIObjectIncRef(obj);
  box->obj = obj;
  BoxKeepAlive(box, pin);
  AttachBox(env, js, box);
  if (freeze) napi_object_freeze(env, js);
}

Napi::Value SeqToJs(Napi::Env env, TVMFFIObject* obj, const char* fn, PinSource& pin) {
  auto* cell = reinterpret_cast<TVMFFISeqCell*>(reinterpret_cast<char*>(obj) + sizeof(TVMFFIObject));
  auto* items = static_cast<const TVMFFIAny*>(cell->data);
  auto arr = Napi::Array::New(env, size_t(cell->size));
  for (int64_t i = 0; i < cell->size; ++i)
    arr.Set(uint32_t(i), FromAnyView(env, items[i], fn, pin));
  AttachContainer(env, arr, obj, pin, true);
  return arr;
}

Napi::Value MapToJs(Napi::Env env, TVMFFIObject* obj, const char* fn, PinSource& pin) {
  auto* cell = reinterpret_cast<tvm::ffi::details::MapCell*>(reinterpret_cast<char*>(obj) +
                                                             sizeof(TVMFFIObject));
  Napi::Function map_ctor = env.Global().Get("Map").As<Napi::Function>();
  // Filled through Map.prototype.set itself: FFIMap's own set refuses changes.
  Napi::Function set = map_ctor.Get("prototype").As<Napi::Object>().Get("set").As<Napi::Function>();
  Napi::Object m = MakeMapValue(env);
  for (int64_t i = 0; i < cell->size; ++i) {
    Napi::Value k = FromAnyView(env, cell->data[2 * i], fn, pin);
    Napi::Value v = FromAnyView(env, cell->data[2 * i + 1], fn, pin);
    set.Call(m, {k, v});
  }
  AttachContainer(env, m, obj, pin, false);
  return m;
}

Napi::Value ShapeToJs(Napi::Env env, TVMFFIObject* obj, PinSource& pin) {
  TVMFFIShapeCell* cell = TVMFFIShapeGetCellPtr(obj);
  auto arr = Napi::Array::New(env, cell->size);
  for (size_t i = 0; i < cell->size; ++i) arr.Set(uint32_t(i), IntToJs(env, cell->data[i]));
  AttachContainer(env, arr, obj, pin, true);
  return arr;
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
    case kTVMFFIShape: return ShapeToJs(env, value->v_obj, pin);
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

}  // namespace orcjit::binding
