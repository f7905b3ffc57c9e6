/*
 * tvm-ffi-orcjit C++ authoring API: String and Bytes.
 *
 * Both hold one 16-byte TVMFFIAny: values of length <= 7 are stored inline
 * (kTVMFFISmallStr / kTVMFFISmallBytes, length in small_str_len, NUL at byte `len`), longer
 * ones are heap objects (kTVMFFIStr / kTVMFFIBytes): the 24-byte header, then the
 * TVMFFIByteArray {data, size} cell at offset 24, then the bytes themselves, NUL-terminated.
 * Strings are built inline; no C API call is needed.
 */
#ifndef TVM_FFI_STRING_H_
#define TVM_FFI_STRING_H_

#include <tvm/ffi/base_details.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace tvm {
namespace ffi {

/*! \brief Heap string/bytes object: header + {data, size} + inline bytes. */
class BytesObjBase : public Object, public TVMFFIByteArray {};

class StringObj : public BytesObjBase {
 public:
  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.String", kTVMFFIStr, StringObj, Object)
};

class BytesObj : public BytesObjBase {
 public:
  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Bytes", kTVMFFIBytes, BytesObj, Object)
};

static_assert(sizeof(StringObj) == 40, "StringObj layout");

namespace details {

constexpr size_t kMaxSmallBytesLen = 7;

/*! \brief Fill `out` (owned) with bytes of the given kinds; allocates when longer than 7. */
template <typename TObj>
inline void MakeOwnedBytesAny(const char* data, size_t size, int32_t small_index,
                              TVMFFIAny* out) {
  if (size <= kMaxSmallBytesLen) {
    out->type_index = small_index;
    out->small_str_len = static_cast<uint32_t>(size);
    out->v_int64 = 0;
    if (size != 0) std::memcpy(out->v_bytes, data, size);
    return;
  }
  ObjectPtr<TObj> obj = make_inplace_array_object<TObj, char>(size + 1);
  char* dest = reinterpret_cast<char*>(obj.get()) + sizeof(TObj);
  std::memcpy(dest, data, size);
  dest[size] = '\0';
  obj->data = dest;
  obj->size = size;
  out->type_index = TObj::RuntimeTypeIndex();
  out->zero_padding = 0;
  out->v_int64 = 0;
  out->v_obj = ObjectUnsafe::MoveObjectPtrToHandle(std::move(obj));
}

/*! \brief Common storage of String and Bytes. */
template <int32_t kSmallIndex, int32_t kObjIndex, typename TObj>
class BytesBase {
 public:
  BytesBase() { InitEmpty(); }
  BytesBase(const char* data, size_t size) {
    MakeOwnedBytesAny<TObj>(data, size, kSmallIndex, &data_);
  }
  BytesBase(const BytesBase& other) : data_(other.data_) {
    if (IsObj()) IncRefObjectHandle(data_.v_obj);
  }
  BytesBase(BytesBase&& other) noexcept : data_(other.data_) { other.InitEmpty(); }
  BytesBase& operator=(const BytesBase& other) {
    BytesBase(other).swap(*this);
    return *this;
  }
  BytesBase& operator=(BytesBase&& other) noexcept {
    BytesBase(std::move(other)).swap(*this);
    return *this;
  }
  ~BytesBase() {
    if (IsObj()) DecRefObjectHandle(data_.v_obj);
  }
  void swap(BytesBase& other) noexcept { std::swap(data_, other.data_); }

  const char* data() const {
    if (IsObj()) return TVMFFIBytesGetByteArrayPtr(data_.v_obj)->data;
    return data_.v_bytes;
  }
  size_t size() const {
    if (IsObj()) return TVMFFIBytesGetByteArrayPtr(data_.v_obj)->size;
    return data_.small_str_len;
  }
  size_t length() const { return size(); }
  bool empty() const { return size() == 0; }
  char at(size_t i) const {
    if (i >= size()) {
      TVM_FFI_THROW(IndexError) << "index " << i << " out of range for size " << size();
    }
    return data()[i];
  }
  char operator[](size_t i) const { return data()[i]; }
  operator std::string() const { return std::string(data(), size()); }  // NOLINT
  operator std::string_view() const { return std::string_view(data(), size()); }  // NOLINT
  std::string_view view() const { return std::string_view(data(), size()); }
  int compare(std::string_view other) const { return view().compare(other); }

 protected:
  bool IsObj() const { return data_.type_index >= kTVMFFIStaticObjectBegin; }
  void InitEmpty() {
    data_.type_index = kSmallIndex;
    data_.small_str_len = 0;
    data_.v_int64 = 0;
  }
  /*! \brief Adopt an owned value (SmallStr/Str or SmallBytes/Bytes). */
  void AdoptOwned(const TVMFFIAny& v) {
    if (IsObj()) DecRefObjectHandle(data_.v_obj);
    data_ = v;
  }

  TVMFFIAny data_;

  friend struct StringUnsafe;
};

}  // namespace details

/*!
 * \brief Immutable UTF-8 string value (small-string optimized). Accepts const char*,
 * std::string, std::string_view.
 */
class String : public details::BytesBase<kTVMFFISmallStr, kTVMFFIStr, StringObj> {
  using Base = details::BytesBase<kTVMFFISmallStr, kTVMFFIStr, StringObj>;

