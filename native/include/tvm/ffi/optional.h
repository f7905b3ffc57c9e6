/*
 * tvm-ffi-orcjit C++ authoring API: Optional<T> (None or a T).
 */
#ifndef TVM_FFI_OPTIONAL_H_
#define TVM_FFI_OPTIONAL_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/error.h>

#include <optional>
#include <string>
#include <utility>

namespace tvm {
namespace ffi {

/*!
 * \brief A value that may be absent. Crosses the ABI as None or as the T value.
 */
template <typename T>
class Optional {
 public:
  using ContainerType = T;
  Optional() = default;
  Optional(std::nullopt_t) {}    // NOLINT
  Optional(std::nullptr_t) {}    // NOLINT
  Optional(const T& v) : value_(v) {}  // NOLINT
  Optional(T&& v) : value_(std::move(v)) {}  // NOLINT
  Optional(std::optional<T> v) : value_(std::move(v)) {}  // NOLINT
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U, T> &&
                                                    !std::is_same_v<std::decay_t<U>, T> &&
                                                    !std::is_same_v<std::decay_t<U>, Optional>>>
  Optional(U&& v) : value_(T(std::forward<U>(v))) {}  // NOLINT

  bool has_value() const { return value_.has_value(); }
  /*! \brief has_value() (name kept from the ObjectRef-based API). */
  bool defined() const { return value_.has_value(); }
  explicit operator bool() const { return value_.has_value(); }

  const T& value() const& {
    if (!value_.has_value()) TVM_FFI_THROW(RuntimeError) << "Bad optional access: value is None";
    return *value_;
  }
  T&& value() && {
    if (!value_.has_value()) TVM_FFI_THROW(RuntimeError) << "Bad optional access: value is None";
    return std::move(*value_);
  }
  template <typename U>
  T value_or(U&& default_value) const {
    return value_.has_value() ? *value_ : T(std::forward<U>(default_value));
  }
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }
  void reset() { value_.reset(); }

  bool operator==(std::nullopt_t) const { return !has_value(); }
  bool operator!=(std::nullopt_t) const { return has_value(); }
  bool operator==(std::nullptr_t) const { return !has_value(); }
  bool operator!=(std::nullptr_t) const { return has_value(); }

 private:
  std::optional<T> value_;
};

template <typename T>
struct TypeTraits<Optional<T>> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIAny;
  static void CopyToAnyView(const Optional<T>& src, TVMFFIAny* out) {
    if (!src.has_value()) {
      details::SetNone(out);
      return;
    }
    TypeTraitsNoCR<T>::CopyToAnyView(*src, out);
  }
  static void MoveToAny(Optional<T> src, TVMFFIAny* out) {
    if (!src.has_value()) {
      details::SetNone(out);
      return;
    }
    TypeTraitsNoCR<T>::MoveToAny(std::move(*src), out);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index == kTVMFFINone || TypeTraitsNoCR<T>::CheckAnyStrict(src);
  }
  static std::optional<Optional<T>> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFINone) return Optional<T>();
    std::optional<T> v = details::TryCastAnyView<T>(src);
    if (!v.has_value()) return std::nullopt;
    return Optional<T>(std::move(*v));
  }
  static std::string TypeStr() { return "Optional[" + details::Type2Str<T>() + "]"; }
  static std::string TypeSchema() {
    return "{\"type\":\"Optional\",\"args\":[" + details::TypeSchemaJSON<T>() + "]}";
  }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_OPTIONAL_H_
