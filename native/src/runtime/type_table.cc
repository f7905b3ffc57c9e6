// Type table C API: TVMFFITypeGetOrAllocIndex, TVMFFITypeKeyToIndex, TVMFFIGetTypeInfo and the
// reflection registrations (fields, methods, metadata, attribute columns), TVM_FFI_ABI.md §3.8.
// TypeInfo structs never move, and every registration updates them in place, because user code
// reads TVMFFIGetTypeInfo(...)->methods/metadata right after registering.
//
// Re-registration (the same library loaded again, e.g. by hot reload) replaces a field or method
// of the same name and an attribute value instead of failing, so reloads stay possible.
#include "runtime/type_table.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/error.h"
#include "runtime/global_registry.h"
#include "runtime/object.h"

namespace orcjit::runtime {
namespace {

constexpr int32_t kMaxTypes = 1 << 16;

struct TypeEntry {
  TVMFFITypeInfo info{};
  std::string key;
  std::vector<const TVMFFITypeInfo*> ancestors;
  std::vector<TVMFFIFieldInfo> fields;
  std::vector<TVMFFIMethodInfo> methods;
  TVMFFITypeMetadata metadata{};
  // Owning JIT library (CurrentGlobalOwner at registration, 0 = host) of each registration:
  // they point into its code, so they are removed before it is unmapped.
  std::vector<uint64_t> field_owners;   // parallel to fields
  std::vector<uint64_t> method_owners;  // parallel to methods
  uint64_t metadata_owner = 0;
  uint64_t owner = 0;       // latest library that registered anything on this type
  std::string disposed_by;  // library whose removal emptied registrations (until re-registered)
  std::deque<std::string> strings;  // stable storage for copied names/docs/metadata
  int32_t child_slot_next = 0;      // next free index in the reserved child range
  int32_t child_slot_end = 0;       // one past the reserved child range
  bool child_slots_can_overflow = false;

  TVMFFIByteArray Keep(const TVMFFIByteArray& b) {
    strings.emplace_back(b.data ? std::string(b.data, b.size) : std::string());
    return TVMFFIByteArray{strings.back().data(), strings.back().size()};
  }
  void Sync() {
    info.num_fields = static_cast<int32_t>(fields.size());
    info.fields = fields.empty() ? nullptr : fields.data();
    info.num_methods = static_cast<int32_t>(methods.size());
    info.methods = methods.empty() ? nullptr : methods.data();
    info.type_ancestors = ancestors.empty() ? nullptr : ancestors.data();
  }
};

struct AttrColumn {
  std::vector<TVMFFIAny> data;
  std::vector<uint64_t> owners;  // parallel to data
  TVMFFITypeAttrColumn column{};
};

[[noreturn]] void Fatal(const std::string& msg) {
  std::fprintf(stderr, "tvm-ffi-orcjit runtime: fatal: %s\n", msg.c_str());
  std::abort();
}

uint64_t HashKey(const std::string& s) {  // FNV-1a
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

bool SameName(const TVMFFIByteArray& a, const TVMFFIByteArray& b) {
  return a.size == b.size && (a.size == 0 || std::string_view(a.data, a.size) ==
                                                 std::string_view(b.data, b.size));
}

TVMFFIAny OwnedCopy(const TVMFFIAny& v) {
  TVMFFIAny out;
  if (TVMFFIAnyViewToOwnedAny(&v, &out) != 0) throw std::bad_alloc();
  return out;
}

void Release(TVMFFIAny* v) {
  if (v->type_index >= kTVMFFIStaticObjectBegin) DecRef(v->v_obj);
  v->type_index = kTVMFFINone;
  v->v_int64 = 0;
}

// Field getters of ffi.Enum (see RegisterEnumBase): runtime code, so they outlive any library.
int GetEnumValueField(void* field, TVMFFIAny* result) {
  result->type_index = kTVMFFIInt;
  result->zero_padding = 0;
  result->v_int64 = *static_cast<const int64_t*>(field);
  return 0;
}
int GetEnumNameField(void* field, TVMFFIAny* result) {  // a String: one TVMFFIAny
  *result = *static_cast<const TVMFFIAny*>(field);
  if (result->type_index >= kTVMFFIStaticObjectBegin) IncRef(result->v_obj);
  return 0;
}

class TypeTable {
 public:
  static TypeTable& Global() {
    static TypeTable* inst = new TypeTable();  // leaked: user code may query at exit
    return *inst;
  }

  TypeEntry* Get(int32_t index) const {
    if (index < 0 || index >= kMaxTypes) return nullptr;
    return slots_[index].load(std::memory_order_acquire);
  }

  int32_t GetOrAlloc(const std::string& key, int32_t static_index, int32_t num_child_slots,
                     int32_t can_overflow, int32_t parent_index) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_key_.find(key);
    if (it != by_key_.end()) return it->second;
    if (parent_index == -2) return -2;  // query only
    TypeEntry* parent = nullptr;
    if (parent_index >= 0) {
      parent = Get(parent_index);
      if (!parent) Fatal("type `" + key + "`: unknown parent type index " +
                         std::to_string(parent_index));
    }
    if (num_child_slots < 0) num_child_slots = 0;
    int32_t reserve = num_child_slots + 1;
    int32_t index;
    if (static_index >= 0) {
      if (static_index >= kTVMFFIDynObjectBegin || Get(static_index) != nullptr) {
        Fatal("type `" + key + "`: static type index " + std::to_string(static_index) +
              " is taken or out of the static range");
      }
      index = static_index;
    } else if (parent && parent->child_slot_next + reserve <= parent->child_slot_end) {
      index = parent->child_slot_next;
      parent->child_slot_next += reserve;
    } else if (!parent || parent->child_slots_can_overflow) {
      index = next_dynamic_;
      next_dynamic_ += reserve;
    } else {
      Fatal("type `" + key + "`: parent `" + parent->key +
            "` has no child slots left and does not allow overflow");
    }
    if (index + reserve > kMaxTypes) Fatal("type table full");
    auto* e = new TypeEntry();
    e->key = key;
    e->info.type_index = index;
    e->info.type_key = TVMFFIByteArray{e->key.data(), e->key.size()};
    e->info.type_key_hash = HashKey(key);
    if (parent) {
      e->ancestors = parent->ancestors;
      e->ancestors.push_back(&parent->info);
    }
    e->info.type_depth = static_cast<int32_t>(e->ancestors.size());
    e->child_slot_next = index + 1;
    e->child_slot_end = index + 1 + num_child_slots;
    e->child_slots_can_overflow = can_overflow != 0;
    e->Sync();
    by_key_[key] = index;
    slots_[index].store(e, std::memory_order_release);
    return index;
  }

  int32_t Find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_key_.find(key);
    return it == by_key_.end() ? -1 : it->second;
  }

