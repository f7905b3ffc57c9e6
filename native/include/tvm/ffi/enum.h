/*
 * tvm-ffi-orcjit C++ authoring API: FFI enums.
 *
 * An enum type is an object class deriving from EnumObj; each of its values is one
 * process-wide singleton carrying a dense ordinal `_value` (0, 1, 2… in registration order)
 * and a `_name`. Values are registered with reflection::EnumDef (reflection/enum_def.h) and
 * looked up here:
 *
 *   class OpObj : public tvm::ffi::EnumObj {
 *    public:
 *     TVM_FFI_DECLARE_OBJECT_INFO_FINAL("demo.Op", OpObj, tvm::ffi::EnumObj);
 *   };
 *   tvm::ffi::Enum add = tvm::ffi::EnumObj::Get<OpObj>("Add");      // by name
 *   tvm::ffi::Enum mul = tvm::ffi::EnumObj::GetByValue<OpObj>(1);   // by ordinal (orcjit)
 *
 * Where the values live: the type attribute column "__ffi_enum_entries__" holds, at the enum
 * class's type index, a Dict<String, Enum> from name to singleton in ordinal order; set_attr
 * values go to "__ffi_enum_attrs__" (Dict<String, List<Any>>: attribute name -> one slot per
 * ordinal). Both are ordinary type attributes of the runtime, so the registering library owns
 * them and they go with it. The base type "ffi.Enum" and its two fields are registered by the
 * runtime itself (not by a kernel), so JS reads `_name`/`_value` of any enum value.
 */
#ifndef TVM_FFI_ENUM_H_
#define TVM_FFI_ENUM_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/c_api.h>
#include <tvm/ffi/container/dict.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/reflection/accessor.h>
#include <tvm/ffi/string.h>

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

class Enum;

namespace reflection {
namespace type_attr {
/*! \brief Column: enum class type index -> Dict<String, Enum> (name -> singleton). */
inline constexpr const char* kEnumEntries = "__ffi_enum_entries__";
/*! \brief Column: enum class type index -> Dict<String, List<Any>> (attr -> per-ordinal values). */
inline constexpr const char* kEnumAttrs = "__ffi_enum_attrs__";
}  // namespace type_attr
}  // namespace reflection

/*! \brief Base of enum singletons: a dense ordinal and a name, unique per (type, name). */
class EnumObj : public Object {
 public:
  /*! \brief Ordinal assigned at registration: 0 for the first value of the class, then 1, 2… */
  int64_t _value = 0;
  /*! \brief The value's name, e.g. "Add". */
  String _name;

  EnumObj() = default;
  EnumObj(int64_t value, String name) : _value(value), _name(std::move(name)) {}

  /*! \brief The registered value of EnumClsObj named `name`; throws RuntimeError if none. */
  template <typename EnumClsObj>
  static Enum Get(const String& name);

  /*!
   * \brief The registered value of EnumClsObj whose `_value` is `value`; throws RuntimeError
   * if none. An addition of this runtime (upstream looks values up by name only).
   */
  template <typename EnumClsObj>
  static Enum GetByValue(int64_t value);

  // Singletons: two values are equal exactly when they are the same object.
  static constexpr int32_t _type_s_eq_hash_kind = kTVMFFISEqHashKindUniqueInstance;
  static constexpr int32_t _type_child_slots = 0;
  static constexpr bool _type_child_slots_can_overflow = true;
  TVM_FFI_DECLARE_OBJECT_INFO("ffi.Enum", EnumObj, Object);
};

/*! \brief Reference to an enum singleton (compare with same_as: one object per value). */
class Enum : public ObjectRef {
 public:
  TVM_FFI_DEFINE_OBJECT_REF_METHODS_NULLABLE(Enum, ObjectRef, EnumObj);
};

namespace details {

/*! \brief The name -> singleton table registered for EnumClsObj (nullopt if none yet). */
template <typename EnumClsObj>
inline std::optional<Dict<String, Enum>> EnumEntries() {
  static_assert(std::is_base_of_v<EnumObj, EnumClsObj>, "EnumClsObj must derive from EnumObj");
  AnyView v = reflection::TypeAttrColumn(reflection::type_attr::kEnumEntries)
      [EnumClsObj::RuntimeTypeIndex()];
  return v.try_cast<Dict<String, Enum>>();
}

/*! \brief "Add, Mul" — the names registered so far, for error messages. */
inline std::string EnumNameList(const std::optional<Dict<String, Enum>>& entries) {
  std::string out;
  if (entries.has_value()) {
    for (const auto& kv : *entries) {
      if (!out.empty()) out += ", ";
      out += std::string(kv.first.data(), kv.first.size());
    }
  }
  return out.empty() ? std::string("none") : out;
}

}  // namespace details

template <typename EnumClsObj>
inline Enum EnumObj::Get(const String& name) {
  std::optional<Dict<String, Enum>> entries = details::EnumEntries<EnumClsObj>();
  if (entries.has_value()) {
    auto it = entries->find(name);
    if (it != entries->end()) return (*it).second;
  }
  TVM_FFI_THROW(RuntimeError) << "enum `" << EnumClsObj::_type_key << "` has no value named `"
                              << std::string(name.data(), name.size()) << "` (registered: "
                              << details::EnumNameList(entries) << ")";
}

template <typename EnumClsObj>
inline Enum EnumObj::GetByValue(int64_t value) {
  std::optional<Dict<String, Enum>> entries = details::EnumEntries<EnumClsObj>();
  if (entries.has_value()) {
    for (const auto& kv : *entries) {
      if (kv.second->_value == value) return kv.second;
    }
  }
  TVM_FFI_THROW(RuntimeError) << "enum `" << EnumClsObj::_type_key << "` has no value " << value
                              << " (registered: " << details::EnumNameList(entries) << ")";
}

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_ENUM_H_
