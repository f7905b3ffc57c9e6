/*
 * tvm-ffi-orcjit C++ authoring API: reflection registration.
 *
 *   TVM_FFI_STATIC_INIT_BLOCK() {
 *     namespace refl = tvm::ffi::reflection;
 *     refl::GlobalDef().def("my_ext.add", Add);            // global function
 *     refl::ObjectDef<IntPairObj>()
 *         .def(refl::init<int64_t, int64_t>())              // __ffi_init__
 *         .def_ro("a", &IntPairObj::a)                      // read-only field
 *         .def_rw("b", &IntPairObj::b)                      // read-write field
 *         .def("get_first", &IntPairObj::GetFirst)          // method (self first)
 *         .def_static("make", [](int64_t a) { ... });       // static method
 *   }
 *
 * Everything goes through the C API (TVM_FFI_ABI.md §3.6, §3.8): TVMFFIFunctionSetGlobalFromMethodInfo,
 * TVMFFITypeRegisterField / Method / Metadata / Attr. Getters, setters and functions point into
 * the registering object's code.
 */
#ifndef TVM_FFI_REFLECTION_REGISTRY_H_
#define TVM_FFI_REFLECTION_REGISTRY_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/function.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/string.h>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#ifndef TVM_FFI_GLOBAL_DEF_ALLOW_OVERRIDE
/*! \brief Whether GlobalDef().def replaces an existing global of the same name (default: no). */
#define TVM_FFI_GLOBAL_DEF_ALLOW_OVERRIDE 0
#endif

namespace tvm {
namespace ffi {
namespace reflection {

/*! \brief Tag: register a constructor `__ffi_init__(Args...)` that makes a new T. */
template <typename... Args>
struct init {};

/*! \brief Extra argument of def_ro/def_rw: the field's default value. */
struct DefaultValue {
  explicit DefaultValue(Any value) : value(std::move(value)) {}
  Any value;
};

/*! \brief Extra argument: JSON metadata merged into the registration's metadata. */
struct Metadata {
  explicit Metadata(std::string json_fields) : json(std::move(json_fields)) {}
  std::string json;
};

namespace details {

using ::tvm::ffi::details::EscapeJSONString;
using ::tvm::ffi::details::FuncTraitsOf;
using ::tvm::ffi::details::MakeByteArray;
using ::tvm::ffi::details::ObjectUnsafe;

/*! \brief Collected extra arguments (docstring, default value, metadata). */
struct ExtraInfo {
  std::string doc;
  bool has_default = false;
  Any default_value;
  std::string metadata_fields;

  void Apply() {}
  template <typename T, typename... Rest>
  void Apply(T&& first, Rest&&... rest) {
    using U = std::decay_t<T>;
    if constexpr (std::is_same_v<U, DefaultValue>) {
      has_default = true;
      default_value = first.value;
    } else if constexpr (std::is_same_v<U, Metadata>) {
      if (!metadata_fields.empty()) metadata_fields += ", ";
      metadata_fields += first.json;
    } else if constexpr (std::is_convertible_v<U, std::string>) {
      doc = std::string(first);
    } else {
      static_assert(std::is_convertible_v<U, std::string>,
                    "unsupported extra argument (use a docstring, DefaultValue or Metadata)");
    }
    Apply(std::forward<Rest>(rest)...);
  }

