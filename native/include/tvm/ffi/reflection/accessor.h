/*
 * tvm-ffi-orcjit C++ authoring API: reading reflection information at run time (fields,
 * methods and type attributes registered with reflection/registry.h by any library).
 *
 *   reflection::FieldGetter get_a("my_ext.IntPair", "a");
 *   int64_t a = get_a(pair).cast<int64_t>();
 *   Function make = reflection::GetMethod("my_ext.IntPair", "__ffi_init__");
 *   reflection::TypeAttrColumn column("__ffi_repr__");   // column[type_index] -> AnyView
 *
 * Unknown types, fields or methods raise ValueError naming them.
 */
#ifndef TVM_FFI_REFLECTION_ACCESSOR_H_
#define TVM_FFI_REFLECTION_ACCESSOR_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/function.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/string.h>

#include <string>
#include <string_view>

namespace tvm {
namespace ffi {
namespace reflection {

/*! \brief Type information of `type_key`; ValueError if no such type is registered. */
inline const TVMFFITypeInfo* GetTypeInfo(std::string_view type_key) {
  TVMFFIByteArray key = ::tvm::ffi::details::MakeByteArray(type_key.data(), type_key.size());
  int32_t index = 0;
  if (TVMFFITypeKeyToIndex(&key, &index) != 0) {
    ::tvm::ffi::details::MoveFromSafeCallRaised();  // drop the runtime's error; ours names the key
    TVM_FFI_THROW(ValueError) << "type `" << type_key << "` is not registered";
  }
  return TVMFFIGetTypeInfo(index);
}

/*! \brief The field `field_name` of `type_key` (searching base types too). */
inline const TVMFFIFieldInfo* GetFieldInfo(std::string_view type_key, std::string_view field_name) {
  const TVMFFITypeInfo* info = GetTypeInfo(type_key);
  for (int32_t depth = info->type_depth; depth >= 0; --depth) {
    const TVMFFITypeInfo* t = depth == info->type_depth ? info : info->type_ancestors[depth];
    for (int32_t i = 0; i < t->num_fields; ++i) {
      if (std::string_view(t->fields[i].name.data, t->fields[i].name.size) == field_name) {
        return &t->fields[i];
      }
    }
  }
  TVM_FFI_THROW(ValueError) << "type `" << type_key << "` has no field `" << field_name << "`";
  TVM_FFI_UNREACHABLE();
}

/*! \brief The method `method_name` of `type_key` (searching base types too). */
inline Function GetMethod(std::string_view type_key, std::string_view method_name) {
  const TVMFFITypeInfo* info = GetTypeInfo(type_key);
  for (int32_t depth = info->type_depth; depth >= 0; --depth) {
    const TVMFFITypeInfo* t = depth == info->type_depth ? info : info->type_ancestors[depth];
    for (int32_t i = 0; i < t->num_methods; ++i) {
      const TVMFFIMethodInfo& m = t->methods[i];
      if (std::string_view(m.name.data, m.name.size) == method_name) {
        return ::tvm::ffi::details::AnyUnsafe::ViewOf(m.method).cast<Function>();
      }
    }
  }
  TVM_FFI_THROW(ValueError) << "type `" << type_key << "` has no method `" << method_name << "`";
  TVM_FFI_UNREACHABLE();
}

/*! \brief Reads one field of objects of a type through its registered getter. */
class FieldGetter {
 public:
  explicit FieldGetter(const TVMFFIFieldInfo* info) : info_(info) {}
  FieldGetter(std::string_view type_key, std::string_view field_name)
      : info_(GetFieldInfo(type_key, field_name)) {}
  Any operator()(const ObjectRef& obj) const { return (*this)(obj.get()); }
  Any operator()(const Object* obj) const {
    Any out;
    void* addr = reinterpret_cast<char*>(const_cast<Object*>(obj)) + info_->offset;
    TVM_FFI_CHECK_SAFE_CALL(info_->getter(addr, ::tvm::ffi::details::AnyUnsafe::Raw(&out)));
    return out;
  }

 private:
  const TVMFFIFieldInfo* info_;
};

/*! \brief Writes one field through its registered setter (ValueError if it is read-only). */
class FieldSetter {
 public:
  explicit FieldSetter(const TVMFFIFieldInfo* info) : info_(info) {}
  FieldSetter(std::string_view type_key, std::string_view field_name)
      : info_(GetFieldInfo(type_key, field_name)) {}
  void operator()(const ObjectRef& obj, AnyView value) const { (*this)(obj.get(), value); }
  void operator()(const Object* obj, AnyView value) const {
    if (info_->setter == nullptr || !(info_->flags & kTVMFFIFieldFlagBitMaskWritable)) {
      TVM_FFI_THROW(ValueError) << "field `" << std::string(info_->name.data, info_->name.size)
                                << "` is read-only";
    }
    void* addr = reinterpret_cast<char*>(const_cast<Object*>(obj)) + info_->offset;
    if (info_->flags & kTVMFFIFieldFlagBitMaskSetterIsFunctionObj) {
      Function setter = ::tvm::ffi::details::ObjectUnsafe::ObjectRefFromUnowned<Function>(
          ::tvm::ffi::details::ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(info_->setter)));
      setter(reinterpret_cast<void*>(addr), value);
      return;
    }
    auto fn = reinterpret_cast<TVMFFIFieldSetter>(info_->setter);
    TVM_FFI_CHECK_SAFE_CALL(fn(addr, ::tvm::ffi::details::AnyUnsafe::Raw(value)));
  }

 private:
  const TVMFFIFieldInfo* info_;
};

/*! \brief A type attribute column: column[type_index] is the value registered for that type. */
class TypeAttrColumn {
 public:
  explicit TypeAttrColumn(std::string_view attr_name) {
    TVMFFIByteArray name = ::tvm::ffi::details::MakeByteArray(attr_name.data(), attr_name.size());
    column_ = TVMFFIGetTypeAttrColumn(&name);
  }
  /*! \brief The value for `type_index`, or None when it has none. */
  AnyView operator[](int32_t type_index) const {
    if (column_ == nullptr) return AnyView();
    int32_t offset = type_index - column_->begin_index;
    if (offset < 0 || offset >= column_->size) return AnyView();
    return ::tvm::ffi::details::AnyUnsafe::ViewOf(column_->data[offset]);
  }

 private:
  const TVMFFITypeAttrColumn* column_ = nullptr;
};

}  // namespace reflection
}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_REFLECTION_ACCESSOR_H_
