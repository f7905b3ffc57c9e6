/*
 * tvm-ffi-orcjit C++ authoring API: Expected<T>, a T or an Error, for error handling without
 * exceptions.
 *
 *   Expected<int> Divide(int a, int b) {
 *     if (b == 0) return Error("ValueError", "division by zero", "");
 *     return a / b;
 *   }
 *
 * An exported function (TVM_FFI_DLL_EXPORT_TYPED_FUNC) that returns an Expected holding an
 * Error raises that error to its caller (JS gets an FFIError with its kind and message).
 */
#ifndef TVM_FFI_EXPECTED_H_
#define TVM_FFI_EXPECTED_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/error.h>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

/*! \brief Marks an Error as the failure of an Expected: `return Unexpected(err);`. */
struct Unexpected {
  Unexpected(Error error) : error_(std::move(error)) {}  // NOLINT
  Error error_;
};

template <typename T>
class Expected {  // (forward-declared in function.h, which raises its errors on export)
 public:
  static_assert(!std::is_same_v<T, Error>, "Expected<Error> is not allowed; use Error");

  Expected(T value) : data_(Any(std::move(value))) {}            // NOLINT
  Expected(Error error) : data_(Any(std::move(error))) {}        // NOLINT
  Expected(Unexpected u) : data_(Any(std::move(u.error_))) {}    // NOLINT

  /*! \brief True when it holds a value (checked first for Error, in case T is a base of it). */
  bool is_ok() const { return data_.as<ErrorObj>() == nullptr; }
  bool is_err() const { return !is_ok(); }
  bool has_value() const { return is_ok(); }

  /*! \brief The value; throws the held Error otherwise. */
  T value() const {
    if (is_err()) throw data_.cast<Error>();
    return data_.cast<T>();
  }
  /*! \brief The error; RuntimeError if it holds a value. */
  Error error() const {
    if (is_ok()) TVM_FFI_THROW(RuntimeError) << "Bad expected access: it holds a value, not an error";
    return data_.cast<Error>();
  }
  template <typename U = std::remove_cv_t<T>>
  T value_or(U&& default_value) const {
    return is_ok() ? data_.cast<T>() : T(std::forward<U>(default_value));
  }

 private:
  Any data_;
  template <typename, typename>
  friend struct TypeTraits;
};

template <typename T>
struct TypeTraits<Expected<T>> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIAny;
  static void CopyToAnyView(const Expected<T>& src, TVMFFIAny* out) {
    *out = *details::AnyUnsafe::Raw(src.data_);  // borrowed from the Expected
  }
  static void MoveToAny(Expected<T> src, TVMFFIAny* out) {
    if (src.is_err()) {
      TypeTraits<Error>::MoveToAny(src.error(), out);
    } else {
      TypeTraitsNoCR<T>::MoveToAny(src.value(), out);
    }
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return TypeTraitsNoCR<T>::CheckAnyStrict(src) || TypeTraits<Error>::CheckAnyStrict(src);
  }
  static std::optional<Expected<T>> TryCastFromAnyView(const TVMFFIAny* src) {
    if (std::optional<T> v = details::TryCastAnyView<T>(src)) return Expected<T>(std::move(*v));
    if (std::optional<Error> e = TypeTraits<Error>::TryCastFromAnyView(src)) {
      return Expected<T>(std::move(*e));
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "Expected[" + details::Type2Str<T>() + "]"; }
};


}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_EXPECTED_H_