  std::mutex& mutex() { return mu_; }

  /// Every registered entry (caller holds mutex()).
  template <typename F>
  void ForEach(F&& f) {
    for (auto& kv : by_key_) {
      if (TypeEntry* e = Get(kv.second)) f(e);
    }
  }
  template <typename F>
  void ForEachColumn(F&& f) {
    for (auto& kv : columns_) f(kv.second);
  }

  AttrColumn* Column(const std::string& name, bool create) {
    auto it = columns_.find(name);
    if (it != columns_.end()) return it->second;
    if (!create) return nullptr;
    auto* col = new AttrColumn();
    col->data.reserve(1024);  // readers may cache `data`; avoid reallocation in common cases
    columns_[name] = col;
    return col;
  }

 private:
  TypeTable() {
    static const char* kPodKeys[] = {"None",        "int",          "bool",
                                     "float",       "void*",        "DataType",
                                     "Device",      "DLTensor*",    "const char*",
                                     "TVMFFIByteArray*", "ObjectRValueRef", "ffi.SmallStr",
                                     "ffi.SmallBytes"};
    for (int32_t i = 0; i <= kTVMFFISmallBytes; ++i) GetOrAlloc(kPodKeys[i], i, 0, 0, -1);
    // Object is the root; user types overflow into the dynamic range from 128.
    GetOrAlloc("ffi.Object", kTVMFFIObject, 0, 1, -1);
    static const char* kObjKeys[] = {"ffi.String", "ffi.Bytes", "ffi.Error",  "ffi.Function",
                                     "ffi.Shape",  "ffi.Tensor", "ffi.Array", "ffi.Map",
                                     "ffi.Module", "ffi.OpaquePyObject", "ffi.List", "ffi.Dict",
                                     "ffi.VisitInterrupt"};
    for (int32_t i = kTVMFFIStr; i <= kTVMFFIVisitInterrupt; ++i) {
      GetOrAlloc(kObjKeys[i - kTVMFFIStr], i, 0, 0, kTVMFFIObject);
    }
    RegisterEnumBase();
  }

