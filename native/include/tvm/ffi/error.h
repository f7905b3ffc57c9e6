/*
 * tvm-ffi-orcjit C++ authoring API: Error, TVM_FFI_THROW, TVM_FFI_ICHECK*, and the safe-call
 * macros that turn C++ exceptions into the C ABI's error protocol (TVM_FFI_ABI.md §3.1).
 */
#ifndef TVM_FFI_ERROR_H_
#define TVM_FFI_ERROR_H_

#include <tvm/ffi/base_details.h>
#include <tvm/ffi/object.h>

#include <exception>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

/*!
 * \brief The Error object: the 24-byte header followed by the 72-byte TVMFFIErrorCell.
 * Accessors only read the cell, so errors made by any runtime or toolchain work.
 */
class ErrorObj : public Object, public TVMFFIErrorCell {
 public:
  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Error", kTVMFFIError, ErrorObj, Object)
};

namespace details {

/*! \brief Error object made by these headers: the cell points into three std::strings. */
class ErrorObjFromStd : public ErrorObj {
 public:
  ErrorObjFromStd(std::string kind, std::string message, std::string backtrace)
      : kind_(std::move(kind)), message_(std::move(message)), backtrace_(std::move(backtrace)) {
    SyncCell();
    this->update_backtrace = UpdateBacktrace;
    this->cause_chain = nullptr;
    this->extra_context = nullptr;
  }
  ~ErrorObjFromStd() {
    if (this->cause_chain != nullptr) {
      DecRefObjectHandle(static_cast<TVMFFIObject*>(this->cause_chain));
    }
    if (this->extra_context != nullptr) {
      DecRefObjectHandle(static_cast<TVMFFIObject*>(this->extra_context));
    }
  }

  static void UpdateBacktrace(TVMFFIObjectHandle self, const TVMFFIByteArray* backtrace,
                              int32_t update_mode) {
    auto* obj = static_cast<ErrorObjFromStd*>(reinterpret_cast<Object*>(self));
    std::string text(backtrace->data, backtrace->size);
    if (update_mode == kTVMFFIBacktraceUpdateModeAppend) {
      obj->backtrace_ += text;
    } else {
      obj->backtrace_ = std::move(text);
    }
    obj->SyncCell();
  }

 private:
  void SyncCell() {
    this->kind = MakeByteArray(kind_.data(), kind_.size());
    this->message = MakeByteArray(message_.data(), message_.size());
    this->backtrace = MakeByteArray(backtrace_.data(), backtrace_.size());
  }

  std::string kind_;
  std::string message_;
  std::string backtrace_;
};

}  // namespace details

/*!
 * \brief Reference to an Error object; also a C++ exception.
 * Throw it (or use TVM_FFI_THROW); the safe-call wrappers hand it to the caller through the
 * runtime's per-thread raised slot.
 */
class Error : public ObjectRef, public std::exception {
 public:
  Error(std::string kind, std::string message, std::string backtrace)
      : ObjectRef(ObjectPtr<Object>(make_object<details::ErrorObjFromStd>(
            std::move(kind), std::move(message), std::move(backtrace)))) {}
  Error(std::string kind, std::string message, const TVMFFIByteArray* backtrace)
      : Error(std::move(kind), std::move(message),
              backtrace != nullptr ? std::string(backtrace->data, backtrace->size)
                                   : std::string()) {}
  explicit Error(ObjectPtr<Object> data) : ObjectRef(std::move(data)) {}
  explicit Error(UnsafeInit tag) : ObjectRef(tag) {}
  Error(const Error& other) : ObjectRef(other), std::exception(other) {}
  Error(Error&& other) noexcept : ObjectRef(std::move(other)), std::exception(other) {}
  Error& operator=(const Error& other) {
    ObjectRef::operator=(other);
    what_.clear();
    return *this;
  }
  Error& operator=(Error&& other) noexcept {
    ObjectRef::operator=(std::move(other));
    what_.clear();
    return *this;
  }

  const ErrorObj* operator->() const { return static_cast<const ErrorObj*>(data_.get()); }
  const ErrorObj* get() const { return operator->(); }

