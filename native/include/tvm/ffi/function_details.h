/*
 * tvm-ffi-orcjit C++ authoring API: the machinery behind typed functions: signature
 * deduction (FuncTraits), argument checking and conversion, result packing, the text of
 * argument-mismatch errors, and the bodies of the export macros (function.h).
 */
#ifndef TVM_FFI_FUNCTION_DETAILS_H_
#define TVM_FFI_FUNCTION_DETAILS_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/base_details.h>
#include <tvm/ffi/error.h>

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

template <typename T>
class Expected;

namespace details {

template <typename T>
struct IsExpected : std::false_type {};
template <typename T>
struct IsExpected<Expected<T>> : std::true_type {};

[[noreturn]] TVM_FFI_NO_INLINE inline void ThrowArgCountMismatch(const std::string& sig,
                                                                 size_t expected,
                                                                 int32_t got) {
  TVM_FFI_THROW(TypeError) << "Mismatched number of arguments when calling: `" << sig
                           << "`. Expected " << expected << " but got " << got << " arguments";
  TVM_FFI_UNREACHABLE();
}

[[noreturn]] TVM_FFI_NO_INLINE inline void ThrowArgTypeMismatch(const std::string& sig,
                                                                size_t index,
                                                                const std::string& expected,
                                                                const std::string& got) {
  TVM_FFI_THROW(TypeError) << "Mismatched type on argument #" << index << " when calling: `"
                           << sig << "`. Expected `" << expected << "` but got `" << got << "`";
  TVM_FFI_UNREACHABLE();
}

/*! \brief Signature, argument unpacking and return packing of R(Args...). */
template <typename R, typename... Args>
struct FuncSig {
  using RetType = R;
  using ArgTypes = std::tuple<Args...>;
  static constexpr size_t kNumArgs = sizeof...(Args);

  /*! \brief "name(0: int, 1: str) -> float". */
  static std::string Signature(std::string_view name) {
    std::string sig(name);
    sig += "(";
    size_t i = 0;
    ((sig += (i == 0 ? "" : ", ") + std::to_string(i) + ": " + Type2Str<Args>(), ++i), ...);
    (void)i;
    sig += ") -> ";
    sig += Type2Str<R>();
    return sig;
  }

  /*! \brief JSON schema: {"type":"ffi.Function","args":[ret, arg0, ...]}. */
  static std::string SchemaJSON() {
    std::string s = "{\"type\":\"ffi.Function\",\"args\":[" + TypeSchemaJSON<R>();
    ((s += "," + TypeSchemaJSON<Args>()), ...);
    s += "]}";
    return s;
  }

  template <typename T>
  static std::decay_t<T> ArgCast(std::string_view name, const TVMFFIAny* args, size_t index) {
    std::optional<std::decay_t<T>> v = TryCastAnyView<std::decay_t<T>>(&args[index]);
    if (TVM_FFI_PREDICT_FALSE(!v.has_value())) {
      ThrowArgTypeMismatch(Signature(name), index, Type2Str<T>(),
                           MismatchTypeInfo<std::decay_t<T>>(&args[index]));
    }
    return std::move(*v);
  }

  template <typename F, size_t... I>
  static void CallImpl(std::string_view name, const F& f, const TVMFFIAny* args,
                       int32_t num_args, TVMFFIAny* result, std::index_sequence<I...>) {
    if (TVM_FFI_PREDICT_FALSE(num_args != static_cast<int32_t>(kNumArgs))) {
      ThrowArgCountMismatch(Signature(name), kNumArgs, num_args);
    }
    // Braced initialization converts the arguments left to right.
    std::tuple<std::decay_t<Args>...> values{ArgCast<Args>(name, args, I)...};
    (void)values;
    (void)args;
    if constexpr (std::is_void_v<R>) {
      f(static_cast<Args&&>(std::get<I>(values))...);
    } else if constexpr (IsExpected<std::decay_t<R>>::value) {
      // Expected<T>: an error is raised to the caller, a value is returned.
      auto r = f(static_cast<Args&&>(std::get<I>(values))...);
      if (r.is_err()) throw r.error();
      *reinterpret_cast<Any*>(result) = Any(r.value());
    } else {
      *reinterpret_cast<Any*>(result) =
          Any(std::decay_t<R>(f(static_cast<Args&&>(std::get<I>(values))...)));
    }
  }