  // ffi.Enum (enum.h's EnumObj) with its read-only fields `_value` (int64 right after the
  // 24-byte header) and `_name` (a String, 16 bytes, next). Registered here rather than by
  // the kernels that use enums: every library's enum classes derive from it, and a field
  // registered by one library would vanish (with its getter) when that library goes.
  void RegisterEnumBase() {
    TypeEntry* e = Get(GetOrAlloc("ffi.Enum", -1, 0, 1, kTVMFFIObject));
    struct Spec { const char* name; const char* metadata; int64_t size, offset; int32_t tindex;
                  TVMFFIFieldGetter getter; };
    const Spec specs[] = {
        {"_value", "{\"type\":\"int\"}", 8, 24, kTVMFFIInt, &GetEnumValueField},
        {"_name", "{\"type\":\"str\"}", 16, 32, kTVMFFIStr, &GetEnumNameField}};
    for (const Spec& sp : specs) {
      TVMFFIFieldInfo f{};
      f.name = e->Keep(TVMFFIByteArray{sp.name, std::strlen(sp.name)});
      f.doc = e->Keep(TVMFFIByteArray{nullptr, 0});
      f.metadata = e->Keep(TVMFFIByteArray{sp.metadata, std::strlen(sp.metadata)});
      f.flags = 0;  // read-only
      f.size = sp.size;
      f.alignment = 8;
      f.offset = sp.offset;
      f.getter = sp.getter;
      f.setter = nullptr;
      f.default_value_or_factory.type_index = kTVMFFINone;
      f.field_static_type_index = sp.tindex;
      e->fields.push_back(f);
      e->field_owners.push_back(0);
    }
    e->Sync();
  }

  std::mutex mu_;
  std::atomic<TypeEntry*> slots_[kMaxTypes] = {};
  std::unordered_map<std::string, int32_t> by_key_;
  std::map<std::string, AttrColumn*> columns_;
  int32_t next_dynamic_ = kTVMFFIDynObjectBegin;
};

// Records that the current library (if any) registered something on `e`.
uint64_t NoteOwner(TypeEntry* e) {
  uint64_t cur = CurrentGlobalOwner();
  if (cur != 0) {
    e->owner = cur;
    e->disposed_by.clear();
  }
  return cur;
}

// Entry for a registration call, or raise and return nullptr.
TypeEntry* EntryOrRaise(int32_t type_index, const char* what) {
  TypeEntry* e = TypeTable::Global().Get(type_index);
  if (!e) RaiseError("ValueError", std::string(what) + ": unknown type index " +
                                       std::to_string(type_index));
  return e;
}

}  // namespace

const TVMFFITypeInfo* FindTypeInfo(int32_t type_index) {
  TypeEntry* e = TypeTable::Global().Get(type_index);
  return e ? &e->info : nullptr;
}

uint64_t RetainTypeOwner(int32_t type_index) {
  TypeTable& table = TypeTable::Global();
  std::lock_guard<std::mutex> lock(table.mutex());
  for (TypeEntry* e = table.Get(type_index); e;) {
    if (e->owner != 0) {
      RetainOwner(e->owner);  // under the table lock: removal cannot interleave
      return e->owner;
    }
    if (e->ancestors.empty()) break;
    e = table.Get(e->ancestors.back()->type_index);
  }
  return 0;
}

std::string TypeDisposedBy(int32_t type_index) {
  TypeTable& table = TypeTable::Global();
  std::lock_guard<std::mutex> lock(table.mutex());
  for (TypeEntry* e = table.Get(type_index); e;) {
    if (!e->disposed_by.empty()) return e->disposed_by;
    if (e->ancestors.empty()) break;
    e = table.Get(e->ancestors.back()->type_index);
  }
  return std::string();
}

