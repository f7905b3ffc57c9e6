/*
 * tvm-ffi-orcjit C++ authoring API: Any (owned value), AnyView (borrowed value) and the
 * TypeTraits that convert C++ types to and from the 16-byte TVMFFIAny.
 *
 * Conversions accepted from a value (used for function arguments and Any::cast):
 *   int types  <- Int, Bool            bool   <- Bool, Int          float/double <- Float, Int, Bool
 *   String, std::string, const char* <- RawStr, SmallStr, Str (std::string also Bytes/ByteArrayPtr)
 *   Bytes      <- ByteArrayPtr, SmallBytes, Bytes
 *   DLDataType <- DataType, or a dtype string ("float32")
 *   DLDevice   <- Device, or a device string ("cpu", "cuda:1")
 *   DLTensor*  <- DLTensorPtr, Tensor object                    void* <- OpaquePtr, None
 *   ObjectRef subclasses <- an object of that type (or a subclass), ObjectRValueRef; None if nullable
 */
#ifndef TVM_FFI_ANY_H_
#define TVM_FFI_ANY_H_

#include <tvm/ffi/base_details.h>
#include <tvm/ffi/device.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/string.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

/*!
 * \brief Conversion traits of a C++ type T. Enabled specializations provide:
 *   static constexpr bool convert_enabled = true;
 *   static constexpr int32_t field_static_type_index;      // for reflection
 *   static void CopyToAnyView(const T& src, TVMFFIAny* out);  // borrowed view
 *   static void MoveToAny(T src, TVMFFIAny* out);             // owned (+1 ref for objects)
 *   static std::optional<T> TryCastFromAnyView(const TVMFFIAny* src);
 *   static bool CheckAnyStrict(const TVMFFIAny* src);         // stored exactly as T stores it
 *   static std::string TypeStr();
 */
template <typename T, typename = void>
struct TypeTraits {
  static constexpr bool convert_enabled = false;
};

namespace details {
template <typename T>
using NormalizeTraitType =
    std::conditional_t<std::is_same_v<std::decay_t<T>, char*>, const char*, std::decay_t<T>>;
}  // namespace details

/*! \brief TypeTraits of T without cv/ref qualifiers (char arrays map to const char*). */
template <typename T>
using TypeTraitsNoCR = TypeTraits<details::NormalizeTraitType<T>>;

class Any;
class AnyView;

namespace details {
template <typename T>
inline constexpr bool IsAnyLike =
    std::is_same_v<std::decay_t<T>, Any> || std::is_same_v<std::decay_t<T>, AnyView>;

inline void SetNone(TVMFFIAny* out) {
  out->type_index = kTVMFFINone;
  out->zero_padding = 0;
  out->v_int64 = 0;
}

inline bool IsStringIndex(int32_t t) {
  return t == kTVMFFIRawStr || t == kTVMFFISmallStr || t == kTVMFFIStr;
}

/*! \brief (data, size) of a string-like or bytes-like value; false if it is neither. */
inline bool GetBytesView(const TVMFFIAny* src, const char** data, size_t* size, bool allow_str,
                         bool allow_bytes) {
  switch (src->type_index) {
    case kTVMFFIRawStr:
      if (!allow_str) return false;
      *data = src->v_c_str;
      *size = CStrLen(src->v_c_str);
      return true;
    case kTVMFFISmallStr:
      if (!allow_str) return false;
      *data = src->v_bytes;
      *size = src->small_str_len;
      return true;
    case kTVMFFIStr:
      if (!allow_str) return false;
      *data = TVMFFIBytesGetByteArrayPtr(src->v_obj)->data;
      *size = TVMFFIBytesGetByteArrayPtr(src->v_obj)->size;
      return true;
    case kTVMFFIByteArrayPtr:
      if (!allow_bytes) return false;
      *data = static_cast<const TVMFFIByteArray*>(src->v_ptr)->data;
      *size = static_cast<const TVMFFIByteArray*>(src->v_ptr)->size;
      return true;
    case kTVMFFISmallBytes:
      if (!allow_bytes) return false;
      *data = src->v_bytes;
      *size = src->small_str_len;
      return true;
    case kTVMFFIBytes:
      if (!allow_bytes) return false;
      *data = TVMFFIBytesGetByteArrayPtr(src->v_obj)->data;
      *size = TVMFFIBytesGetByteArrayPtr(src->v_obj)->size;
      return true;
    default:
      return false;
  }
}

/*! \brief The object behind a value (objects and ObjectRValueRef), or nullptr. */
inline TVMFFIObject* GetObjectOfAny(const TVMFFIAny* src) {
  if (src->type_index >= kTVMFFIStaticObjectBegin) return src->v_obj;
  if (src->type_index == kTVMFFIObjectRValueRef && src->v_ptr != nullptr) {
    return *static_cast<TVMFFIObject**>(src->v_ptr);
  }
  return nullptr;
}

/*! \brief Type name shown in signatures and error messages. */
template <typename T>
inline std::string Type2Str();
}  // namespace details