  /*! \brief {"type_schema": "<schema>", ...extra}. */
  std::string MetadataJSON(const std::string& type_schema) const {
    std::string json = "{\"type_schema\": \"" + EscapeJSONString(type_schema) + "\"";
    if (!metadata_fields.empty()) json += ", " + metadata_fields;
    json += "}";
    return json;
  }
};

template <typename... Extra>
inline ExtraInfo MakeExtraInfo(Extra&&... extra) {
  ExtraInfo info;
  info.Apply(std::forward<Extra>(extra)...);
  return info;
}

/*! \brief Schema of a typed callable, or of Any for packed ones. */
template <typename F>
inline std::string CallableSchema() {
  using Traits = FuncTraitsOf<F>;
  if constexpr (Traits::valid) {
    return Traits::SchemaJSON();
  } else {
    return "{\"type\":\"ffi.Function\"}";
  }
}

inline void RegisterMethodInfo(int32_t type_index, const char* name, const Function& func,
                               int64_t flags, const ExtraInfo& extra, const std::string& schema,
                               bool as_global) {
  std::string metadata = extra.MetadataJSON(schema);
  TVMFFIMethodInfo info;
  info.name = MakeByteArray(name, ::tvm::ffi::details::CStrLen(name));
  info.doc = MakeByteArray(extra.doc.data(), extra.doc.size());
  info.metadata = MakeByteArray(metadata.data(), metadata.size());
  info.flags = flags;
  TypeTraits<Function>::CopyToAnyView(func, &info.method);
  if (as_global) {
    TVM_FFI_CHECK_SAFE_CALL(
        TVMFFIFunctionSetGlobalFromMethodInfo(&info, TVM_FFI_GLOBAL_DEF_ALLOW_OVERRIDE));
  } else {
    TVM_FFI_CHECK_SAFE_CALL(TVMFFITypeRegisterMethod(type_index, &info));
  }
}

template <typename TField>
int FieldGetter(void* field, TVMFFIAny* result) {
  TVM_FFI_SAFE_CALL_BEGIN();
  TypeTraitsNoCR<TField>::MoveToAny(TField(*static_cast<const TField*>(field)), result);
  TVM_FFI_SAFE_CALL_END();
}

template <typename TField>
int FieldSetter(void* field, const TVMFFIAny* value) {
  TVM_FFI_SAFE_CALL_BEGIN();
  std::optional<TField> v = ::tvm::ffi::details::TryCastAnyView<TField>(value);
  if (!v.has_value()) {
    TVM_FFI_THROW(TypeError) << "Cannot set field of type `"
                             << ::tvm::ffi::details::Type2Str<TField>() << "` from `"
                             << ::tvm::ffi::details::ArgTypeName(value) << "`";
  }
  *static_cast<TField*>(field) = std::move(*v);
  TVM_FFI_SAFE_CALL_END();
}

/*! \brief Byte offset of a member from the start of the object header. */
template <typename T, typename TField>
inline int64_t FieldOffset(TField T::*member) {
  alignas(T) static unsigned char probe_storage[sizeof(T)];
  T* probe = reinterpret_cast<T*>(probe_storage);
  const char* field_addr = reinterpret_cast<const char*>(&(probe->*member));
  const char* obj_addr = reinterpret_cast<const char*>(static_cast<Object*>(probe));
  return static_cast<int64_t>(field_addr - obj_addr);
}

template <typename T>
int ObjectCreator(TVMFFIObjectHandle* result) {
  TVM_FFI_SAFE_CALL_BEGIN();
  *result = ObjectUnsafe::MoveObjectPtrToHandle(make_object<T>());
  TVM_FFI_SAFE_CALL_END();
}

}  // namespace details

/*!
 * \brief Register global functions: GlobalDef().def("ns.name", f [, "doc"]).
 * Registration fails (throws) if the name is already registered, unless compiled with
 * -DTVM_FFI_GLOBAL_DEF_ALLOW_OVERRIDE=1.
 */
class GlobalDef {
 public:
  /*! \brief Register a typed function (name appears in argument error messages). */
  template <typename Func, typename... Extra>
  GlobalDef& def(const char* name, Func&& func, Extra&&... extra) {
    using F = std::decay_t<Func>;
    details::ExtraInfo info = details::MakeExtraInfo(std::forward<Extra>(extra)...);
    Function f = Function::FromTyped(F(std::forward<Func>(func)), name);
    details::RegisterMethodInfo(-1, name, f, 0, info, details::CallableSchema<F>(), true);
    return *this;
  }
  /*! \brief Register a packed function `void(const AnyView*, int32_t, Any*)`. */
  template <typename Func, typename... Extra>
  GlobalDef& def_packed(const char* name, Func&& func, Extra&&... extra) {
    details::ExtraInfo info = details::MakeExtraInfo(std::forward<Extra>(extra)...);
    Function f = Function::FromPacked(std::forward<Func>(func));
    details::RegisterMethodInfo(-1, name, f, 0, info, "{\"type\":\"ffi.Function\"}", true);
    return *this;
  }
};

/*!
 * \brief Register reflection information of object type T (fields, methods, constructor).
 * Metadata and type attributes are registered when the ObjectDef goes out of scope.
 */
template <typename T>
class ObjectDef {
 public:
  template <typename... Extra>
  explicit ObjectDef(Extra&&... extra)
      : type_index_(T::_GetOrAllocRuntimeTypeIndex()),
        type_key_(T::_type_key),
        extra_(details::MakeExtraInfo(std::forward<Extra>(extra)...)) {}
  ObjectDef(const ObjectDef&) = delete;
  ObjectDef& operator=(const ObjectDef&) = delete;

