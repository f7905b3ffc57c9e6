/*
 * tvm-ffi-orcjit C++ authoring API: registering the values of an FFI enum (see enum.h).
 *
 *   TVM_FFI_STATIC_INIT_BLOCK() {
 *     namespace refl = tvm::ffi::reflection;
 *     refl::EnumDef<OpObj>("Add").set_attr("symbol", "+");   // _value 0
 *     refl::EnumDef<OpObj>("Mul").set_attr("symbol", "*");   // _value 1
 *   }
 *
 * Each EnumDef makes one singleton of EnumClsObj (default-constructed, then `_value` = the
 * number of values registered before it, `_name` = the given name) and publishes the table in
 * the "__ffi_enum_entries__" type attribute column; set_attr writes "__ffi_enum_attrs__".
 *
 * One library owns the values of one enum class: the table a library builds starts empty and,
 * when published, replaces whatever another library registered for the same class. That is
 * what a reload needs (the new generation's values replace the old ones; values the old code
 * handed out keep their library alive). Registering the same name twice in one library throws.
 */
#ifndef TVM_FFI_REFLECTION_ENUM_DEF_H_
#define TVM_FFI_REFLECTION_ENUM_DEF_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/c_api.h>
#include <tvm/ffi/container/dict.h>
#include <tvm/ffi/container/list.h>
#include <tvm/ffi/enum.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/memory.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/reflection/registry.h>
#include <tvm/ffi/string.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {
namespace reflection {

namespace details {

/*!
 * \brief This library's tables for EnumClsObj. A function-local static of an inline template:
 * each JIT library (and each shared object) has its own, and its destructor runs with the
 * library's other static destructors.
 */
template <typename EnumClsObj>
struct EnumTables {
  Dict<String, Enum> entries;
  Dict<String, List<Any>> attrs;

  static EnumTables& Local() {
    static EnumTables tables;
    return tables;
  }
};

inline void PublishEnumColumn(int32_t type_index, const char* column, const Any& value) {
  TVMFFIByteArray key = MakeByteArray(column, ::tvm::ffi::details::CStrLen(column));
  TVM_FFI_CHECK_SAFE_CALL(
      TVMFFITypeRegisterAttr(type_index, &key, ::tvm::ffi::details::AnyUnsafe::Raw(value)));
}

}  // namespace details

/*! \brief Base of EnumDef (upstream's common base of the registration builders). */
class ReflectionDefBase {};

/*!
 * \brief Registers one value of the enum class EnumClsObj (a subclass of EnumObj).
 * \tparam EnumClsObj the enum's object class; it must be default-constructible.
 */
template <typename EnumClsObj, typename = std::enable_if_t<std::is_base_of_v<EnumObj, EnumClsObj>>>
class EnumDef : public ReflectionDefBase {
 public:
  /*! \brief Register the value `instance_name` with the next ordinal. */
  explicit EnumDef(const char* instance_name) : type_index_(EnumClsObj::RuntimeTypeIndex()) {
    details::EnumTables<EnumClsObj>& tables = details::EnumTables<EnumClsObj>::Local();
    String name(instance_name);
    if (tables.entries.count(name) != 0) {
      TVM_FFI_THROW(ValueError) << "enum `" << EnumClsObj::_type_key << "`: value `"
                                << instance_name << "` is registered twice";
    }
    ordinal_ = static_cast<int64_t>(tables.entries.size());
    ObjectPtr<EnumClsObj> obj = make_object<EnumClsObj>();
    obj->_value = ordinal_;
    obj->_name = name;
    instance_ = Enum(ObjectPtr<EnumObj>(std::move(obj)));
    tables.entries.Set(name, instance_);
    details::PublishEnumColumn(type_index_, type_attr::kEnumEntries, Any(tables.entries));
  }

  /*!
   * \brief Attach an attribute to this value (stored outside the object, in the
   * "__ffi_enum_attrs__" column: attribute name -> a List with one slot per ordinal).
   */
  template <typename T>
  EnumDef& set_attr(const char* attr_name, T value) {
    details::EnumTables<EnumClsObj>& tables = details::EnumTables<EnumClsObj>::Local();
    String key(attr_name);
    auto it = tables.attrs.find(key);
    List<Any> column = it != tables.attrs.end() ? (*it).second : List<Any>();
    if (it == tables.attrs.end()) tables.attrs.Set(key, column);
    if (static_cast<int64_t>(column.size()) <= ordinal_) column.resize(ordinal_ + 1);
    column.Set(ordinal_, Any(std::move(value)));
    details::PublishEnumColumn(type_index_, type_attr::kEnumAttrs, Any(tables.attrs));
    return *this;
  }

  /*! \brief The singleton this builder registered. */
  Enum instance() const { return instance_; }
  /*! \brief Its ordinal (`_value`). */
  int64_t ordinal() const { return ordinal_; }

 private:
  int32_t type_index_;
  int64_t ordinal_ = 0;
  Enum instance_;
};

}  // namespace reflection
}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_REFLECTION_ENUM_DEF_H_