// ------------------------------------------------------------------------------------------
// POD traits
// ------------------------------------------------------------------------------------------

template <>
struct TypeTraits<std::nullptr_t> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFINone;
  static void CopyToAnyView(const std::nullptr_t&, TVMFFIAny* out) { details::SetNone(out); }
  static void MoveToAny(std::nullptr_t, TVMFFIAny* out) { details::SetNone(out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) { return src->type_index == kTVMFFINone; }
  static std::optional<std::nullptr_t> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFINone) return nullptr;
    return std::nullopt;
  }
  static std::string TypeStr() { return "None"; }
};

template <typename Int>
struct TypeTraits<Int, std::enable_if_t<(std::is_integral_v<Int> && !std::is_same_v<Int, bool>) ||
                                        std::is_enum_v<Int>>> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIInt;
  static void CopyToAnyView(const Int& src, TVMFFIAny* out) {
    out->type_index = kTVMFFIInt;
    out->zero_padding = 0;
    out->v_int64 = static_cast<int64_t>(src);
  }
  static void MoveToAny(Int src, TVMFFIAny* out) { CopyToAnyView(src, out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) { return src->type_index == kTVMFFIInt; }
  static std::optional<Int> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIInt || src->type_index == kTVMFFIBool) {
      return static_cast<Int>(src->v_int64);
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "int"; }
};

template <>
struct TypeTraits<bool> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIBool;
  static void CopyToAnyView(const bool& src, TVMFFIAny* out) {
    out->type_index = kTVMFFIBool;
    out->zero_padding = 0;
    out->v_int64 = src ? 1 : 0;
  }
  static void MoveToAny(bool src, TVMFFIAny* out) { CopyToAnyView(src, out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) { return src->type_index == kTVMFFIBool; }
  static std::optional<bool> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIBool || src->type_index == kTVMFFIInt) {
      return src->v_int64 != 0;
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "bool"; }
};

template <typename Float>
struct TypeTraits<Float, std::enable_if_t<std::is_floating_point_v<Float>>> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIFloat;
  static void CopyToAnyView(const Float& src, TVMFFIAny* out) {
    out->type_index = kTVMFFIFloat;
    out->zero_padding = 0;
    out->v_float64 = static_cast<double>(src);
  }
  static void MoveToAny(Float src, TVMFFIAny* out) { CopyToAnyView(src, out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) { return src->type_index == kTVMFFIFloat; }
  static std::optional<Float> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIFloat) return static_cast<Float>(src->v_float64);
    if (src->type_index == kTVMFFIInt || src->type_index == kTVMFFIBool) {
      return static_cast<Float>(src->v_int64);
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "float"; }
};