  template <typename F>
  static void Call(std::string_view name, const F& f, const TVMFFIAny* args, int32_t num_args,
                   TVMFFIAny* result) {
    CallImpl(name, f, args, num_args, result, std::index_sequence_for<Args...>{});
  }
};

/*! \brief Deduce R(Args...) of a function, function pointer, lambda or functor. */
template <typename F, typename = void>
struct FuncTraits {
  static constexpr bool valid = false;
};
template <typename R, typename... Args>
struct FuncTraits<R(Args...)> : FuncSig<R, Args...> {
  static constexpr bool valid = true;
};
template <typename R, typename... Args>
struct FuncTraits<R(Args...) noexcept> : FuncSig<R, Args...> {
  static constexpr bool valid = true;
};
template <typename R, typename... Args>
struct FuncTraits<R (*)(Args...)> : FuncSig<R, Args...> {
  static constexpr bool valid = true;
};
template <typename R, typename... Args>
struct FuncTraits<R (*)(Args...) noexcept> : FuncSig<R, Args...> {
  static constexpr bool valid = true;
};
template <typename C, typename R, typename... Args>
struct FuncTraits<R (C::*)(Args...)> : FuncSig<R, Args...> {
  static constexpr bool valid = true;
};
template <typename C, typename R, typename... Args>
struct FuncTraits<R (C::*)(Args...) const> : FuncSig<R, Args...> {
  static constexpr bool valid = true;
};
template <typename C, typename R, typename... Args>
struct FuncTraits<R (C::*)(Args...) noexcept> : FuncSig<R, Args...> {
  static constexpr bool valid = true;
};
template <typename C, typename R, typename... Args>
struct FuncTraits<R (C::*)(Args...) const noexcept> : FuncSig<R, Args...> {
  static constexpr bool valid = true;
};
template <typename F>
struct FuncTraits<F, std::void_t<decltype(&F::operator())>> : FuncTraits<decltype(&F::operator())> {};

template <typename F>
using FuncTraitsOf = FuncTraits<std::remove_cv_t<std::remove_reference_t<F>>>;

/*! \brief Body of an exported `__tvm_ffi_<name>` symbol (see TVM_FFI_DLL_EXPORT_TYPED_FUNC). */
template <typename F>
TVM_FFI_INLINE void CallExportedTyped(const char* name, const F& f, const TVMFFIAny* args,
                                      int32_t num_args, TVMFFIAny* result) {
  using Traits = FuncTraitsOf<F>;
  static_assert(Traits::valid,
                "TVM_FFI_DLL_EXPORT_TYPED_FUNC: cannot deduce the signature (generic lambdas and "
                "overloaded functions are not supported)");
  Traits::Call(name, f, args, num_args, result);
}

/*! \brief Body of `__tvm_ffi__metadata_<name>`: {"type_schema": "<schema JSON>"}. */
template <typename F>
inline void ExportedMetadata(const F&, TVMFFIAny* result);

inline std::string EscapeJSONString(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out;
}

template <typename F>
inline void ExportedMetadata(const F&, TVMFFIAny* result) {
  using Traits = FuncTraitsOf<F>;
  std::string json = "{\"type_schema\": \"" + EscapeJSONString(Traits::SchemaJSON()) + "\"}";
  TypeTraits<std::string>::MoveToAny(std::move(json), result);
}

}  // namespace details
}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_FUNCTION_DETAILS_H_
