// The value layer's exports (`exports.values`, described in src/native/binding.ts):
// boxes for DataType/Device/Tensor, global functions, reflection (fields, methods,
// constructors), JS callbacks as Function objects, and shared libraries via dlopen.
#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

#include "binding/addon_state.h"
#include "binding/js_memory.h"
#include "binding/convert.h"
#include "binding/function.h"
#include "binding/values.h"
#include "binding/async_call.h"
#include "jit/session.h"
#include "runtime/api.h"
#include "runtime/function.h"
#include "runtime/global_registry.h"
#include "runtime/type_table.h"

namespace orcjit::binding {

bool JsThreadAlive() { return Addon::Current() != nullptr; }

namespace {

std::string Utf8(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }

/// Calls the Function object `fn` with JS arguments (self first if given); the result
/// holds `pin`.
Napi::Value CallFunctionObject(Napi::Env env, TVMFFIObject* fn, const TVMFFIAny* self,
                               const napi_value* argv, size_t argc, const char* name,
                               const Pin& pin, uint64_t owner) {
  size_t n = argc + (self ? 1 : 0);
  TVMFFIAny inline_args[kInlineArgs];
  std::vector<TVMFFIAny> heap_args;
  TVMFFIAny* args = inline_args;
  if (n > kInlineArgs) {
    heap_args.resize(n);
    args = heap_args.data();
  }
  size_t k = 0;
  if (self) args[k++] = *self;
  LentViews lent(argv, argc, name);  // [i19n] typed arrays lent for the call (js_memory.h)
  ArgScratch scratch;
  ConvertArgs(env, argv, argc, args + k, scratch, name);
  TVMFFIAny result;
  result.type_index = kTVMFFINone;
  result.zero_padding = 0;
  result.v_int64 = 0;
  int rc = TVMFFIFunctionCall(fn, args, static_cast<int32_t>(n), &result);
  scratch.Release();
  if (rc != 0) ThrowValue(env, TakeRaisedError(env, rc, name));
  PinSource src(pin, owner);
  return FromAny(env, &result, name, src);
}

napi_value CallFunctionValue(napi_env raw_env, napi_callback_info info) {
  Napi::Env env(raw_env);
  size_t argc = kInlineArgs;
  napi_value inline_argv[kInlineArgs];
  void* data = nullptr;
  napi_get_cb_info(raw_env, info, &argc, inline_argv, nullptr, &data);
  auto* box = static_cast<Box*>(data);  // lives as long as the function object
  try {
    std::vector<napi_value> heap_argv;
    napi_value* argv = inline_argv;
    if (argc > kInlineArgs) {
      heap_argv.resize(argc);
      napi_get_cb_info(raw_env, info, &argc, heap_argv.data(), nullptr, nullptr);
      argv = heap_argv.data();
    }
    if (!box->obj) throw Napi::Error::New(env, "function called after dispose()");
    return CallFunctionObject(env, box->obj, nullptr, argv, argc, box->name.c_str(), box->pin,
                              box->owner);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

}  // namespace

Napi::Value MakeFunctionValue(Napi::Env env, TVMFFIObject* fn, Pin pin, const std::string& name,
                              uint64_t owner) {
  auto* box = new Box();
  box->obj = fn;  // takes over the reference
  box->pin = std::move(pin);
  if (owner) {
    runtime::RetainOwner(owner);
    box->owner = owner;
  }
  box->name = name;
  napi_value out;
  napi_status st = napi_create_function(env, name.c_str(), name.size(), CallFunctionValue, box, &out);
  if (st != napi_ok) {
    delete box;
    NAPI_THROW_IF_FAILED(env, st, Napi::Value());
  }
  AttachBox(env, out, box);
  return Napi::Value(env, out);
}

// ---------------------------------------------------------------- JS callbacks
namespace {

struct JsCallback {
  napi_env env;
  napi_ref fn;
  std::string name;
  ~JsCallback() {
    Addon* st = Addon::Current();
    if (st && st->env == env) napi_delete_reference(env, fn);
  }
};

/// Callback arguments as JS: the scalar kinds directly, the rest through FromAnyView.
inline napi_value ArgToJs(Napi::Env env, const TVMFFIAny& a, const char* name) {
  napi_value v;
  if (ScalarToJs(env, a, &v)) return v;
  PinSource none;
  return FromAnyView(env, a, name, none);
}

/// Calls the JS function; errors are raised (TVM-FFI error slot) and reported as -1.
int InvokeJs(const JsCallback& cb, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  Napi::Env env(cb.env);
  try {
    napi_value inline_argv[kInlineArgs];
    std::vector<napi_value> heap_argv;
    napi_value* argv = inline_argv;
    if (n > int32_t(kInlineArgs)) {
      heap_argv.resize(size_t(n));
      argv = heap_argv.data();
    }
    for (int32_t i = 0; i < n; ++i) argv[i] = ArgToJs(env, args[i], cb.name.c_str());
    napi_value fn, undefined, ret = nullptr;
    napi_get_reference_value(cb.env, cb.fn, &fn);
    napi_get_undefined(cb.env, &undefined);
    napi_status status = napi_call_function(cb.env, undefined, fn, size_t(n), argv, &ret);
    if (__builtin_expect(status != napi_ok, 0)) {
      if (status == napi_pending_exception) {
        napi_value exc;
        napi_get_and_clear_last_exception(cb.env, &exc);
        RaiseJsError(env, exc);
        return -1;
      }
      runtime::SetRaisedError({"InternalError",
                               "cannot call JS function '" + cb.name + "' (N-API status " +
                                   std::to_string(int(status)) + ")",
                               ""});
      return -1;
    }
    ResultToOwnedAny(env, ret, result, cb.name);
    return 0;
  } catch (const Napi::Error& e) {
    try {
      RaiseJsError(env, e.Value());
    } catch (const std::exception& e2) {
      runtime::SetRaisedError({"InternalError", e2.what(), ""});
    }
  } catch (const runtime::FFIError& e) {
    runtime::SetRaisedError(e.info());
  } catch (const std::bad_alloc&) {
    runtime::SetRaisedError({"MemoryError", "out of memory", ""});
  } catch (const std::exception& e) {
    runtime::SetRaisedError({"InternalError", e.what(), ""});
  } catch (...) {
    runtime::SetRaisedError({"InternalError", "unknown C++ exception", ""});
  }
  return -1;
}

/// safe_call of a wrapped JS function (self = JsCallback): a plain function pointer, so a
/// call is TVMFFIFunctionCall -> trampoline -> here, with no std::function in between.
int JsCallbackSafeCall(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  auto* cb = static_cast<JsCallback*>(self);
  Addon* st = Addon::Current();
  if ((!st && cb->env == Addon::TornDownEnv()) || jit::ProcessExiting()) {
    // [i19n] The JS environment is shutting down (e.g. a library finalizer at exit or at
    // worker.terminate() calls app.log): JS cannot run any more. An error here would be
    // thrown from a C++ destructor (std::terminate, the process aborts), so the call fails
    // softly: it is skipped, returns None, and says so once on stderr.
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true))
      std::fprintf(stderr,
                   "tvm-ffi-orcjit: JS function '%s' was called while its JavaScript environment "
                   "was shutting down (from a library finalizer?); JS cannot run any more, so the "
                   "call was skipped and returned None. Dispose libraries before exit to run such "
                   "finalizers while JS is usable.\n",
                   cb->name.c_str());
    result->type_index = kTVMFFINone;
    result->zero_padding = 0;
    result->v_int64 = 0;
    return 0;
  }
  if (!st) {
    // [i16] A pool thread (or a kernel's own thread) during an async call: the callback runs
    // on its JS thread while this thread waits (binding/async_call.h).
    int rc = -1;
    if (RunCallbackOnJsThread(cb->env, &JsCallbackSafeCall, self, args, n, result, cb->name.c_str(), &rc))
      return rc;
  }
  if (!st || st->env != cb->env) {
    runtime::SetRaisedError(
        {"RuntimeError",
         "JS function '" + cb->name +
             "' was called from a thread that is not its JavaScript thread; JS callbacks can "
             "only be called synchronously, on the thread that runs the calling JS code",
         ""});
    return -1;
  }
  // [i19n] Memory lent to the calls in flight must not move while JS runs (js_memory.h).
  if (st->lent && !PinLentViews(st, cb->name.c_str())) return -1;
  // [i19n] JIT code is on the stack while the callback runs: disposals wait (lifetime.cc).
  struct Depth {
    Addon* st;
    explicit Depth(Addon* s) : st(s) { ++st->callback_depth; }
    ~Depth() { --st->callback_depth; }
  } depth(st);
  if (st->unscoped_callbacks > 0) {
    // Inside a JS -> C++ call with budget left: its scope takes this call's handles.
    --st->unscoped_callbacks;
    return InvokeJs(*cb, args, n, result);
  }
  // Handles made for this call die with it (loops of callbacks would otherwise grow the
  // caller's scope).
  napi_handle_scope scope;
  if (napi_open_handle_scope(cb->env, &scope) != napi_ok) {
    runtime::SetRaisedError({"InternalError", "cannot open a handle scope", ""});
    return -1;
  }
  int rc = InvokeJs(*cb, args, n, result);
  napi_close_handle_scope(cb->env, scope);
  return rc;
}

}  // namespace

TVMFFIObject* WrapJsFunction(Napi::Env env, napi_value fn, const std::string& name) {
  auto cb = std::make_unique<JsCallback>();
  cb->env = env;
  cb->name = name;
  Napi::Value nm = Napi::Value(env, fn).As<Napi::Object>().Get("name");
  if (nm.IsString() && !Utf8(nm).empty()) cb->name = Utf8(nm);
  napi_create_reference(env, fn, 1, &cb->fn);
  TVMFFIObject* f = runtime::NewFunction(cb.get(), &JsCallbackSafeCall,
                                         [](void* self) { delete static_cast<JsCallback*>(self); });
  cb.release();  // owned by the function object now
  return f;
}

// ---------------------------------------------------------------- exports
namespace {

Box* RequireBox(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Box* box = i < info.Length() ? UnwrapBox(info.Env(), info[i]) : nullptr;
  if (!box || box->kind != BoxKind::kObject)
    throw Napi::TypeError::New(info.Env(), std::string(what) + ": not an FFI object");
  if (!box->obj) throw Napi::TypeError::New(info.Env(), std::string(what) + ": the object has been disposed");
  return box;
}

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

Napi::Value GetGlobalFunc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = Utf8(info[0]);
  TVMFFIObject* f = runtime::GetGlobalFunction(name);
  if (!f) return env.Null();
  // Values this function returns keep the registering library mapped (runtime keep-alive).
  int64_t owner = runtime::GlobalOwner(name);
  return MakeFunctionValue(env, f, nullptr, name, owner > 0 ? uint64_t(owner) : 0);
}

Napi::Value ListGlobalFuncs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto names = runtime::ListGlobalFunctionNames();
  auto arr = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); ++i) arr.Set(uint32_t(i), Napi::String::New(env, names[i]));
  return arr;
}