template <>
struct TypeTraits<void*> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIOpaquePtr;
  static void CopyToAnyView(void* const& src, TVMFFIAny* out) {
    if (src == nullptr) {
      details::SetNone(out);
      return;
    }
    out->type_index = kTVMFFIOpaquePtr;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_ptr = src;
  }
  static void MoveToAny(void* src, TVMFFIAny* out) { CopyToAnyView(src, out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index == kTVMFFIOpaquePtr || src->type_index == kTVMFFINone;
  }
  static std::optional<void*> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIOpaquePtr) return src->v_ptr;
    if (src->type_index == kTVMFFINone) return static_cast<void*>(nullptr);
    return std::nullopt;
  }
  static std::string TypeStr() { return "void*"; }
};

template <>
struct TypeTraits<DLDataType> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIDataType;
  static void CopyToAnyView(const DLDataType& src, TVMFFIAny* out) {
    out->type_index = kTVMFFIDataType;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_dtype = src;
  }
  static void MoveToAny(DLDataType src, TVMFFIAny* out) { CopyToAnyView(src, out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) { return src->type_index == kTVMFFIDataType; }
  static std::optional<DLDataType> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIDataType) return src->v_dtype;
    const char* data;
    size_t size;
    if (details::GetBytesView(src, &data, &size, true, false)) {
      TVMFFIByteArray arr = details::MakeByteArray(data, size);
      DLDataType dtype;
      TVM_FFI_CHECK_SAFE_CALL(TVMFFIDataTypeFromString(&arr, &dtype));
      return dtype;
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "DataType"; }
};

template <>
struct TypeTraits<DLDevice> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIDevice;
  static void CopyToAnyView(const DLDevice& src, TVMFFIAny* out) {
    out->type_index = kTVMFFIDevice;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_device = src;
  }
  static void MoveToAny(DLDevice src, TVMFFIAny* out) { CopyToAnyView(src, out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) { return src->type_index == kTVMFFIDevice; }
  static std::optional<DLDevice> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIDevice) return src->v_device;
    const char* data;
    size_t size;
    if (details::GetBytesView(src, &data, &size, true, false)) {
      return details::TryStringViewToDLDevice(std::string_view(data, size));  // "cuda:1"
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "Device"; }
};

template <>
struct TypeTraits<DLTensor*> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIDLTensorPtr;
  static void CopyToAnyView(DLTensor* const& src, TVMFFIAny* out) {
    if (src == nullptr) {
      details::SetNone(out);
      return;
    }
    out->type_index = kTVMFFIDLTensorPtr;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_ptr = src;
  }
  static void MoveToAny(DLTensor* src, TVMFFIAny* out) { CopyToAnyView(src, out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index == kTVMFFIDLTensorPtr;
  }
  static std::optional<DLTensor*> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIDLTensorPtr) return static_cast<DLTensor*>(src->v_ptr);
    if (src->type_index == kTVMFFITensor) return TVMFFITensorGetDLTensorPtr(src->v_obj);
    if (src->type_index == kTVMFFINone) return static_cast<DLTensor*>(nullptr);
    return std::nullopt;
  }
  static std::string TypeStr() { return "DLTensor*"; }
};

// ------------------------------------------------------------------------------------------
// Strings
// ------------------------------------------------------------------------------------------

template <>
struct TypeTraits<String> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIStr;
  static void CopyToAnyView(const String& src, TVMFFIAny* out) {
    *out = details::StringUnsafe::Raw(src);
  }
  static void MoveToAny(String src, TVMFFIAny* out) {
    *out = details::StringUnsafe::MoveToRaw(src);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index == kTVMFFISmallStr || src->type_index == kTVMFFIStr;
  }
  static std::optional<String> TryCastFromAnyView(const TVMFFIAny* src) {
    if (CheckAnyStrict(src)) return details::StringUnsafe::FromBorrowedRaw<String>(*src);
    if (src->type_index == kTVMFFIRawStr) return String(src->v_c_str);
    if (src->type_index == kTVMFFIByteArrayPtr) {
      const TVMFFIByteArray* arr = static_cast<const TVMFFIByteArray*>(src->v_ptr);
      return String(arr->data, arr->size);
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "str"; }
};