  ~ObjectDef() noexcept(false) {
    TVMFFITypeMetadata md;
    md.doc = details::MakeByteArray(extra_.doc.data(), extra_.doc.size());
    if constexpr (std::is_default_constructible_v<T>) {
      md.creator = &details::ObjectCreator<T>;
    } else {
      md.creator = nullptr;
    }
    md.total_size = static_cast<int32_t>(sizeof(T));
    md.structural_eq_hash_kind = static_cast<int32_t>(T::_type_s_eq_hash_kind);
    TVM_FFI_CHECK_SAFE_CALL(TVMFFITypeRegisterMetadata(type_index_, &md));
    if (init_.defined()) RegisterAttr("__ffi_init__", Any(init_));
    if constexpr (std::is_copy_constructible_v<T>) {
      Function copy = Function::FromTyped(
          [](const T* self) { return ObjectRef(ObjectPtr<Object>(make_object<T>(*self))); },
          std::string(type_key_) + ".__ffi_shallow_copy__");
      RegisterAttr("__ffi_shallow_copy__", Any(copy));
    }
  }

  /*! \brief Constructor: registers static method and type attribute `__ffi_init__`. */
  template <typename... Args, typename... Extra>
  ObjectDef& def(init<Args...>, Extra&&... extra) {
    details::ExtraInfo info = details::MakeExtraInfo(std::forward<Extra>(extra)...);
    auto ctor = [](Args... args) {
      return ObjectRef(ObjectPtr<Object>(make_object<T>(std::forward<Args>(args)...)));
    };
    init_ = Function::FromTyped(ctor, std::string(type_key_) + ".__ffi_init__");
    details::RegisterMethodInfo(type_index_, "__ffi_init__", init_,
                                kTVMFFIFieldFlagBitMaskIsStaticMethod, info,
                                details::CallableSchema<decltype(ctor)>(), false);
    return *this;
  }

  /*! \brief Instance method from a const member function. */
  template <typename Class, typename R, typename... Args, typename... Extra>
  ObjectDef& def(const char* name, R (Class::*method)(Args...) const, Extra&&... extra) {
    auto fn = [method](const T* self, Args... args) -> R {
      return (self->*method)(std::forward<Args>(args)...);
    };
    return DefMethod(name, fn, 0, std::forward<Extra>(extra)...);
  }
  /*! \brief Instance method from a non-const member function. */
  template <typename Class, typename R, typename... Args, typename... Extra>
  ObjectDef& def(const char* name, R (Class::*method)(Args...), Extra&&... extra) {
    auto fn = [method](const T* self, Args... args) -> R {
      return (const_cast<T*>(self)->*method)(std::forward<Args>(args)...);
    };
    return DefMethod(name, fn, 0, std::forward<Extra>(extra)...);
  }
  /*! \brief Instance method from a callable whose first parameter is the object. */
  template <typename Func, typename... Extra,
            typename = std::enable_if_t<!std::is_member_function_pointer_v<std::decay_t<Func>>>>
  ObjectDef& def(const char* name, Func&& func, Extra&&... extra) {
    return DefMethod(name, std::forward<Func>(func), 0, std::forward<Extra>(extra)...);
  }
  /*! \brief Static method (no self). */
  template <typename Func, typename... Extra>
  ObjectDef& def_static(const char* name, Func&& func, Extra&&... extra) {
    return DefMethod(name, std::forward<Func>(func), kTVMFFIFieldFlagBitMaskIsStaticMethod,
                     std::forward<Extra>(extra)...);
  }

