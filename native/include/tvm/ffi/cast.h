/*
 * tvm-ffi-orcjit C++ authoring API: conversions between references: GetRef, GetObjectPtr
 * (defined in object.h) and Downcast.
 *
 *   ObjectRef base = ...;
 *   IntPair p = Downcast<IntPair>(base);        // TypeError if base is not an IntPair
 *   Optional<IntPair> q = Downcast<Optional<IntPair>>(maybe_none);
 *   IntPair r = Downcast<IntPair>(any_value);   // same as any_value.cast<IntPair>()
 */
#ifndef TVM_FFI_CAST_H_
#define TVM_FFI_CAST_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/optional.h>

#include <string>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

namespace details {
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<Optional<T>> : std::true_type {};
}  // namespace details

/*!
 * \brief The same object as a SubRef. A null reference is allowed only when SubRef is nullable;
 * an object of another type raises TypeError naming both types.
 */
template <typename SubRef, typename BaseRef,
          typename = std::enable_if_t<std::is_base_of_v<ObjectRef, BaseRef>>>
inline SubRef Downcast(BaseRef ref) {
  if constexpr (details::IsOptional<SubRef>::value) {
    using Inner = typename SubRef::ContainerType;
    if (!ref.defined()) return SubRef();
    return SubRef(Downcast<Inner>(std::move(ref)));
  } else {
    if (ref.defined()) {
      if (!ref->template IsInstance<typename SubRef::ContainerType>()) {
        TVM_FFI_THROW(TypeError) << "Downcast from " << ref->GetTypeKey() << " to "
                                 << SubRef::ContainerType::_type_key << " failed";
      }
    } else if constexpr (!SubRef::_type_is_nullable) {
      TVM_FFI_THROW(TypeError) << "Downcast from None to non-nullable "
                               << SubRef::ContainerType::_type_key << " failed";
    }
    TVMFFIObject* h = details::ObjectUnsafe::MoveObjectRefToHandle(std::move(ref));
    return details::ObjectUnsafe::ObjectRefFromOwned<SubRef>(
        h == nullptr ? nullptr : details::ObjectUnsafe::ObjectFromHandle(h));
  }
}

/*! \brief Downcast of an Optional reference (None stays None when SubRef allows it). */
template <typename SubRef, typename T>
inline SubRef Downcast(const Optional<T>& ref) {
  if (!ref.has_value()) {
    if constexpr (details::IsOptional<SubRef>::value) {
      return SubRef();
    } else if constexpr (std::is_base_of_v<ObjectRef, SubRef> && SubRef::_type_is_nullable) {
      return SubRef(UnsafeInit{});
    } else {
      TVM_FFI_THROW(TypeError) << "Downcast from None failed";
      TVM_FFI_UNREACHABLE();
    }
  }
  return Downcast<SubRef>(*ref);
}

/*! \brief Convert a value (Any or AnyView) to T; TypeError naming both types on mismatch. */
template <typename T>
inline T Downcast(const Any& value) {
  return value.cast<T>();
}
template <typename T>
inline T Downcast(const AnyView& value) {
  return value.cast<T>();
}

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CAST_H_
