/*
 * tvm-ffi-orcjit C++ authoring API: Function, TypedFunction, the typed export macro and
 * TVM_FFI_STATIC_INIT_BLOCK.
 *
 * A Function object is the 24-byte header followed by TVMFFIFunctionCell {safe_call, cpp_call}.
 * Calling one from C++ uses cpp_call when it is non-NULL (a C++-ABI entry that throws), else
 * safe_call(function_object, args, n, result) with the error protocol of TVM_FFI_ABI.md §3.1.
 */
#ifndef TVM_FFI_FUNCTION_H_
#define TVM_FFI_FUNCTION_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/base_details.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/function_details.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/optional.h>
#include <tvm/ffi/string.h>

#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

class FunctionObj;

/*! \brief Signature of FunctionObj::cpp_call (C++ ABI; reports errors by throwing). */
using FunctionCppCall = void (*)(const FunctionObj* self, const AnyView* args, int32_t num_args,
                                 Any* result);

/*! \brief The Function object: header + TVMFFIFunctionCell. */
class FunctionObj : public Object, public TVMFFIFunctionCell {
 public:
  /*! \brief Call with packed arguments; throws Error on failure. */
  void CallPacked(const AnyView* args, int32_t num_args, Any* result) const {
    result->reset();
    if (cpp_call != nullptr) {
      reinterpret_cast<FunctionCppCall>(cpp_call)(this, args, num_args, result);
      return;
    }
    int rc = safe_call(details::ObjectUnsafe::GetHeader(this),
                       reinterpret_cast<const TVMFFIAny*>(args), num_args,
                       details::AnyUnsafe::Raw(result));
    if (rc != 0) throw details::MoveFromSafeCallRaised();
  }

  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Function", kTVMFFIFunction, FunctionObj, Object)
};

static_assert(sizeof(FunctionObj) == 40, "FunctionObj layout");

namespace details {

/*! \brief Function object made by these headers around a packed C++ callable. */
template <typename TCallable>
class FunctionObjImpl : public FunctionObj {
 public:
  explicit FunctionObjImpl(TCallable callable) : callable_(std::move(callable)) {
    this->safe_call = SafeCall;
#ifdef TVM_FFI_DISABLE_CPP_CALL
    this->cpp_call = nullptr;
#else
    this->cpp_call = reinterpret_cast<void*>(&CppCall);
#endif
  }

 private:
  static int SafeCall(void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
    TVM_FFI_SAFE_CALL_BEGIN();
    const auto* me = static_cast<const FunctionObjImpl*>(
        ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(self)));
    me->callable_(reinterpret_cast<const AnyView*>(args), num_args,
                  reinterpret_cast<Any*>(result));
    TVM_FFI_SAFE_CALL_END();
  }
  static void CppCall(const FunctionObj* self, const AnyView* args, int32_t num_args,
                      Any* result) {
    static_cast<const FunctionObjImpl*>(self)->callable_(args, num_args, result);
  }

  mutable TCallable callable_;
};

/*! \brief Run a static-init body; an exception is stored in the runtime's raised slot. */
inline void RunStaticInitBlock(void (*body)()) {
  try {
    body();
  } catch (const ::tvm::ffi::Error& err) {
    SetSafeCallRaised(err);
  } catch (const std::exception& ex) {
    SetSafeCallRaised(::tvm::ffi::Error("InternalError", ex.what(), std::string()));
  } catch (...) {
    TVMFFIErrorSetRaisedFromCStr("InternalError", "unknown C++ exception in static init block");
  }
}

}  // namespace details

/*!
 * \brief Reference to a Function object (callable from C++, JS, or any TVM-FFI binding).
 */
class Function : public ObjectRef {
 public:
  Function() = default;
  Function(std::nullptr_t) {}  // NOLINT
  explicit Function(UnsafeInit tag) : ObjectRef(tag) {}
  explicit Function(ObjectPtr<FunctionObj> n) : ObjectRef(std::move(n)) {}
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(Function)

  /*!
   * \brief Wrap a callable: a packed callable `void(const AnyView*, int32_t, Any*)` is used
   * as is; anything else is treated as a typed function (arguments checked and converted).
   */
  template <typename TCallable,
            typename = std::enable_if_t<!std::is_base_of_v<ObjectRef, std::decay_t<TCallable>> &&
                                        !std::is_same_v<std::decay_t<TCallable>, std::nullptr_t>>>
  explicit Function(TCallable f) {
    if constexpr (std::is_invocable_v<TCallable, const AnyView*, int32_t, Any*>) {
      *this = FromPacked(std::move(f));
    } else {
      *this = FromTyped(std::move(f));
    }
  }

  /*! \brief Function from a packed callable `void(const AnyView* args, int32_t n, Any* rv)`. */
  template <typename TCallable>
  static Function FromPacked(TCallable f) {
    using Impl = details::FunctionObjImpl<std::decay_t<TCallable>>;
    return Function(ObjectPtr<FunctionObj>(make_object<Impl>(std::move(f))));
  }