  /*! \brief Error kind, e.g. "ValueError". */
  std::string kind() const { return Field(&TVMFFIErrorCell::kind); }
  /*! \brief Error message (without kind). */
  std::string message() const { return Field(&TVMFFIErrorCell::message); }
  /*! \brief Backtrace text, most recent call first. */
  std::string backtrace() const { return Field(&TVMFFIErrorCell::backtrace); }
  /*! \brief Replace (mode 0) or append to (mode 1) the backtrace. */
  void UpdateBacktrace(const std::string& text, int32_t update_mode) const {
    if (!defined()) return;
    TVMFFIErrorCell* cell = TVMFFIErrorGetCellPtr(details::ObjectUnsafe::GetHandle(*this));
    TVMFFIByteArray arr = details::MakeByteArray(text.data(), text.size());
    if (cell->update_backtrace != nullptr) {
      cell->update_backtrace(details::ObjectUnsafe::GetHandle(*this), &arr, update_mode);
    }
  }
  /*! \brief "Kind: message" followed by the backtrace. */
  std::string FullMessage() const {
    std::string bt = backtrace();
    std::string out = kind() + ": " + message();
    if (!bt.empty()) out += "\n" + bt;
    return out;
  }
  /*! \brief "Kind: message". */
  const char* what() const noexcept override {
    try {
      if (what_.empty()) what_ = kind() + ": " + message();
      return what_.c_str();
    } catch (...) {
      return "tvm::ffi::Error";
    }
  }

  using ContainerType = ErrorObj;
  static constexpr bool _type_is_nullable = false;

 private:
  std::string Field(TVMFFIByteArray TVMFFIErrorCell::*field) const {
    if (!defined()) return std::string();
    const TVMFFIErrorCell* cell = TVMFFIErrorGetCellPtr(details::ObjectUnsafe::GetHandle(*this));
    const TVMFFIByteArray& arr = cell->*field;
    return std::string(arr.data != nullptr ? arr.data : "", arr.size);
  }

  mutable std::string what_;
};

namespace details {

/*! \brief Builds the message of TVM_FFI_THROW and throws from its destructor. */
class ErrorBuilder {
 public:
  ErrorBuilder(const char* kind, const char* file, int line, const char* func) : kind_(kind) {
    const TVMFFIByteArray* bt = TVMFFIBacktrace(file, line, func, 0);
    if (bt != nullptr && bt->data != nullptr) backtrace_.assign(bt->data, bt->size);
  }
  ErrorBuilder(const ErrorBuilder&) = delete;
  ErrorBuilder& operator=(const ErrorBuilder&) = delete;
#if defined(_MSC_VER)
#pragma warning(push)
#pragma warning(disable : 4722)
#endif
  [[noreturn]] ~ErrorBuilder() noexcept(false) {
    throw ::tvm::ffi::Error(kind_, stream_.str(), std::move(backtrace_));
  }
#if defined(_MSC_VER)
#pragma warning(pop)
#endif
  std::ostringstream& stream() { return stream_; }

 private:
  const char* kind_;
  std::string backtrace_;
  std::ostringstream stream_;
};

/*! \brief Store an error in the runtime's raised slot (the slot takes its own reference). */
inline void SetSafeCallRaised(const Error& error) {
  TVMFFIErrorSetRaised(ObjectUnsafe::GetHandle(error));
}

/*! \brief Take the raised error out of the runtime's slot. */
inline Error MoveFromSafeCallRaised() {
  TVMFFIObjectHandle handle = nullptr;
  TVMFFIErrorMoveFromRaised(&handle);
  if (handle == nullptr) {
    return Error("InternalError", "a call failed but no error was raised", std::string());
  }
  return Error(ObjectUnsafe::ObjectPtrFromOwned<Object>(static_cast<Object*>(
      ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(handle)))));
}

template <typename T, typename = void>
struct IsStreamable : std::false_type {};
template <typename T>
struct IsStreamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

