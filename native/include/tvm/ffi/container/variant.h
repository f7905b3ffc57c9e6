/*
 * tvm-ffi-orcjit C++ authoring API: Variant<V...>, one value of one of several types.
 *
 * A Variant is a single Any (16 bytes) holding one alternative; it crosses the ABI, and to
 * JS, as that alternative itself. A Variant parameter takes the first alternative, in
 * declaration order, that the value is stored as, else the first it converts to; a value
 * matching none is rejected with a TypeError that names the alternatives
 * ("Expected `Variant[int, str]` but got `float`").
 */
#ifndef TVM_FFI_CONTAINER_VARIANT_H_
#define TVM_FFI_CONTAINER_VARIANT_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/container_details.h>
#include <tvm/ffi/optional.h>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

template <typename... V>
class Variant {
 public:
  static_assert(sizeof...(V) > 0, "Variant needs at least one alternative");
  static_assert(details::all_storage_enabled_v<V...>,
                "every alternative of Variant<...> must be convertible to Any");

  /*! \brief Whether T is one of the alternatives (or an object type one of them holds). */
  template <typename T>
  static constexpr bool variant_contains_v =
      (details::type_contains_v<V, std::decay_t<T>> || ...);
  template <typename T>
  using enable_if_variant_contains_t = std::enable_if_t<variant_contains_v<T>>;

  Variant(const Variant&) = default;
  Variant(Variant&&) noexcept = default;
  Variant& operator=(const Variant&) = default;
  Variant& operator=(Variant&&) noexcept = default;

  template <typename T, typename = enable_if_variant_contains_t<T>>
  Variant(T value) : data_(std::move(value)) {}  // NOLINT
  template <typename T, typename = enable_if_variant_contains_t<T>>
  Variant& operator=(T value) {
    data_ = Any(std::move(value));
    return *this;
  }

  /*! \brief The value as T if it is stored as a T, else nullopt. */
  template <typename T, typename = enable_if_variant_contains_t<T>,
            typename = std::enable_if_t<!std::is_base_of_v<Object, T>>>
  std::optional<T> as() const {
    if (!TypeTraitsNoCR<T>::CheckAnyStrict(details::AnyUnsafe::Raw(data_))) return std::nullopt;
    return data_.try_cast<T>();
  }
  /*! \brief The object as `const T*` if it is a T, else nullptr. */
  template <typename T, typename = std::enable_if_t<std::is_base_of_v<Object, T>>>
  const T* as() const {
    return data_.as<T>();
  }
  /*! \brief The value as T; TypeError if it is not one. */
  template <typename T, typename = enable_if_variant_contains_t<T>>
  T get() const {
    return data_.cast<T>();
  }

  std::string GetTypeKey() const { return data_.GetTypeKey(); }
  int32_t type_index() const { return data_.type_index(); }
  bool same_as(const Variant& other) const {
    const TVMFFIAny* a = details::AnyUnsafe::Raw(data_);
    const TVMFFIAny* b = details::AnyUnsafe::Raw(other.data_);
    return a->type_index == b->type_index && a->v_uint64 == b->v_uint64;
  }

 private:
  explicit Variant(Any data, int) : data_(std::move(data)) {}
  Any data_;

  template <typename, typename>
  friend struct TypeTraits;
};

template <typename... V>
struct TypeTraits<Variant<V...>> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIAny;

  static void CopyToAnyView(const Variant<V...>& src, TVMFFIAny* out) {
    *out = *details::AnyUnsafe::Raw(src.data_);
  }
  static void MoveToAny(Variant<V...> src, TVMFFIAny* out) {
    *out = details::AnyUnsafe::MoveToTVMFFIAny(std::move(src.data_));
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) { return (Strict<V>(src) || ...); }
  static std::optional<Variant<V...>> TryCastFromAnyView(const TVMFFIAny* src) {
    if (CheckAnyStrict(src)) return Variant<V...>(Any(details::AnyUnsafe::ViewOf(*src)), 0);
    std::optional<Variant<V...>> out;
    ((out.has_value() ? void() : TryOne<V>(src, &out)), ...);
    return out;
  }
  static std::string TypeStr() { return details::ContainerTypeStr<V...>("Variant"); }

 private:
  template <typename T>
  static bool Strict(const TVMFFIAny* src) {
    if constexpr (std::is_same_v<T, Any>) {
      return true;
    } else {
      return TypeTraitsNoCR<T>::CheckAnyStrict(src);
    }
  }
  template <typename T>
  static void TryOne(const TVMFFIAny* src, std::optional<Variant<V...>>* out) {
    if (std::optional<T> v = details::TryCastAnyView<T>(src)) {
      out->emplace(Variant<V...>(Any(std::move(*v)), 0));
    }
  }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_VARIANT_H_
