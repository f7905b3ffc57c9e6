/*
 * tvm-ffi-orcjit C++ authoring API: TypeTraits, the conversions of C++ types to and from
 * TVMFFIAny. The traits of the builtin types live in any.h (one place); this header is their
 * upstream include path and adds TypeTraitsBase for user specializations:
 *
 *   template <> struct TypeTraits<MyPoint> : public TypeTraitsBase {
 *     static void CopyToAnyView(const MyPoint&, TVMFFIAny*);
 *     static void MoveToAny(MyPoint, TVMFFIAny*);
 *     static bool CheckAnyStrict(const TVMFFIAny*);
 *     static std::optional<MyPoint> TryCastFromAnyView(const TVMFFIAny*);
 *     static std::string TypeStr();
 *   };
 */
#ifndef TVM_FFI_TYPE_TRAITS_H_
#define TVM_FFI_TYPE_TRAITS_H_

#include <tvm/ffi/any.h>

namespace tvm {
namespace ffi {

/*! \brief Base of user TypeTraits specializations: marks the type convertible. */
struct TypeTraitsBase {
  static constexpr bool convert_enabled = true;
  static constexpr bool enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIAny;
  /*! \brief What a value that did not convert is (shown in TypeError messages). */
  static std::string GetMismatchTypeInfo(const TVMFFIAny* src) {
    return details::ArgTypeName(src);
  }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_TYPE_TRAITS_H_