  /*! \brief Read-only field. */
  template <typename Class, typename TField, typename... Extra>
  ObjectDef& def_ro(const char* name, TField Class::*member, Extra&&... extra) {
    return DefField(name, member, false, std::forward<Extra>(extra)...);
  }
  /*! \brief Read-write field. */
  template <typename Class, typename TField, typename... Extra>
  ObjectDef& def_rw(const char* name, TField Class::*member, Extra&&... extra) {
    return DefField(name, member, true, std::forward<Extra>(extra)...);
  }

  /*! \brief Register a type attribute (column store). */
  ObjectDef& attr(const char* name, Any value) {
    RegisterAttr(name, std::move(value));
    return *this;
  }

 private:
  template <typename Func, typename... Extra>
  ObjectDef& DefMethod(const char* name, Func&& func, int64_t flags, Extra&&... extra) {
    using F = std::decay_t<Func>;
    details::ExtraInfo info = details::MakeExtraInfo(std::forward<Extra>(extra)...);
    Function f = Function::FromTyped(F(std::forward<Func>(func)), std::string(type_key_) + "." + name);
    details::RegisterMethodInfo(type_index_, name, f, flags, info, details::CallableSchema<F>(),
                                false);
    return *this;
  }

  template <typename Class, typename TField, typename... Extra>
  ObjectDef& DefField(const char* name, TField Class::*member, bool writable, Extra&&... extra) {
    static_assert(std::is_base_of_v<Class, T>, "field must belong to T or one of its bases");
    TField T::*m = member;
    details::ExtraInfo info = details::MakeExtraInfo(std::forward<Extra>(extra)...);
    std::string metadata =
        info.MetadataJSON("{\"type\":\"" + ::tvm::ffi::details::Type2Str<TField>() + "\"}");
    TVMFFIFieldInfo fi;
    fi.name = details::MakeByteArray(name, ::tvm::ffi::details::CStrLen(name));
    fi.doc = details::MakeByteArray(info.doc.data(), info.doc.size());
    fi.metadata = details::MakeByteArray(metadata.data(), metadata.size());
    fi.flags = writable ? kTVMFFIFieldFlagBitMaskWritable : 0;
    fi.size = static_cast<int64_t>(sizeof(TField));
    fi.alignment = static_cast<int64_t>(alignof(TField));
    fi.offset = details::FieldOffset<T, TField>(m);
    fi.getter = &details::FieldGetter<TField>;
    fi.setter = writable ? reinterpret_cast<void*>(&details::FieldSetter<TField>) : nullptr;
    ::tvm::ffi::details::SetNone(&fi.default_value_or_factory);
    if (info.has_default) {
      fi.flags |= kTVMFFIFieldFlagBitMaskHasDefault;
      fi.default_value_or_factory = *::tvm::ffi::details::AnyUnsafe::Raw(info.default_value);
    }
    fi.field_static_type_index = TypeTraitsNoCR<TField>::field_static_type_index;
    TVM_FFI_CHECK_SAFE_CALL(TVMFFITypeRegisterField(type_index_, &fi));
    return *this;
  }

  void RegisterAttr(const char* name, Any value) {
    TVMFFIByteArray key = details::MakeByteArray(name, ::tvm::ffi::details::CStrLen(name));
    TVM_FFI_CHECK_SAFE_CALL(
        TVMFFITypeRegisterAttr(type_index_, &key, ::tvm::ffi::details::AnyUnsafe::Raw(value)));
  }

  int32_t type_index_;
  const char* type_key_;
  details::ExtraInfo extra_;
  Function init_;
};

/*! \brief Register attributes of type T: TypeAttrDef<T>().attr("name", value). */
template <typename T>
class TypeAttrDef {
 public:
  TypeAttrDef() : type_index_(T::_GetOrAllocRuntimeTypeIndex()) {}
  TypeAttrDef& attr(const char* name, Any value) {
    TVMFFIByteArray key = details::MakeByteArray(name, ::tvm::ffi::details::CStrLen(name));
    TVM_FFI_CHECK_SAFE_CALL(
        TVMFFITypeRegisterAttr(type_index_, &key, ::tvm::ffi::details::AnyUnsafe::Raw(value)));
    return *this;
  }

 private:
  int32_t type_index_;
};

}  // namespace reflection
}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_REFLECTION_REGISTRY_H_