size_t RemoveOwnedTypeRegistrations(uint64_t owner, const std::string& library_name) {
  if (owner == 0) return 0;
  TypeTable& table = TypeTable::Global();
  std::vector<TVMFFIAny> release;        // values whose deleters may live in the library
  std::vector<TVMFFIObject*> release_obj;
  size_t removed = 0;
  {
    std::lock_guard<std::mutex> lock(table.mutex());
    table.ForEach([&](TypeEntry* e) {
      size_t before = removed;
      for (size_t i = e->fields.size(); i-- > 0;) {
        if (e->field_owners[i] != owner) continue;
        TVMFFIFieldInfo& f = e->fields[i];
        release.push_back(f.default_value_or_factory);
        if ((f.flags & kTVMFFIFieldFlagBitMaskSetterIsFunctionObj) && f.setter)
          release_obj.push_back(static_cast<TVMFFIObject*>(f.setter));
        e->fields.erase(e->fields.begin() + i);
        e->field_owners.erase(e->field_owners.begin() + i);
        ++removed;
      }
      for (size_t i = e->methods.size(); i-- > 0;) {
        if (e->method_owners[i] != owner) continue;
        release.push_back(e->methods[i].method);
        e->methods.erase(e->methods.begin() + i);
        e->method_owners.erase(e->method_owners.begin() + i);
        ++removed;
      }
      if (e->metadata_owner == owner) {
        e->metadata = TVMFFITypeMetadata{};  // creator pointed into the library
        e->info.metadata = nullptr;
        e->metadata_owner = 0;
        ++removed;
      }
      e->Sync();
      if (removed != before || e->owner == owner) {
        e->disposed_by = library_name;
        // Another library's remaining registration (if any) becomes the owner.
        uint64_t next = e->metadata_owner;
        for (uint64_t o : e->method_owners) next = next ? next : o;
        for (uint64_t o : e->field_owners) next = next ? next : o;
        e->owner = next;
      }
    });
    table.ForEachColumn([&](AttrColumn* col) {
      for (size_t i = 0; i < col->owners.size() && i < col->data.size(); ++i) {
        if (col->owners[i] != owner) continue;
        release.push_back(col->data[i]);
        col->data[i].type_index = kTVMFFINone;
        col->data[i].zero_padding = 0;
        col->data[i].v_int64 = 0;
        col->owners[i] = 0;
        ++removed;
        if (TypeEntry* e = table.Get(static_cast<int32_t>(i))) {
          e->disposed_by = library_name;
          if (e->owner == owner) e->owner = 0;
        }
      }
    });
  }
  // Outside the lock (deleters may call back into the table); the code is still mapped.
  for (auto& v : release) Release(&v);
  for (TVMFFIObject* o : release_obj) DecRef(o);
  return removed;
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int32_t TVMFFITypeGetOrAllocIndex(const TVMFFIByteArray* type_key,
                                              int32_t static_type_index, int32_t type_depth,
                                              int32_t num_child_slots,
                                              int32_t child_slots_can_overflow,
                                              int32_t parent_type_index) {
  // type_depth is implied by the parent chain; the table computes it from there.
  (void)type_depth;
  try {
    return TypeTable::Global().GetOrAlloc(std::string(type_key->data, type_key->size),
                                          static_type_index, num_child_slots,
                                          child_slots_can_overflow, parent_type_index);
  } catch (const std::exception& e) {
    Fatal(std::string("TVMFFITypeGetOrAllocIndex: ") + e.what());
  }
}

TVM_FFI_DLL int TVMFFITypeKeyToIndex(const TVMFFIByteArray* type_key, int32_t* out_tindex) {
  ORCJIT_API_BEGIN();
  std::string key(type_key->data, type_key->size);
  int32_t index = TypeTable::Global().Find(key);
  if (index < 0) {
    RaiseError("ValueError", "Cannot find type `" + key + "`");
    return -1;
  }
  *out_tindex = index;
  ORCJIT_API_END();
}

TVM_FFI_DLL const TVMFFITypeInfo* TVMFFIGetTypeInfo(int32_t type_index) {
  const TVMFFITypeInfo* info = FindTypeInfo(type_index);
  if (!info) {
    // The reference runtime aborts here; a JIT kernel's mistake must not take the host
    // process down: report, raise (the caller may return -1) and return NULL.
    std::string msg = "TVMFFIGetTypeInfo: unknown type index " + std::to_string(type_index);
    std::fprintf(stderr, "tvm-ffi-orcjit runtime: error: %s (returning NULL)\n", msg.c_str());
    RaiseError("IndexError", msg);
  }
  return info;
}

TVM_FFI_DLL int TVMFFITypeRegisterField(int32_t type_index, const TVMFFIFieldInfo* info) {
  ORCJIT_API_BEGIN();
  std::lock_guard<std::mutex> lock(TypeTable::Global().mutex());
  TypeEntry* e = EntryOrRaise(type_index, "TVMFFITypeRegisterField");
  if (!e) return -1;
  TVMFFIFieldInfo f = *info;
  f.name = e->Keep(info->name);
  f.doc = e->Keep(info->doc);
  f.metadata = e->Keep(info->metadata);
  f.default_value_or_factory = OwnedCopy(info->default_value_or_factory);
  if ((f.flags & kTVMFFIFieldFlagBitMaskSetterIsFunctionObj) && f.setter) {
    IncRef(static_cast<TVMFFIObject*>(f.setter));
  }
  uint64_t owner = NoteOwner(e);
  for (size_t i = 0; i < e->fields.size(); ++i) {
    auto& old = e->fields[i];
    if (SameName(old.name, f.name)) {
      Release(&old.default_value_or_factory);
      if ((old.flags & kTVMFFIFieldFlagBitMaskSetterIsFunctionObj) && old.setter) {
        DecRef(static_cast<TVMFFIObject*>(old.setter));
      }
      old = f;
      e->field_owners[i] = owner;
      return 0;
    }
  }
  e->fields.push_back(f);
  e->field_owners.push_back(owner);
  e->Sync();
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFITypeRegisterMethod(int32_t type_index, const TVMFFIMethodInfo* info) {
  ORCJIT_API_BEGIN();
  std::lock_guard<std::mutex> lock(TypeTable::Global().mutex());
  TypeEntry* e = EntryOrRaise(type_index, "TVMFFITypeRegisterMethod");
  if (!e) return -1;
  TVMFFIMethodInfo m = *info;
  m.name = e->Keep(info->name);
  m.doc = e->Keep(info->doc);
  m.metadata = e->Keep(info->metadata);
  m.method = OwnedCopy(info->method);
  uint64_t owner = NoteOwner(e);
  for (size_t i = 0; i < e->methods.size(); ++i) {
    auto& old = e->methods[i];
    if (SameName(old.name, m.name)) {
      Release(&old.method);
      old = m;
      e->method_owners[i] = owner;
      return 0;
    }
  }
  e->methods.push_back(m);
  e->method_owners.push_back(owner);
  e->Sync();
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFITypeRegisterMetadata(int32_t type_index,
                                           const TVMFFITypeMetadata* metadata) {
  ORCJIT_API_BEGIN();
  std::lock_guard<std::mutex> lock(TypeTable::Global().mutex());
  TypeEntry* e = EntryOrRaise(type_index, "TVMFFITypeRegisterMetadata");
  if (!e) return -1;
  e->metadata_owner = NoteOwner(e);
  e->metadata = *metadata;
  e->metadata.doc = e->Keep(metadata->doc);
  e->info.metadata = &e->metadata;
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFITypeRegisterAttr(int32_t type_index, const TVMFFIByteArray* attr_name,
                                       const TVMFFIAny* attr_value) {
  ORCJIT_API_BEGIN();
  TypeTable& table = TypeTable::Global();
  TVMFFIAny old;
  old.type_index = kTVMFFINone;
  {
    std::lock_guard<std::mutex> lock(table.mutex());
    TypeEntry* e = EntryOrRaise(type_index, "TVMFFITypeRegisterAttr");
    if (!e) return -1;
    uint64_t owner = NoteOwner(e);
    AttrColumn* col = table.Column(std::string(attr_name->data, attr_name->size), true);
    TVMFFIAny value = OwnedCopy(*attr_value);
    if (col->data.size() <= static_cast<size_t>(type_index)) {
      TVMFFIAny none;
      none.type_index = kTVMFFINone;
      none.zero_padding = 0;
      none.v_int64 = 0;
      col->data.resize(static_cast<size_t>(type_index) + 1, none);
    }
    if (col->owners.size() < col->data.size()) col->owners.resize(col->data.size(), 0);
    old = col->data[type_index];
    col->data[type_index] = value;
    col->owners[type_index] = owner;
    col->column.data = col->data.data();
    col->column.size = static_cast<int32_t>(col->data.size());
    col->column.begin_index = 0;
  }
  Release(&old);  // outside the lock: a deleter may call back into the table
  ORCJIT_API_END();
}

TVM_FFI_DLL const TVMFFITypeAttrColumn* TVMFFIGetTypeAttrColumn(const TVMFFIByteArray* attr_name) {
  TypeTable& table = TypeTable::Global();
  std::lock_guard<std::mutex> lock(table.mutex());
  AttrColumn* col = table.Column(std::string(attr_name->data, attr_name->size), false);
  return col ? &col->column : nullptr;
}

}  // extern "C"