template <>
struct TypeTraits<Bytes> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIBytes;
  static void CopyToAnyView(const Bytes& src, TVMFFIAny* out) {
    *out = details::StringUnsafe::Raw(src);
  }
  static void MoveToAny(Bytes src, TVMFFIAny* out) {
    *out = details::StringUnsafe::MoveToRaw(src);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index == kTVMFFISmallBytes || src->type_index == kTVMFFIBytes;
  }
  static std::optional<Bytes> TryCastFromAnyView(const TVMFFIAny* src) {
    if (CheckAnyStrict(src)) return details::StringUnsafe::FromBorrowedRaw<Bytes>(*src);
    if (src->type_index == kTVMFFIByteArrayPtr) {
      const TVMFFIByteArray* arr = static_cast<const TVMFFIByteArray*>(src->v_ptr);
      return Bytes(arr->data, arr->size);
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "bytes"; }
};

template <>
struct TypeTraits<std::string> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIStr;
  static void CopyToAnyView(const std::string& src, TVMFFIAny* out) {
    out->type_index = kTVMFFIRawStr;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_c_str = src.c_str();
  }
  static void MoveToAny(std::string src, TVMFFIAny* out) {
    details::MakeOwnedBytesAny<StringObj>(src.data(), src.size(), kTVMFFISmallStr, out);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index == kTVMFFISmallStr || src->type_index == kTVMFFIStr;
  }
  static std::optional<std::string> TryCastFromAnyView(const TVMFFIAny* src) {
    const char* data;
    size_t size;
    if (details::GetBytesView(src, &data, &size, true, true)) return std::string(data, size);
    return std::nullopt;
  }
  static std::string TypeStr() { return "str"; }
};

template <>
struct TypeTraits<const char*> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIStr;
  static void CopyToAnyView(const char* const& src, TVMFFIAny* out) {
    if (src == nullptr) {
      details::SetNone(out);
      return;
    }
    out->type_index = kTVMFFIRawStr;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_c_str = src;
  }
  static void MoveToAny(const char* src, TVMFFIAny* out) {
    if (src == nullptr) {
      details::SetNone(out);
      return;
    }
    details::MakeOwnedBytesAny<StringObj>(src, details::CStrLen(src), kTVMFFISmallStr, out);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) { return src->type_index == kTVMFFIRawStr; }
  /*! \note For a SmallStr the pointer points into *src; keep the value alive while using it. */
  static std::optional<const char*> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIRawStr) return src->v_c_str;
    if (src->type_index == kTVMFFISmallStr) return static_cast<const char*>(src->v_bytes);
    if (src->type_index == kTVMFFIStr) return TVMFFIBytesGetByteArrayPtr(src->v_obj)->data;
    return std::nullopt;
  }
  static std::string TypeStr() { return "str"; }
};

// ------------------------------------------------------------------------------------------
// Object references
// ------------------------------------------------------------------------------------------

namespace details {
template <typename T, typename = void>
struct HasCustomTypeTraits : std::false_type {};
template <typename T>
struct HasCustomTypeTraits<T, std::void_t<typename T::_ffi_custom_type_traits>> : std::true_type {};
}  // namespace details

/*! \brief Generic traits of ObjectRef subclasses (IntPair, Function, Tensor, Error, ...). */
namespace details {
/*!
 * \brief CopyToAnyView / MoveToAny of a reference type that is always stored under one static
 *  type index (Array, List, Map, Dict, Tuple, Shape): their TypeTraits derive from this.
 */
template <typename Ref, int32_t kTypeIndex>
struct StaticIndexRefTraits {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTypeIndex;
  static void CopyToAnyView(const Ref& src, TVMFFIAny* out) {
    Store(ObjectUnsafe::GetHandle(src), out);
  }
  static void MoveToAny(Ref src, TVMFFIAny* out) {
    Store(ObjectUnsafe::MoveObjectRefToHandle(std::move(src)), out);
  }