Napi::Value RegisterGlobalFunc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = Utf8(info[0]);
  bool override_ = info.Length() > 2 && info[2].ToBoolean().Value();
  TVMFFIObject* f;
  Box* box = UnwrapBox(env, info[1]);
  bool js_function = false;
  if (box && box->kind == BoxKind::kObject && box->obj && box->obj->type_index == kTVMFFIFunction) {
    f = box->obj;
    TVMFFIObjectIncRef(f);
  } else {
    f = WrapJsFunction(env, info[1], name);
    js_function = true;
  }
  // [i19n] A JS function dies with its environment (a worker): remember what it replaces,
  // so that teardown puts that back instead of leaving a dead function registered.
  TVMFFIObject* previous = js_function ? runtime::GetGlobalFunction(name) : nullptr;
  try {
    runtime::SetGlobalFunction(name, f, override_);
  } catch (const runtime::FFIError& e) {
    TVMFFIObjectDecRef(f);
    if (previous) TVMFFIObjectDecRef(previous);
    ThrowValue(env, MakeFFIError(env, e.info().kind, e.info().message, e.info().backtrace));
  }
  if (js_function) Addon::Get(env)->js_globals.push_back({name, f, previous});
  TVMFFIObjectDecRef(f);
  return env.Undefined();
}