template <typename T>
inline void PrintCheckValue(std::ostream& os, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    os << (v ? "true" : "false");
  } else if constexpr (std::is_integral_v<T> && sizeof(T) == 1) {
    os << static_cast<int>(v);
  } else if constexpr (IsStreamable<T>::value) {
    os << v;
  } else {
    os << "<value>";
  }
}

template <typename X, typename Y>
TVM_FFI_NO_INLINE std::unique_ptr<std::string> CheckFailMessage(const X& x, const Y& y) {
  std::ostringstream os;
  os << " (";
  PrintCheckValue(os, x);
  os << " vs. ";
  PrintCheckValue(os, y);
  os << ")";
  return std::make_unique<std::string>(os.str());
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#elif defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wsign-compare"
#endif
#define TVM_FFI_DEFINE_CHECK_FUNC_(name, op)                                          \
  template <typename X, typename Y>                                                   \
  inline std::unique_ptr<std::string> Check##name(const X& x, const Y& y) {           \
    if (x op y) return nullptr;                                                       \
    return CheckFailMessage(x, y);                                                    \
  }
TVM_FFI_DEFINE_CHECK_FUNC_(EQ, ==)
TVM_FFI_DEFINE_CHECK_FUNC_(NE, !=)
TVM_FFI_DEFINE_CHECK_FUNC_(LT, <)
TVM_FFI_DEFINE_CHECK_FUNC_(LE, <=)
TVM_FFI_DEFINE_CHECK_FUNC_(GT, >)
TVM_FFI_DEFINE_CHECK_FUNC_(GE, >=)
#undef TVM_FFI_DEFINE_CHECK_FUNC_
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#elif defined(__clang__)
#pragma clang diagnostic pop
#endif

}  // namespace details
}  // namespace ffi
}  // namespace tvm

/*!
 * \brief Throw an Error of the given kind; stream the message into it:
 *   TVM_FFI_THROW(ValueError) << "bad value " << x;
 * The error carries the runtime backtrace of this file and line.
 */