 private:
  static void Store(TVMFFIObject* h, TVMFFIAny* out) {
    if (h == nullptr) return SetNone(out);
    out->type_index = kTypeIndex;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_obj = h;
  }
};
}  // namespace details

template <typename TObjRef>
struct TypeTraits<TObjRef, std::enable_if_t<std::is_base_of_v<ObjectRef, TObjRef> &&
                                            !details::HasCustomTypeTraits<TObjRef>::value>> {
  using ContainerType = typename TObjRef::ContainerType;
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIObject;
  static void CopyToAnyView(const TObjRef& src, TVMFFIAny* out) {
    TVMFFIObject* h = details::ObjectUnsafe::GetHandle(src);
    if (h == nullptr) {
      details::SetNone(out);
      return;
    }
    out->type_index = h->type_index;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_obj = h;
  }
  static void MoveToAny(TObjRef src, TVMFFIAny* out) {
    TVMFFIObject* h = details::ObjectUnsafe::MoveObjectRefToHandle(std::move(src));
    if (h == nullptr) {
      details::SetNone(out);
      return;
    }
    out->type_index = h->type_index;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_obj = h;
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFINone) return TObjRef::_type_is_nullable;
    return src->type_index >= kTVMFFIStaticObjectBegin &&
           details::IsInstanceOfIndex<ContainerType>(src->type_index);
  }
  static std::optional<TObjRef> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFINone) {
      if constexpr (TObjRef::_type_is_nullable) return TObjRef(UnsafeInit{});
      return std::nullopt;
    }
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj != nullptr && details::IsInstanceOfIndex<ContainerType>(obj->type_index)) {
      return details::ObjectUnsafe::ObjectRefFromUnowned<TObjRef>(
          details::ObjectUnsafe::ObjectFromHandle(obj));
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return ContainerType::_type_key; }
};

/*!
 * \brief Raw object pointers (`const MyObj*`, `MyObj*`): borrowed from the value (valid while it
 * lives, e.g. during a call); converting to Any takes a new reference.
 */
template <typename TPtr>
struct TypeTraits<TPtr, std::enable_if_t<std::is_pointer_v<TPtr> &&
                                         std::is_base_of_v<Object, std::remove_cv_t<std::remove_pointer_t<TPtr>>>>> {
  using ObjType = std::remove_cv_t<std::remove_pointer_t<TPtr>>;
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIObject;
  static void CopyToAnyView(const TPtr& src, TVMFFIAny* out) {
    if (src == nullptr) return details::SetNone(out);
    TVMFFIObject* h = details::ObjectUnsafe::GetHeader(src);
    out->type_index = h->type_index;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_obj = h;
  }
  static void MoveToAny(TPtr src, TVMFFIAny* out) {
    CopyToAnyView(src, out);
    if (src != nullptr) details::IncRefObjectHandle(out->v_obj);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index >= kTVMFFIStaticObjectBegin &&
           details::IsInstanceOfIndex<ObjType>(src->type_index);
  }
  static std::optional<TPtr> TryCastFromAnyView(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj != nullptr && details::IsInstanceOfIndex<ObjType>(obj->type_index)) {
      return static_cast<TPtr>(static_cast<ObjType*>(details::ObjectUnsafe::ObjectFromHandle(obj)));
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return ObjType::_type_key; }
};

// ------------------------------------------------------------------------------------------
// AnyView and Any
// ------------------------------------------------------------------------------------------