Napi::Value RemoveGlobalFunc(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), runtime::RemoveGlobalFunction(Utf8(info[0])));
}

Napi::Value TypeKeyToIndex(const Napi::CallbackInfo& info) {
  std::string key = Utf8(info[0]);
  TVMFFIByteArray b{key.data(), key.size()};
  int32_t idx = -1;
  if (TVMFFITypeKeyToIndex(&b, &idx) != 0) {
    TVMFFIObjectHandle err = nullptr;
    TVMFFIErrorMoveFromRaised(&err);
    if (err) TVMFFIObjectDecRef(err);
    idx = -1;
  }
  return Napi::Number::New(info.Env(), idx);
}

std::string Str(const TVMFFIByteArray& b) { return b.data ? std::string(b.data, b.size) : ""; }

/// Type info chain: the type itself first, then its ancestors (most derived first).
std::vector<const TVMFFITypeInfo*> TypeChain(int32_t index) {
  std::vector<const TVMFFITypeInfo*> out;
  const TVMFFITypeInfo* ti = runtime::FindTypeInfo(index);
  if (!ti) return out;
  out.push_back(ti);
  for (int32_t d = ti->type_depth - 1; d >= 0; --d)
    if (ti->type_ancestors && ti->type_ancestors[d]) out.push_back(ti->type_ancestors[d]);
  return out;
}