 public:
  String() = default;
  String(const char* str) : Base(str, std::strlen(str)) {}    // NOLINT (strlen: g++ folds it for literals)
  String(const char* data, size_t size) : Base(data, size) {}
  String(const std::string& str) : Base(str.data(), str.size()) {}  // NOLINT
  String(std::string_view str) : Base(str.data(), str.size()) {}    // NOLINT
  String(std::nullptr_t) = delete;

  /*! \brief NUL-terminated contents. */
  const char* c_str() const { return data(); }

  String& operator+=(std::string_view other) {
    std::string s(data(), size());
    s.append(other.data(), other.size());
    *this = String(s);
    return *this;
  }

  /*! \brief Compute a hash of the bytes (FNV-1a 64). */
  static uint64_t HashBytes(const char* data, size_t size) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; ++i) {
      h ^= static_cast<unsigned char>(data[i]);
      h *= 0x100000001b3ull;
    }
    return h;
  }
};

/*! \brief Immutable byte string (small-bytes optimized). */
class Bytes : public details::BytesBase<kTVMFFISmallBytes, kTVMFFIBytes, BytesObj> {
  using Base = details::BytesBase<kTVMFFISmallBytes, kTVMFFIBytes, BytesObj>;

 public:
  Bytes() = default;
  Bytes(const char* data, size_t size) : Base(data, size) {}
  Bytes(const std::string& str) : Base(str.data(), str.size()) {}  // NOLINT
  Bytes(std::string_view str) : Base(str.data(), str.size()) {}    // NOLINT
  Bytes(const TVMFFIByteArray& arr) : Base(arr.data, arr.size) {}  // NOLINT
};

namespace details {
/*! \brief Raw access used by the Any conversions. */
struct StringUnsafe {
  template <typename T>
  static const TVMFFIAny& Raw(const T& s) {
    return s.data_;
  }
  template <typename T>
  static TVMFFIAny MoveToRaw(T&& s) {
    TVMFFIAny v = s.data_;
    s.InitEmpty();
    return v;
  }
  /*! \brief Adopt an owned raw value of the right kind. */
  template <typename T>
  static T FromOwnedRaw(const TVMFFIAny& v) {
    T out;
    out.AdoptOwned(v);
    return out;
  }
  /*! \brief Copy from a borrowed raw value of the right kind (IncRef if heap). */
  template <typename T>
  static T FromBorrowedRaw(const TVMFFIAny& v) {
    T out;
    if (v.type_index >= kTVMFFIStaticObjectBegin) IncRefObjectHandle(v.v_obj);
    out.AdoptOwned(v);
    return out;
  }
};
}  // namespace details

// ---- comparisons and concatenation ----
#define TVM_FFI_DEFINE_STRING_CMP_(T, U)                                                     \
  inline bool operator==(const T& a, const U& b) { return std::string_view(a) == std::string_view(b); } \
  inline bool operator!=(const T& a, const U& b) { return std::string_view(a) != std::string_view(b); } \
  inline bool operator<(const T& a, const U& b) { return std::string_view(a) < std::string_view(b); }   \
  inline bool operator>(const T& a, const U& b) { return std::string_view(a) > std::string_view(b); }   \
  inline bool operator<=(const T& a, const U& b) { return std::string_view(a) <= std::string_view(b); } \
  inline bool operator>=(const T& a, const U& b) { return std::string_view(a) >= std::string_view(b); }
TVM_FFI_DEFINE_STRING_CMP_(String, String)
TVM_FFI_DEFINE_STRING_CMP_(String, std::string)
TVM_FFI_DEFINE_STRING_CMP_(std::string, String)
TVM_FFI_DEFINE_STRING_CMP_(String, std::string_view)
TVM_FFI_DEFINE_STRING_CMP_(std::string_view, String)
TVM_FFI_DEFINE_STRING_CMP_(Bytes, Bytes)
#undef TVM_FFI_DEFINE_STRING_CMP_
inline bool operator==(const String& a, const char* b) { return a.view() == std::string_view(b); }
inline bool operator!=(const String& a, const char* b) { return a.view() != std::string_view(b); }
inline bool operator==(const char* a, const String& b) { return std::string_view(a) == b.view(); }
inline bool operator!=(const char* a, const String& b) { return std::string_view(a) != b.view(); }

inline String operator+(const String& a, const String& b) {
  std::string s(a.data(), a.size());
  s.append(b.data(), b.size());
  return String(s);
}
inline String operator+(const String& a, const std::string& b) { return a + String(b); }
inline String operator+(const std::string& a, const String& b) { return String(a) + b; }
inline String operator+(const String& a, const char* b) { return a + String(b); }
inline String operator+(const char* a, const String& b) { return String(a) + b; }

inline std::ostream& operator<<(std::ostream& os, const String& s) {
  return os.write(s.data(), static_cast<std::streamsize>(s.size()));
}
inline std::ostream& operator<<(std::ostream& os, const Bytes& s) {
  return os.write(s.data(), static_cast<std::streamsize>(s.size()));
}

}  // namespace ffi
}  // namespace tvm

namespace std {
template <>
struct hash<::tvm::ffi::String> {
  size_t operator()(const ::tvm::ffi::String& s) const {
    return std::hash<std::string_view>()(s.view());
  }
};
template <>
struct hash<::tvm::ffi::Bytes> {
  size_t operator()(const ::tvm::ffi::Bytes& s) const {
    return std::hash<std::string_view>()(s.view());
  }
};
}  // namespace std

#endif  // TVM_FFI_STRING_H_