namespace details {
struct AnyUnsafe;

/*! \brief Type name of a value, as shown in mismatch messages ("str" for any string kind). */
inline std::string ArgTypeName(const TVMFFIAny* v) {
  switch (v->type_index) {
    case kTVMFFIRawStr:
    case kTVMFFISmallStr:
    case kTVMFFIStr:
      return "str";
    case kTVMFFIByteArrayPtr:
    case kTVMFFISmallBytes:
    case kTVMFFIBytes:
      return "bytes";
    case kTVMFFIObjectRValueRef: {
      TVMFFIObject* obj = GetObjectOfAny(v);
      return obj != nullptr ? TypeIndexToTypeKey(obj->type_index) : std::string("None");
    }
    default:
      return TypeIndexToTypeKey(v->type_index);
  }
}

template <typename T, typename = void>
struct HasMismatchTypeInfo : std::false_type {};
template <typename T>
struct HasMismatchTypeInfo<
    T, std::void_t<decltype(TypeTraitsNoCR<T>::GetMismatchTypeInfo(std::declval<const TVMFFIAny*>()))>>
    : std::true_type {};

/*!
 * \brief What a value that failed to convert to T actually is. Container traits provide
 * GetMismatchTypeInfo to name the offending element ("Array[index 1: float, expected str]");
 * other types get the value's type name.
 */
template <typename T>
inline std::string MismatchTypeInfo(const TVMFFIAny* src) {
  if constexpr (HasMismatchTypeInfo<T>::value) {
    return TypeTraitsNoCR<T>::GetMismatchTypeInfo(src);
  } else {
    return ArgTypeName(src);
  }
}

[[noreturn]] inline void ThrowCastError(const std::string& from, const std::string& to) {
  TVM_FFI_THROW(TypeError) << "Cannot convert from type `" << from << "` to `" << to << "`";
  TVM_FFI_UNREACHABLE();
}
}  // namespace details

/*! \brief A borrowed value: 16 bytes, no ownership. Valid while the source lives. */
class AnyView {
 public:
  AnyView() { details::SetNone(&data_); }
  AnyView(std::nullptr_t) { details::SetNone(&data_); }  // NOLINT
  AnyView(const AnyView&) = default;
  AnyView& operator=(const AnyView&) = default;
  inline AnyView(const Any& other);  // NOLINT
  template <typename T, typename = std::enable_if_t<!details::IsAnyLike<T> &&
                                                    !std::is_same_v<std::decay_t<T>, std::nullptr_t> &&
                                                    TypeTraitsNoCR<T>::convert_enabled>>
  AnyView(const T& value) {  // NOLINT
    TypeTraitsNoCR<T>::CopyToAnyView(value, &data_);
  }

  int32_t type_index() const { return data_.type_index; }
  std::string GetTypeKey() const { return details::TypeIndexToTypeKey(data_.type_index); }
  bool operator==(std::nullptr_t) const { return data_.type_index == kTVMFFINone; }
  bool operator!=(std::nullptr_t) const { return data_.type_index != kTVMFFINone; }

  template <typename T>
  inline std::optional<T> try_cast() const;
  template <typename T>
  inline T cast() const;
  template <typename T>
  inline auto as() const;

  const TVMFFIAny* raw() const { return &data_; }

 private:
  TVMFFIAny data_;
  friend struct details::AnyUnsafe;
  friend class Any;
};