// typeInfo(index) -> { index, key, parentIndex, fields: [{name, writable}], methods:
// [{name, isStatic, doc}] } with inherited members (most derived wins), or null.
Napi::Value TypeInfoFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t index = info[0].As<Napi::Number>().Int32Value();
  auto chain = TypeChain(index);
  if (chain.empty()) return env.Null();
  const TVMFFITypeInfo* ti = chain[0];
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", Napi::Number::New(env, ti->type_index));
  o.Set("key", Napi::String::New(env, Str(ti->type_key)));
  o.Set("parentIndex", Napi::Number::New(env, chain.size() > 1 ? chain[1]->type_index : -1));
  std::string disposed_by = runtime::TypeDisposedBy(index);
  if (!disposed_by.empty()) o.Set("disposedBy", disposed_by);
  auto fields = Napi::Array::New(env);
  auto methods = Napi::Array::New(env);
  std::vector<std::string> seen_f, seen_m;
  auto seen = [](std::vector<std::string>& v, const std::string& s) {
    for (auto& x : v)
      if (x == s) return true;
    v.push_back(s);
    return false;
  };
  for (const TVMFFITypeInfo* t : chain) {
    for (int32_t i = 0; i < t->num_fields; ++i) {
      std::string name = Str(t->fields[i].name);
      if (seen(seen_f, name)) continue;
      Napi::Object f = Napi::Object::New(env);
      f.Set("name", name);
      f.Set("writable", Napi::Boolean::New(env, (t->fields[i].flags & kTVMFFIFieldFlagBitMaskWritable) != 0));
      fields.Set(fields.Length(), f);
    }
    for (int32_t i = 0; i < t->num_methods; ++i) {
      std::string name = Str(t->methods[i].name);
      if (seen(seen_m, name)) continue;
      Napi::Object m = Napi::Object::New(env);
      m.Set("name", name);
      m.Set("isStatic", Napi::Boolean::New(env, (t->methods[i].flags & kTVMFFIFieldFlagBitMaskIsStaticMethod) != 0));
      m.Set("doc", Str(t->methods[i].doc));
      methods.Set(methods.Length(), m);
    }
  }
  o.Set("fields", fields);
  o.Set("methods", methods);
  return o;
}

/// If `type_index`'s registrations were removed with their library, throws DisposedError.
void CheckTypeNotDisposed(Napi::Env env, int32_t type_index) {
  std::string lib = runtime::TypeDisposedBy(type_index);
  if (lib.empty()) return;
  ThrowValue(env, MakeJitError(env, jit::JitError(jit::ErrorKind::kDisposed,
                                                  "type '" + runtime::TypeKey(type_index) +
                                                      "' was registered by library '" + lib +
                                                      "', which has been disposed")));
}

const TVMFFIFieldInfo* FindField(int32_t type_index, const std::string& name) {
  for (const TVMFFITypeInfo* t : TypeChain(type_index))
    for (int32_t i = 0; i < t->num_fields; ++i)
      if (Str(t->fields[i].name) == name) return &t->fields[i];
  return nullptr;
}

const TVMFFIMethodInfo* FindMethod(int32_t type_index, const std::string& name) {
  for (const TVMFFITypeInfo* t : TypeChain(type_index))
    for (int32_t i = 0; i < t->num_methods; ++i)
      if (Str(t->methods[i].name) == name) return &t->methods[i];
  return nullptr;
}

