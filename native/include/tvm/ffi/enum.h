/*
 * tvm-ffi-orcjit C++ authoring API: the object classes of FFI enums (type keys "ffi.Enum",
 * "ffi.IntEnum", "ffi.StrEnum"): singletons carrying a canonical integer and string index.
 * Subclass EnumObj (or IntEnumObj / StrEnumObj) with TVM_FFI_DECLARE_OBJECT_INFO to define
 * an enum type. The enum registry of upstream tvm-ffi (reflection::EnumDef and the
 * _GetByIntIndex / _GetByStrIndex lookups) is not part of this header set (docs/authoring.md).
 */
#ifndef TVM_FFI_ENUM_H_
#define TVM_FFI_ENUM_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/string.h>

#include <cstdint>
#include <utility>

namespace tvm {
namespace ffi {

/*! \brief Base of enum singletons. */
class EnumObj : public Object {
 public:
  int64_t _int_index = 0;
  String _str_index;

  EnumObj() = default;
  EnumObj(int64_t int_index, String str_index)
      : _int_index(int_index), _str_index(std::move(str_index)) {}

  static constexpr int32_t _type_s_eq_hash_kind = kTVMFFISEqHashKindUniqueInstance;
  static constexpr int32_t _type_child_slots = 0;
  static constexpr bool _type_child_slots_can_overflow = true;
  TVM_FFI_DECLARE_OBJECT_INFO("ffi.Enum", EnumObj, Object);
};

class Enum : public ObjectRef {
 public:
  TVM_FFI_DEFINE_OBJECT_REF_METHODS_NULLABLE(Enum, ObjectRef, EnumObj);
};

/*! \brief Enum whose public value is an integer. */
class IntEnumObj : public EnumObj {
 public:
  using EnumObj::EnumObj;
  static constexpr int32_t _type_child_slots = 0;
  static constexpr bool _type_child_slots_can_overflow = true;
  TVM_FFI_DECLARE_OBJECT_INFO("ffi.IntEnum", IntEnumObj, EnumObj);
};

class IntEnum : public Enum {
 public:
  TVM_FFI_DEFINE_OBJECT_REF_METHODS_NULLABLE(IntEnum, Enum, IntEnumObj);
};

/*! \brief Enum whose public value is a string. */
class StrEnumObj : public EnumObj {
 public:
  using EnumObj::EnumObj;
  static constexpr int32_t _type_child_slots = 0;
  static constexpr bool _type_child_slots_can_overflow = true;
  TVM_FFI_DECLARE_OBJECT_INFO("ffi.StrEnum", StrEnumObj, EnumObj);
};

class StrEnum : public Enum {
 public:
  TVM_FFI_DEFINE_OBJECT_REF_METHODS_NULLABLE(StrEnum, Enum, StrEnumObj);
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_ENUM_H_