/*! \brief An owned value: holds one strong reference when it stores an object. */
class Any {
 public:
  Any() { details::SetNone(&data_); }
  Any(std::nullptr_t) { details::SetNone(&data_); }  // NOLINT
  Any(const Any& other) : data_(other.data_) {
    if (data_.type_index >= kTVMFFIStaticObjectBegin) details::IncRefObjectHandle(data_.v_obj);
  }
  Any(Any&& other) noexcept : data_(other.data_) { details::SetNone(&other.data_); }
  /*! \brief Owned copy of a view: borrowed strings/bytes become String/Bytes, objects IncRef. */
  Any(const AnyView& view) {  // NOLINT
    const TVMFFIAny& v = view.data_;
    switch (v.type_index) {
      case kTVMFFIRawStr:
        details::MakeOwnedBytesAny<StringObj>(v.v_c_str, details::CStrLen(v.v_c_str),
                                              kTVMFFISmallStr, &data_);
        return;
      case kTVMFFIByteArrayPtr: {
        const TVMFFIByteArray* arr = static_cast<const TVMFFIByteArray*>(v.v_ptr);
        details::MakeOwnedBytesAny<BytesObj>(arr->data, arr->size, kTVMFFISmallBytes, &data_);
        return;
      }
      case kTVMFFIObjectRValueRef: {
        TVMFFIObject* obj = details::GetObjectOfAny(&v);
        if (obj == nullptr) {
          details::SetNone(&data_);
          return;
        }
        details::IncRefObjectHandle(obj);
        data_.type_index = obj->type_index;
        data_.zero_padding = 0;
        data_.v_int64 = 0;
        data_.v_obj = obj;
        return;
      }
      default:
        data_ = v;
        if (data_.type_index >= kTVMFFIStaticObjectBegin) {
          details::IncRefObjectHandle(data_.v_obj);
        }
        return;
    }
  }
  template <typename T, typename = std::enable_if_t<!details::IsAnyLike<T> &&
                                                    !std::is_same_v<std::decay_t<T>, std::nullptr_t> &&
                                                    TypeTraitsNoCR<T>::convert_enabled>>
  Any(T value) {  // NOLINT
    TypeTraitsNoCR<T>::MoveToAny(std::move(value), &data_);
  }
  ~Any() { reset(); }

  Any& operator=(const Any& other) {
    Any(other).swap(*this);
    return *this;
  }
  Any& operator=(Any&& other) noexcept {
    Any(std::move(other)).swap(*this);
    return *this;
  }
  template <typename T, typename = std::enable_if_t<!std::is_same_v<std::decay_t<T>, Any>>>
  Any& operator=(T&& other) {
    Any(std::forward<T>(other)).swap(*this);
    return *this;
  }

  void swap(Any& other) noexcept { std::swap(data_, other.data_); }
  void reset() {
    if (data_.type_index >= kTVMFFIStaticObjectBegin) {
      TVMFFIObject* obj = data_.v_obj;
      details::SetNone(&data_);
      details::DecRefObjectHandle(obj);
    } else {
      details::SetNone(&data_);
    }
  }

  int32_t type_index() const { return data_.type_index; }
  std::string GetTypeKey() const { return details::TypeIndexToTypeKey(data_.type_index); }
  bool operator==(std::nullptr_t) const { return data_.type_index == kTVMFFINone; }
  bool operator!=(std::nullptr_t) const { return data_.type_index != kTVMFFINone; }

  template <typename T>
  std::optional<T> try_cast() const {
    return AnyView(*this).try_cast<T>();
  }
  template <typename T>
  T cast() const {
    return AnyView(*this).cast<T>();
  }
  template <typename T>
  auto as() const {
    return AnyView(*this).as<T>();
  }

  const TVMFFIAny* raw() const { return &data_; }

 private:
  TVMFFIAny data_;
  friend struct details::AnyUnsafe;
  friend class AnyView;
};

static_assert(sizeof(Any) == sizeof(TVMFFIAny), "Any must be 16 bytes");
static_assert(sizeof(AnyView) == sizeof(TVMFFIAny), "AnyView must be 16 bytes");

inline AnyView::AnyView(const Any& other) : data_(other.data_) {}