Napi::Value GetField(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Box* box = RequireBox(info, 0, "getField");
  std::string name = Utf8(info[1]);
  const TVMFFIFieldInfo* f = FindField(box->obj->type_index, name);
  if (!f || !f->getter) CheckTypeNotDisposed(env, box->obj->type_index);
  if (!f || !f->getter)
    throw Napi::TypeError::New(env, "'" + runtime::TypeKey(box->obj->type_index) + "' has no readable field '" + name + "'");
  TVMFFIAny out;
  out.type_index = kTVMFFINone;
  out.zero_padding = 0;
  out.v_int64 = 0;
  int rc = f->getter(reinterpret_cast<char*>(box->obj) + f->offset, &out);
  if (rc != 0) ThrowValue(env, TakeRaisedError(env, rc, name.c_str()));
  PinSource src(box->pin, box->owner ? box->owner : box->type_owner);
  return FromAny(env, &out, name.c_str(), src);
}

Napi::Value SetField(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Box* box = RequireBox(info, 0, "setField");
  std::string name = Utf8(info[1]);
  const TVMFFIFieldInfo* f = FindField(box->obj->type_index, name);
  if (!f) CheckTypeNotDisposed(env, box->obj->type_index);
  if (!f || !(f->flags & kTVMFFIFieldFlagBitMaskWritable) || !f->setter)
    throw Napi::TypeError::New(env, "field '" + name + "' of '" + runtime::TypeKey(box->obj->type_index) + "' is read-only");
  ArgScratch scratch;
  TVMFFIAny v;
  ToAny(env, info[2], &v, scratch, name.c_str(), 0);
  void* addr = reinterpret_cast<char*>(box->obj) + f->offset;
  int rc;
  if (f->flags & kTVMFFIFieldFlagBitMaskSetterIsFunctionObj) {
    TVMFFIAny args[2];
    args[0].type_index = kTVMFFIOpaquePtr;
    args[0].zero_padding = 0;
    args[0].v_ptr = addr;
    args[1] = v;
    TVMFFIAny r;
    r.type_index = kTVMFFINone;
    r.zero_padding = 0;
    r.v_int64 = 0;
    rc = TVMFFIFunctionCall(f->setter, args, 2, &r);
    if (rc == 0) runtime::AnyRelease(&r);
  } else {
    rc = reinterpret_cast<TVMFFIFieldSetter>(f->setter)(addr, &v);
  }
  if (rc != 0) ThrowValue(env, TakeRaisedError(env, rc, name.c_str()));
  return env.Undefined();
}

std::vector<napi_value> RestArgs(const Napi::CallbackInfo& info, size_t from) {
  std::vector<napi_value> v;
  for (size_t i = from; i < info.Length(); ++i) v.push_back(info[i]);
  return v;
}

// callMethod(target, name, ...args): instance methods get the object as first argument.
Napi::Value CallMethod(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Box* box = RequireBox(info, 0, "callMethod");
  std::string name = Utf8(info[1]);
  const TVMFFIMethodInfo* m = FindMethod(box->obj->type_index, name);
  if (!m) CheckTypeNotDisposed(env, box->obj->type_index);
  if (!m || m->method.type_index != kTVMFFIFunction)
    throw Napi::TypeError::New(env, "'" + runtime::TypeKey(box->obj->type_index) + "' has no method '" + name + "'");
  auto args = RestArgs(info, 2);
  std::string qual = runtime::TypeKey(box->obj->type_index) + "." + name;
  if (m->flags & kTVMFFIFieldFlagBitMaskIsStaticMethod)
    return CallFunctionObject(env, m->method.v_obj, nullptr, args.data(), args.size(), qual.c_str(), box->pin, box->owner ? box->owner : box->type_owner);
  TVMFFIAny self;
  self.type_index = box->obj->type_index;
  self.zero_padding = 0;
  self.v_obj = box->obj;
  return CallFunctionObject(env, m->method.v_obj, &self, args.data(), args.size(), qual.c_str(), box->pin, box->owner ? box->owner : box->type_owner);
}