#define TVM_FFI_THROW(ErrorKind)                                                       \
  ::tvm::ffi::details::ErrorBuilder(#ErrorKind, __FILE__, __LINE__, TVM_FFI_FUNC_SIG) \
      .stream()

/*! \brief Throw an Error whose kind is a runtime string. */
#define TVM_FFI_THROW_KIND(kind_str) \
  ::tvm::ffi::details::ErrorBuilder((kind_str), __FILE__, __LINE__, TVM_FFI_FUNC_SIG).stream()

/*! \brief If cond is false, throw ErrorKind with "Check failed: (cond) is false: " + message. */
#define TVM_FFI_CHECK(cond, ErrorKind)   \
  if (TVM_FFI_PREDICT_TRUE(cond)) {      \
  } else                                 \
    TVM_FFI_THROW(ErrorKind) << "Check failed: (" #cond ") is false: "

/*! \brief Internal invariant check: throws InternalError when cond is false. */
#define TVM_FFI_ICHECK(cond) TVM_FFI_CHECK(cond, InternalError)

#define TVM_FFI_ICHECK_BINARY_OP_(name, op, x, y)                                          \
  if (auto __tvm_ffi_check_fail = ::tvm::ffi::details::Check##name((x), (y));              \
      TVM_FFI_PREDICT_TRUE(!__tvm_ffi_check_fail)) {                                       \
  } else                                                                                   \
    TVM_FFI_THROW(InternalError) << "Check failed: " #x " " #op " " #y << *__tvm_ffi_check_fail \
                                 << ": "

#define TVM_FFI_ICHECK_EQ(x, y) TVM_FFI_ICHECK_BINARY_OP_(EQ, ==, x, y)
#define TVM_FFI_ICHECK_NE(x, y) TVM_FFI_ICHECK_BINARY_OP_(NE, !=, x, y)
#define TVM_FFI_ICHECK_LT(x, y) TVM_FFI_ICHECK_BINARY_OP_(LT, <, x, y)
#define TVM_FFI_ICHECK_LE(x, y) TVM_FFI_ICHECK_BINARY_OP_(LE, <=, x, y)
#define TVM_FFI_ICHECK_GT(x, y) TVM_FFI_ICHECK_BINARY_OP_(GT, >, x, y)
#define TVM_FFI_ICHECK_GE(x, y) TVM_FFI_ICHECK_BINARY_OP_(GE, >=, x, y)
#define TVM_FFI_ICHECK_NOTNULL(x)                                                   \
  if (TVM_FFI_PREDICT_TRUE((x) != nullptr)) {                                       \
  } else                                                                            \
    TVM_FFI_THROW(InternalError) << "Check not null: " #x " is null: "

#ifdef NDEBUG
#define TVM_FFI_DCHECK(x) \
  while (false) TVM_FFI_ICHECK(x)
#define TVM_FFI_DCHECK_EQ(x, y) \
  while (false) TVM_FFI_ICHECK_EQ(x, y)
#define TVM_FFI_DCHECK_NE(x, y) \
  while (false) TVM_FFI_ICHECK_NE(x, y)
#define TVM_FFI_DCHECK_LT(x, y) \
  while (false) TVM_FFI_ICHECK_LT(x, y)
#define TVM_FFI_DCHECK_LE(x, y) \
  while (false) TVM_FFI_ICHECK_LE(x, y)
#define TVM_FFI_DCHECK_GT(x, y) \
  while (false) TVM_FFI_ICHECK_GT(x, y)
#define TVM_FFI_DCHECK_GE(x, y) \
  while (false) TVM_FFI_ICHECK_GE(x, y)
#else
#define TVM_FFI_DCHECK(x) TVM_FFI_ICHECK(x)
#define TVM_FFI_DCHECK_EQ(x, y) TVM_FFI_ICHECK_EQ(x, y)
#define TVM_FFI_DCHECK_NE(x, y) TVM_FFI_ICHECK_NE(x, y)
#define TVM_FFI_DCHECK_LT(x, y) TVM_FFI_ICHECK_LT(x, y)
#define TVM_FFI_DCHECK_LE(x, y) TVM_FFI_ICHECK_LE(x, y)
#define TVM_FFI_DCHECK_GT(x, y) TVM_FFI_ICHECK_GT(x, y)
#define TVM_FFI_DCHECK_GE(x, y) TVM_FFI_ICHECK_GE(x, y)
#endif

/*!
 * \brief Open a safe-call region. Pair with TVM_FFI_SAFE_CALL_END() in a function returning
 * int: 0 on success; -1 with the error stored in the runtime's raised slot on exception.
 */
#define TVM_FFI_SAFE_CALL_BEGIN() try {
/*! \brief Close a safe-call region (see TVM_FFI_SAFE_CALL_BEGIN). */
#define TVM_FFI_SAFE_CALL_END()                                                              \
  return 0;                                                                                  \
  }                                                                                          \
  catch (const ::tvm::ffi::Error& __tvm_ffi_err) {                                           \
    ::tvm::ffi::details::SetSafeCallRaised(__tvm_ffi_err);                                   \
    return -1;                                                                               \
  }                                                                                          \
  catch (const std::exception& __tvm_ffi_ex) {                                               \
    ::tvm::ffi::details::SetSafeCallRaised(                                                  \
        ::tvm::ffi::Error("InternalError", __tvm_ffi_ex.what(), std::string()));             \
    return -1;                                                                               \
  }                                                                                          \
  catch (...) {                                                                              \
    TVMFFIErrorSetRaisedFromCStr("InternalError", "unknown C++ exception");                  \
    return -1;                                                                               \
  }                                                                                          \
  TVM_FFI_UNREACHABLE()

/*! \brief Call a C API function; on non-zero return rethrow the raised error as C++. */
#define TVM_FFI_CHECK_SAFE_CALL(func)                                  \
  {                                                                    \
    int __tvm_ffi_ret_code = (func);                                   \
    if (TVM_FFI_PREDICT_FALSE(__tvm_ffi_ret_code != 0)) {              \
      throw ::tvm::ffi::details::MoveFromSafeCallRaised();             \
    }                                                                  \
  }

#endif  // TVM_FFI_ERROR_H_
