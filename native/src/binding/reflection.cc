// Reflection exports: type info, fields, methods and static methods (constructors) of
// registered object types.
#include <string>
#include <vector>

#include "binding/values.h"
#include "binding/values_api.h"
#include "runtime/api.h"
#include "runtime/global_registry.h"
#include "runtime/type_table.h"

namespace orcjit::binding {

namespace {

Box* RequireBox(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Box* box = i < info.Length() ? UnwrapBox(info.Env(), info[i]) : nullptr;
  if (!box || box->kind != BoxKind::kObject)
    throw Napi::TypeError::New(info.Env(), std::string(what) + ": not an FFI object");
  if (!box->obj) throw Napi::TypeError::New(info.Env(), std::string(what) + ": the object has been disposed");
  return box;
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

std::vector<napi_value> RestArgs(const Napi::CallbackInfo& info, size_t from) {
  std::vector<napi_value> v;
  for (size_t i = from; i < info.Length(); ++i) v.push_back(info[i]);
  return v;
}

}  // namespace

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

}  // namespace orcjit::binding