  /*! \brief Function from a typed callable; `name` appears in argument error messages. */
  template <typename TCallable>
  static Function FromTyped(TCallable f, std::string name = std::string()) {
    using Traits = details::FuncTraitsOf<TCallable>;
    static_assert(Traits::valid, "Function::FromTyped: cannot deduce the signature");
    return FromPacked([f = std::move(f), name = std::move(name)](const AnyView* args,
                                                                   int32_t num_args, Any* rv) {
      Traits::Call(name, f, reinterpret_cast<const TVMFFIAny*>(args), num_args,
                   details::AnyUnsafe::Raw(rv));
    });
  }

  /*! \brief Function wrapping a raw safe-call symbol (e.g. another library's export). */
  static Function FromExternC(void* self, TVMFFISafeCallType safe_call,
                              void (*deleter)(void* self) = nullptr) {
    TVMFFIObjectHandle out = nullptr;
    TVM_FFI_CHECK_SAFE_CALL(TVMFFIFunctionCreate(self, safe_call, deleter, &out));
    return details::ObjectUnsafe::ObjectRefFromOwned<Function>(
        details::ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(out)));
  }

  /*! \brief The global function `name`, or None if it is not registered. */
  static Optional<Function> GetGlobal(std::string_view name) {
    TVMFFIByteArray arr = details::MakeByteArray(name.data(), name.size());
    TVMFFIObjectHandle out = nullptr;
    TVM_FFI_CHECK_SAFE_CALL(TVMFFIFunctionGetGlobal(&arr, &out));
    if (out == nullptr) return Optional<Function>();
    return Optional<Function>(details::ObjectUnsafe::ObjectRefFromOwned<Function>(
        details::ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(out))));
  }

  /*! \brief The global function `name`; throws ValueError if it is not registered. */
  static Function GetGlobalRequired(std::string_view name) {
    Optional<Function> f = GetGlobal(name);
    if (!f.has_value()) {
      TVM_FFI_THROW(ValueError) << "Function " << name << " not found";
    }
    return *f;
  }

  /*! \brief Register `func` as global function `name`. */
  static void SetGlobal(std::string_view name, const Function& func, bool allow_override = false) {
    TVMFFIByteArray arr = details::MakeByteArray(name.data(), name.size());
    TVM_FFI_CHECK_SAFE_CALL(TVMFFIFunctionSetGlobal(
        &arr, details::ObjectUnsafe::GetHandle(func), allow_override ? 1 : 0));
  }

  /*! \brief Call with any convertible arguments; returns the owned result. */
  template <typename... Args>
  Any operator()(Args&&... args) const {
    constexpr size_t kNum = sizeof...(Args);
    AnyView packed[kNum == 0 ? 1 : kNum] = {AnyView(args)...};
    Any result;
    get()->CallPacked(packed, static_cast<int32_t>(kNum), &result);
    return result;
  }

  /*! \brief Call with packed arguments. */
  void CallPacked(const AnyView* args, int32_t num_args, Any* result) const {
    get()->CallPacked(args, num_args, result);
  }

  const FunctionObj* operator->() const { return static_cast<const FunctionObj*>(data_.get()); }
  const FunctionObj* get() const { return operator->(); }
  using ContainerType = FunctionObj;
  static constexpr bool _type_is_nullable = true;
};

template <typename FType>
class TypedFunction;

/*!
 * \brief A Function with a C++ signature: calls convert arguments and the result.
 */
template <typename R, typename... Args>
class TypedFunction<R(Args...)> {
 public:
  using TSelf = TypedFunction<R(Args...)>;
  TypedFunction() = default;
  TypedFunction(std::nullptr_t) {}            // NOLINT
  TypedFunction(Function packed) : packed_(std::move(packed)) {}  // NOLINT
  template <typename TLambda,
            typename = std::enable_if_t<
                std::is_convertible_v<TLambda, std::function<R(Args...)>> &&
                !std::is_base_of_v<ObjectRef, std::decay_t<TLambda>> &&
                !std::is_same_v<std::decay_t<TLambda>, TSelf>>>
  TypedFunction(TLambda f, std::string name = std::string())  // NOLINT
      : packed_(Function::FromTyped(std::function<R(Args...)>(std::move(f)), std::move(name))) {}

  R operator()(Args... args) const {
    if constexpr (std::is_void_v<R>) {
      packed_(std::forward<Args>(args)...);
    } else {
      return packed_(std::forward<Args>(args)...).template cast<R>();
    }
  }
  operator Function() const { return packed_; }  // NOLINT
  const Function& packed() const { return packed_; }
  bool operator==(std::nullptr_t) const { return packed_ == nullptr; }
  bool operator!=(std::nullptr_t) const { return packed_ != nullptr; }

 private:
  Function packed_;
};