namespace details {
/*! \brief Raw access to Any / AnyView storage. */
struct AnyUnsafe {
  static TVMFFIAny* Raw(Any* a) { return &a->data_; }
  static const TVMFFIAny* Raw(const Any& a) { return &a.data_; }
  static const TVMFFIAny* Raw(const AnyView& a) { return &a.data_; }
  /*! \brief Release the owned value to the caller. */
  static TVMFFIAny MoveToTVMFFIAny(Any&& a) {
    TVMFFIAny v = a.data_;
    SetNone(&a.data_);
    return v;
  }
  /*! \brief Adopt an owned value. */
  static Any FromOwned(const TVMFFIAny& v) {
    Any a;
    a.data_ = v;
    return a;
  }
  static AnyView ViewOf(const TVMFFIAny& v) {
    AnyView a;
    a.data_ = v;
    return a;
  }
};

/*! \brief Convert a value to T with conversions; nullopt if impossible. */
template <typename T>
inline std::optional<T> TryCastAnyView(const TVMFFIAny* src) {
  using U = std::decay_t<T>;
  if constexpr (std::is_same_v<U, Any>) {
    return Any(AnyUnsafe::ViewOf(*src));
  } else if constexpr (std::is_same_v<U, AnyView>) {
    return AnyUnsafe::ViewOf(*src);
  } else {
    static_assert(TypeTraitsNoCR<U>::convert_enabled, "type is not convertible to/from Any");
    return TypeTraitsNoCR<U>::TryCastFromAnyView(src);
  }
}

template <typename T>
inline std::string Type2Str() {
  using U = std::decay_t<T>;
  if constexpr (std::is_void_v<U>) {
    return "None";
  } else if constexpr (std::is_same_v<U, Any> || std::is_same_v<U, AnyView>) {
    return "Any";
  } else {
    return TypeTraitsNoCR<U>::TypeStr();
  }
}

/*! \brief True when TypeTraits<T> renders its own schema (parameterised types). */
template <typename T, typename = void>
struct HasTypeSchema : std::false_type {};
template <typename T>
struct HasTypeSchema<T, std::void_t<decltype(TypeTraitsNoCR<T>::TypeSchema())>> : std::true_type {};

/*!
 * \brief The type as export metadata JSON (apache/tvm-ffi's schema): {"type":"int"},
 * {"type":"ffi.Array","args":[{"type":"float"}]}, ... Leaves use the "ffi." names of the
 * runtime's container types.
 */
template <typename T>
inline std::string TypeSchemaJSON() {
  using U = std::decay_t<T>;
  if constexpr (std::is_void_v<U>) {
    return "{\"type\":\"None\"}";
  } else if constexpr (std::is_same_v<U, Any> || std::is_same_v<U, AnyView>) {
    return "{\"type\":\"Any\"}";
  } else if constexpr (HasTypeSchema<U>::value) {
    return TypeTraitsNoCR<U>::TypeSchema();
  } else {
    std::string s = TypeTraitsNoCR<U>::TypeStr();
    if (s == "str") s = "ffi.String";
    else if (s == "bytes") s = "ffi.Bytes";
    else if (s == "Tensor") s = "ffi.Tensor";
    else if (s == "Shape") s = "ffi.Shape";
    return "{\"type\":\"" + s + "\"}";
  }
}
}  // namespace details

template <typename T>
inline std::optional<T> AnyView::try_cast() const {
  return details::TryCastAnyView<T>(&data_);
}

template <typename T>
inline T AnyView::cast() const {
  std::optional<T> v = details::TryCastAnyView<T>(&data_);
  if (!v.has_value()) {
    std::string from;
    if constexpr (details::IsAnyLike<T>) {
      from = details::ArgTypeName(&data_);
    } else {
      from = details::MismatchTypeInfo<std::decay_t<T>>(&data_);
    }
    details::ThrowCastError(from, details::Type2Str<T>());
  }
  return std::move(*v);
}

template <typename T>
inline auto AnyView::as() const {
  if constexpr (std::is_base_of_v<Object, T>) {
    TVMFFIObject* obj = details::GetObjectOfAny(&data_);
    if (obj != nullptr && details::IsInstanceOfIndex<T>(obj->type_index)) {
      return static_cast<const T*>(details::ObjectUnsafe::ObjectFromHandle(obj));
    }
    return static_cast<const T*>(nullptr);
  } else {
    if (TypeTraitsNoCR<T>::CheckAnyStrict(&data_)) return details::TryCastAnyView<T>(&data_);
    return std::optional<T>();
  }
}

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_ANY_H_