// callStatic(typeIndex, name, ...args): static methods and __ffi_init__.
Napi::Value CallStatic(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t index = info[0].As<Napi::Number>().Int32Value();
  std::string name = Utf8(info[1]);
  const TVMFFIMethodInfo* m = FindMethod(index, name);
  if (!m) CheckTypeNotDisposed(env, index);
  if (!m || m->method.type_index != kTVMFFIFunction)
    throw Napi::TypeError::New(env, "'" + runtime::TypeKey(index) + "' has no method '" + name + "'");
  auto args = RestArgs(info, 2);
  std::string qual = runtime::TypeKey(index) + "." + name;
  // The defining library stays mapped during the call, and its results retain it.
  struct OwnerRef {
    uint64_t id;
    ~OwnerRef() { runtime::ReleaseOwner(id); }
  } owner{runtime::RetainTypeOwner(index)};
  return CallFunctionObject(env, m->method.v_obj, nullptr, args.data(), args.size(), qual.c_str(), nullptr, owner.id);
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

// ---------------------------------------------------------------- shared libraries
void* AddonHandle() {
  // Makes the addon's TVMFFI* symbols visible to libraries opened later (Node loads addons
  // RTLD_LOCAL): re-open ourselves with RTLD_GLOBAL.
  static void* self = [] {
    Dl_info dli;
    if (!dladdr(reinterpret_cast<void*>(&TVMFFIObjectIncRef), &dli) || !dli.dli_fname) return (void*)nullptr;
    return dlopen(dli.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  }();
  return self;
}

// openShared(path) -> external handle (the library stays loaded for the process lifetime:
// objects it created may outlive every JS reference we could track).
Napi::Value OpenShared(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = Utf8(info[0]);
  AddonHandle();
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* why = dlerror();
    throw Napi::Error::New(env, "cannot load shared library '" + path + "': " + (why ? why : "unknown error"));
  }
  if (void* ctx = dlsym(h, "__tvm_ffi__library_ctx")) (void)ctx;  // no module context for .so yet
  return Napi::External<void>::New(env, h);
}

Napi::Value SharedGetFunction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* h = info[0].As<Napi::External<void>>().Data();
  std::string name = Utf8(info[1]);
  auto fn = reinterpret_cast<TVMFFISafeCallType>(dlsym(h, ("__tvm_ffi_" + name).c_str()));
  if (!fn) return env.Null();
  TVMFFIObject* f = runtime::CreateFunction([fn](const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
    if (fn(nullptr, args, n, result) != 0) throw runtime::ErrorAlreadyRaised{};
  });
  return MakeFunctionValue(env, f, nullptr, name);
}

}  // namespace

/// [i19n] Global functions registered with this environment's JS functions go with it; the
/// entries they replaced come back (newest first).
void RestoreJsGlobals(Addon* st) {
  for (auto it = st->js_globals.rbegin(); it != st->js_globals.rend(); ++it) {
    TVMFFIObject* current = runtime::GetGlobalFunction(it->name);
    bool ours = current == it->func;
    if (current) TVMFFIObjectDecRef(current);
    try {
      if (ours && it->previous)
        runtime::SetGlobalFunction(it->name, it->previous, /*allow_override=*/true);
      else if (ours)
        runtime::RemoveGlobalFunction(it->name);
    } catch (...) {
    }
    if (it->previous) TVMFFIObjectDecRef(it->previous);
  }
  st->js_globals.clear();
}

void InitValues(Napi::Env env, Napi::Object exports) {
  Napi::Object v = Napi::Object::New(env);
  auto def = [&](const char* name, Napi::Function::Callback cb) {
    v.Set(name, Napi::Function::New(env, cb, name));
  };
  def("boxDataType", BoxDataType);
  def("boxDevice", BoxDevice);
  def("boxFloat", BoxFloat);
  def("setFunctionSignature", SetFunctionSignature);
  def("boxTensor", BoxTensor);
  def("dtypeParse", DTypeParse);
  def("dtypeToString", DTypeToString);
  def("getGlobalFunc", GetGlobalFunc);
  def("listGlobalFuncs", ListGlobalFuncs);
  def("registerGlobalFunc", RegisterGlobalFunc);
  def("removeGlobalFunc", RemoveGlobalFunc);
  def("typeKeyToIndex", TypeKeyToIndex);
  def("typeInfo", TypeInfoFn);
  def("getField", GetField);
  def("setField", SetField);
  def("callMethod", CallMethod);
  def("callStatic", CallStatic);
  def("disposeValue", DisposeValue);
  def("valueTypeIndex", ValueTypeIndex);
  def("sameObject", SameObject);
  def("openShared", OpenShared);
  def("sharedGetFunction", SharedGetFunction);
  InitJsMemory(env, v);  // viewInfo
  InitAsync(env, v);     // [i16] callAsync, setAsyncThreads, asyncThreads, setInterruptHandler
  exports.Set("values", v);
}

}  // namespace orcjit::binding