template <typename FType>
struct TypeTraits<TypedFunction<FType>> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIFunction;
  static void CopyToAnyView(const TypedFunction<FType>& src, TVMFFIAny* out) {
    TypeTraits<Function>::CopyToAnyView(src.packed(), out);
  }
  static void MoveToAny(TypedFunction<FType> src, TVMFFIAny* out) {
    TypeTraits<Function>::MoveToAny(src.packed(), out);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return TypeTraits<Function>::CheckAnyStrict(src);
  }
  static std::optional<TypedFunction<FType>> TryCastFromAnyView(const TVMFFIAny* src) {
    std::optional<Function> f = TypeTraits<Function>::TryCastFromAnyView(src);
    if (!f.has_value()) return std::nullopt;
    return TypedFunction<FType>(std::move(*f));
  }
  static std::string TypeStr() { return "ffi.Function"; }
  static std::string TypeSchema() {
    return details::FuncTraits<FType>::SchemaJSON();
  }
};

}  // namespace ffi
}  // namespace tvm

// ------------------------------------------------------------------------------------------
// Export macros
// ------------------------------------------------------------------------------------------

#ifndef TVM_FFI_DLL_EXPORT_INCLUDE_METADATA
#define TVM_FFI_DLL_EXPORT_INCLUDE_METADATA 0
#endif

#if TVM_FFI_DLL_EXPORT_INCLUDE_METADATA
#define TVM_FFI_DLL_EXPORT_TYPED_FUNC_METADATA_(ExportName, ...)                          \
  extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi__metadata_##ExportName(                     \
      void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {           \
    (void)self;                                                                           \
    (void)args;                                                                           \
    (void)num_args;                                                                       \
    TVM_FFI_SAFE_CALL_BEGIN();                                                            \
    ::tvm::ffi::details::ExportedMetadata(__VA_ARGS__, result);                           \
    TVM_FFI_SAFE_CALL_END();                                                              \
  }
/*! \brief Export `__tvm_ffi__doc_<name>` returning the docstring (metadata builds only). */
#define TVM_FFI_DLL_EXPORT_TYPED_FUNC_DOC(ExportName, DocString)                            \
  extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi__doc_##ExportName(                            \
      void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {             \
    (void)self;                                                                             \
    (void)args;                                                                             \
    (void)num_args;                                                                         \
    TVM_FFI_SAFE_CALL_BEGIN();                                                              \
    ::tvm::ffi::TypeTraits<std::string>::MoveToAny(std::string(DocString), result);         \
    TVM_FFI_SAFE_CALL_END();                                                                \
  }
#else
#define TVM_FFI_DLL_EXPORT_TYPED_FUNC_METADATA_(ExportName, ...)
/*! \brief Docstring of an export; only emits a symbol in metadata builds. */
#define TVM_FFI_DLL_EXPORT_TYPED_FUNC_DOC(ExportName, DocString)
#endif

/*!
 * \brief Export `Function` (a function name, function pointer or lambda — lambdas work under
 * -std=c++17) as the C symbol `__tvm_ffi_<ExportName>` with the TVM-FFI safe-call signature
 *   int(void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result).
 * Argument count and types are checked; a mismatch raises TypeError naming the signature.
 */
#define TVM_FFI_DLL_EXPORT_TYPED_FUNC(ExportName, ...)                                     \
  extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi_##ExportName(                                \
      void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {            \
    (void)self;                                                                            \
    TVM_FFI_SAFE_CALL_BEGIN();                                                             \
    ::tvm::ffi::details::CallExportedTyped(#ExportName, __VA_ARGS__, args, num_args,       \
                                           result);                                        \
    TVM_FFI_SAFE_CALL_END();                                                               \
  }                                                                                        \
  TVM_FFI_DLL_EXPORT_TYPED_FUNC_METADATA_(ExportName, __VA_ARGS__)

// ------------------------------------------------------------------------------------------
// Static initialization
// ------------------------------------------------------------------------------------------

#if defined(_MSC_VER) && !defined(__clang__)
#define TVM_FFI_STATIC_INIT_BLOCK_DEF_(id)                                                   \
  static void __tvm_ffi_static_init_body_##id();                                             \
  static const int __tvm_ffi_static_init_var_##id =                                          \
      (::tvm::ffi::details::RunStaticInitBlock(__tvm_ffi_static_init_body_##id), 0);         \
  static void __tvm_ffi_static_init_body_##id()
#else
#define TVM_FFI_STATIC_INIT_BLOCK_DEF_(id)                                                   \
  static void __tvm_ffi_static_init_body_##id();                                             \
  __attribute__((constructor)) static void __tvm_ffi_static_init_##id() {                    \
    ::tvm::ffi::details::RunStaticInitBlock(__tvm_ffi_static_init_body_##id);                \
  }                                                                                          \
  static void __tvm_ffi_static_init_body_##id()
#endif
#define TVM_FFI_STATIC_INIT_BLOCK_IMPL_(id) TVM_FFI_STATIC_INIT_BLOCK_DEF_(id)

/*!
 * \brief Code that runs when the object is loaded (a static constructor):
 *   TVM_FFI_STATIC_INIT_BLOCK() { refl::GlobalDef().def("ns.f", f); }
 * An exception escaping the block is stored in the runtime's raised-error slot of the loading
 * thread (the loader reports it) instead of terminating the process.
 */
#define TVM_FFI_STATIC_INIT_BLOCK() TVM_FFI_STATIC_INIT_BLOCK_IMPL_(TVM_FFI_UNIQUE_ID)

#endif  // TVM_FFI_FUNCTION_H_
