/*
 * tvm-ffi-orcjit C++ authoring API: Object, ObjectPtr, ObjectRef, make_object and the
 * type-information macros.
 *
 * Object layout: an Object is exactly the 24-byte TVMFFIObject header (no vtable); subclasses
 * put their fields right after it. The strong/weak reference count protocol below is inlined
 * into every user object file and follows TVM_FFI_ABI.md §1.4 exactly:
 *   - a new object starts at strong=1, weak=1 (0x0000000100000001);
 *   - increment: relaxed atomic +1 on the 64-bit word;
 *   - decrement: release fetch_sub(1); if the previous value was exactly 0x1_0000_0001:
 *     acquire fence, deleter(obj, Both); otherwise, if the previous strong part was 1:
 *     deleter(obj, Strong), then fetch_sub(1 << 32) and if that previous value was exactly
 *     1 << 32, deleter(obj, Weak). A NULL deleter is skipped.
 */
#ifndef TVM_FFI_OBJECT_H_
#define TVM_FFI_OBJECT_H_

#include <tvm/ffi/base_details.h>

#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#endif

namespace tvm {
namespace ffi {

/*! \brief Tag for constructors that leave a reference in an unchecked state. */
struct UnsafeInit {};

/*! \brief Static type indices (same values as TVMFFITypeIndex). */
struct TypeIndex {
  enum : int32_t {
    kTVMFFIAny = ::kTVMFFIAny,
    kTVMFFINone = ::kTVMFFINone,
    kTVMFFIInt = ::kTVMFFIInt,
    kTVMFFIBool = ::kTVMFFIBool,
    kTVMFFIFloat = ::kTVMFFIFloat,
    kTVMFFIOpaquePtr = ::kTVMFFIOpaquePtr,
    kTVMFFIDataType = ::kTVMFFIDataType,
    kTVMFFIDevice = ::kTVMFFIDevice,
    kTVMFFIDLTensorPtr = ::kTVMFFIDLTensorPtr,
    kTVMFFIRawStr = ::kTVMFFIRawStr,
    kTVMFFIByteArrayPtr = ::kTVMFFIByteArrayPtr,
    kTVMFFIObjectRValueRef = ::kTVMFFIObjectRValueRef,
    kTVMFFISmallStr = ::kTVMFFISmallStr,
    kTVMFFISmallBytes = ::kTVMFFISmallBytes,
    kTVMFFIStaticObjectBegin = ::kTVMFFIStaticObjectBegin,
    kTVMFFIObject = ::kTVMFFIObject,
    kTVMFFIStr = ::kTVMFFIStr,
    kTVMFFIBytes = ::kTVMFFIBytes,
    kTVMFFIError = ::kTVMFFIError,
    kTVMFFIFunction = ::kTVMFFIFunction,
    kTVMFFIShape = ::kTVMFFIShape,
    kTVMFFITensor = ::kTVMFFITensor,
    kTVMFFIArray = ::kTVMFFIArray,
    kTVMFFIMap = ::kTVMFFIMap,
    kTVMFFIModule = ::kTVMFFIModule,
    kTVMFFIDynObjectBegin = ::kTVMFFIDynObjectBegin,
  };
};

namespace details {

constexpr uint64_t kCombinedRefCountBothOne = (uint64_t{1} << 32) | uint64_t{1};
constexpr uint64_t kCombinedRefCountWeakOne = uint64_t{1} << 32;

#if defined(_MSC_VER) && !defined(__clang__)
TVM_FFI_INLINE uint64_t AtomicFetchAdd(uint64_t* p, uint64_t v) {
  return static_cast<uint64_t>(
      _InterlockedExchangeAdd64(reinterpret_cast<volatile __int64*>(p), static_cast<__int64>(v)));
}
TVM_FFI_INLINE uint64_t AtomicFetchSub(uint64_t* p, uint64_t v) {
  return static_cast<uint64_t>(_InterlockedExchangeAdd64(reinterpret_cast<volatile __int64*>(p),
                                                         -static_cast<__int64>(v)));
}
TVM_FFI_INLINE void AcquireFence() {}
TVM_FFI_INLINE uint64_t AtomicLoadRelaxed(const uint64_t* p) { return *(volatile const uint64_t*)p; }
#else
TVM_FFI_INLINE uint64_t AtomicFetchAdd(uint64_t* p, uint64_t v) {
  return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
TVM_FFI_INLINE uint64_t AtomicFetchSub(uint64_t* p, uint64_t v) {
  return __atomic_fetch_sub(p, v, __ATOMIC_RELEASE);
}
TVM_FFI_INLINE void AcquireFence() { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
TVM_FFI_INLINE uint64_t AtomicLoadRelaxed(const uint64_t* p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}
#endif

/*! \brief Strong +1 on an object header (inline protocol). */
TVM_FFI_INLINE void IncRefObjectHandle(TVMFFIObject* obj) {
  AtomicFetchAdd(&obj->combined_ref_count, 1);
}

/*! \brief Strong -1 on an object header (inline protocol, TVM_FFI_ABI.md §1.4). */
TVM_FFI_INLINE void DecRefObjectHandle(TVMFFIObject* obj) {
  uint64_t old = AtomicFetchSub(&obj->combined_ref_count, 1);
  if (old == kCombinedRefCountBothOne) {
    AcquireFence();
    if (obj->deleter != nullptr) obj->deleter(obj, kTVMFFIObjectDeleterFlagBitMaskBoth);
  } else if ((old & 0xFFFFFFFFu) == 1) {
    AcquireFence();
    if (obj->deleter != nullptr) obj->deleter(obj, kTVMFFIObjectDeleterFlagBitMaskStrong);
    uint64_t old_weak = AtomicFetchSub(&obj->combined_ref_count, kCombinedRefCountWeakOne);
    if (old_weak == kCombinedRefCountWeakOne) {
      AcquireFence();
      if (obj->deleter != nullptr) obj->deleter(obj, kTVMFFIObjectDeleterFlagBitMaskWeak);
    }
  }
}

/*! \brief Type key of a type index ("int", "ffi.String", "my.Type", ...). */
inline std::string TypeIndexToTypeKey(int32_t type_index) {
  switch (type_index) {
    case kTVMFFINone: return "None";
    case kTVMFFIInt: return "int";
    case kTVMFFIBool: return "bool";
    case kTVMFFIFloat: return "float";
    case kTVMFFIOpaquePtr: return "void*";
    case kTVMFFIDataType: return "DataType";
    case kTVMFFIDevice: return "Device";
    case kTVMFFIDLTensorPtr: return "DLTensor*";
    case kTVMFFIRawStr: return "const char*";
    case kTVMFFIByteArrayPtr: return "TVMFFIByteArray*";
    case kTVMFFIObjectRValueRef: return "ObjectRValueRef";
    case kTVMFFISmallStr: return "ffi.SmallStr";
    case kTVMFFISmallBytes: return "ffi.SmallBytes";
    default: break;
  }
  if (type_index < kTVMFFIStaticObjectBegin) return "<unknown:" + std::to_string(type_index) + ">";
  const TVMFFITypeInfo* info = TVMFFIGetTypeInfo(type_index);
  return std::string(info->type_key.data, info->type_key.size);
}

/*! \brief Register (or find) a dynamic type: a thin wrapper over TVMFFITypeGetOrAllocIndex. */
inline int32_t ObjectGetOrAllocTypeIndex(const char* type_key, int32_t static_type_index,
                                         int32_t type_depth, int32_t num_child_slots,
                                         bool child_slots_can_overflow, int32_t parent_index) {
  TVMFFIByteArray key = MakeByteArray(type_key, CStrLen(type_key));
  return TVMFFITypeGetOrAllocIndex(&key, static_type_index, type_depth, num_child_slots,
                                   child_slots_can_overflow ? 1 : 0, parent_index);
}

/*! \brief Memory for an object of `size` bytes (malloc, or posix_memalign when over-aligned). */
inline void* AllocObjectMemory(size_t size, size_t align) {
  void* mem = nullptr;
  if (align <= alignof(std::max_align_t)) {
    mem = std::malloc(size);
  } else {
#if defined(_MSC_VER)
    mem = _aligned_malloc(size, align);
#else
    if (posix_memalign(&mem, align, size) != 0) mem = nullptr;
#endif
  }
  if (mem == nullptr) throw std::bad_alloc();
  return mem;
}

inline void FreeObjectMemory(void* mem, size_t align) {
#if defined(_MSC_VER)
  if (align > alignof(std::max_align_t)) {
    _aligned_free(mem);
    return;
  }
#endif
  (void)align;
  std::free(mem);
}

struct ObjectUnsafe;
template <typename T>
void ObjectDeleter(void* self, int flags);

}  // namespace details

/*!
 * \brief Base of all heap objects: the 24-byte TVMFFIObject header, nothing else.
 */
class Object {
 public:
  Object() {
    header_.combined_ref_count = 0;
    header_.type_index = 0;
    header_.__padding = 0;
    header_.deleter = nullptr;
  }
  // Copying an object copies its fields, never its header (refcount, deleter).
  Object(const Object&) : Object() {}
  Object(Object&&) : Object() {}
  Object& operator=(const Object&) { return *this; }
  Object& operator=(Object&&) { return *this; }

  /*! \brief The runtime type index. */
  int32_t type_index() const { return header_.type_index; }
  /*! \brief The type key ("ffi.Object", "my.Type"...). */
  std::string GetTypeKey() const { return details::TypeIndexToTypeKey(header_.type_index); }
  /*! \brief Whether this object is a T (or a subclass of T). */
  template <typename TargetType>
  inline bool IsInstance() const;
  /*! \brief Current strong count (for debugging). */
  int32_t use_count() const {
    return static_cast<int32_t>(details::AtomicLoadRelaxed(&header_.combined_ref_count) &
                                0xFFFFFFFFu);
  }
  bool unique() const { return use_count() == 1; }

  // Type information of the root.
  static constexpr const char* _type_key = "ffi.Object";
  static constexpr int32_t _type_index = kTVMFFIObject;
  static constexpr int32_t _type_depth = 0;
  static constexpr int32_t _type_child_slots = 0;
  static constexpr bool _type_child_slots_can_overflow = true;
  static constexpr bool _type_final = false;
  static constexpr bool _type_mutable = false;
  static constexpr int32_t _type_s_eq_hash_kind = kTVMFFISEqHashKindUnsupported;
  static int32_t _GetOrAllocRuntimeTypeIndex() { return kTVMFFIObject; }
  static int32_t RuntimeTypeIndex() { return kTVMFFIObject; }

 protected:
  TVMFFIObject header_;

  friend struct details::ObjectUnsafe;
};

namespace details {

/*! \brief Whether an object of runtime type `type_index` is a TargetType. */
template <typename TargetType>
inline bool IsInstanceOfIndex(int32_t type_index) {
  if constexpr (std::is_same_v<TargetType, Object>) {
    return type_index >= kTVMFFIStaticObjectBegin;
  } else {
    int32_t target = TargetType::RuntimeTypeIndex();
    if (type_index == target) return true;
    if constexpr (TargetType::_type_final) {
      return false;
    } else {
      if (type_index < target || type_index < kTVMFFIStaticObjectBegin) return false;
      const TVMFFITypeInfo* info = TVMFFIGetTypeInfo(type_index);
      if (info == nullptr || info->type_depth <= TargetType::_type_depth) return false;
      return info->type_ancestors[TargetType::_type_depth]->type_index == target;
    }
  }
}

}  // namespace details

template <typename TargetType>
inline bool Object::IsInstance() const {
  return details::IsInstanceOfIndex<TargetType>(header_.type_index);
}

/*!
 * \brief Strong pointer to an object of type T.
 */
template <typename T>
class ObjectPtr {
 public:
  ObjectPtr() = default;
  ObjectPtr(std::nullptr_t) {}  // NOLINT
  ObjectPtr(const ObjectPtr& other) : data_(other.data_) { IncRef(); }
  ObjectPtr(ObjectPtr&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
  template <typename U, typename = std::enable_if_t<std::is_base_of_v<T, U>>>
  ObjectPtr(const ObjectPtr<U>& other) : data_(other.data_) {  // NOLINT
    IncRef();
  }
  template <typename U, typename = std::enable_if_t<std::is_base_of_v<T, U>>>
  ObjectPtr(ObjectPtr<U>&& other) noexcept : data_(other.data_) {  // NOLINT
    other.data_ = nullptr;
  }
  ~ObjectPtr() { DecRef(); }

  ObjectPtr& operator=(const ObjectPtr& other) {
    ObjectPtr(other).swap(*this);
    return *this;
  }
  ObjectPtr& operator=(ObjectPtr&& other) noexcept {
    ObjectPtr(std::move(other)).swap(*this);
    return *this;
  }
  template <typename U, typename = std::enable_if_t<std::is_base_of_v<T, U>>>
  ObjectPtr& operator=(ObjectPtr<U> other) {
    ObjectPtr(std::move(other)).swap(*this);
    return *this;
  }
  ObjectPtr& operator=(std::nullptr_t) {
    reset();
    return *this;
  }

  void swap(ObjectPtr& other) noexcept { std::swap(data_, other.data_); }
  T* get() const { return static_cast<T*>(data_); }
  T* operator->() const { return get(); }
  T& operator*() const { return *get(); }
  explicit operator bool() const { return data_ != nullptr; }
  int use_count() const { return data_ != nullptr ? data_->use_count() : 0; }
  bool unique() const { return use_count() == 1; }
  void reset() {
    DecRef();
    data_ = nullptr;
  }
  bool operator==(const ObjectPtr& other) const { return data_ == other.data_; }
  bool operator!=(const ObjectPtr& other) const { return data_ != other.data_; }
  bool operator==(std::nullptr_t) const { return data_ == nullptr; }
  bool operator!=(std::nullptr_t) const { return data_ != nullptr; }

 private:
  void IncRef() const {
    if (data_ != nullptr) details::IncRefObjectHandle(reinterpret_cast<TVMFFIObject*>(data_));
  }
  void DecRef() const {
    if (data_ != nullptr) details::DecRefObjectHandle(reinterpret_cast<TVMFFIObject*>(data_));
  }

  Object* data_{nullptr};

  template <typename>
  friend class ObjectPtr;
  friend struct details::ObjectUnsafe;
};

/*!
 * \brief Base of all reference (handle) classes: a nullable strong pointer to an Object.
 */
class ObjectRef {
 public:
  ObjectRef() = default;
  explicit ObjectRef(ObjectPtr<Object> data) : data_(std::move(data)) {}
  explicit ObjectRef(UnsafeInit) {}
  ObjectRef(const ObjectRef&) = default;
  ObjectRef(ObjectRef&&) = default;
  ObjectRef& operator=(const ObjectRef&) = default;
  ObjectRef& operator=(ObjectRef&&) = default;

  bool same_as(const ObjectRef& other) const { return data_ == other.data_; }
  bool defined() const { return data_ != nullptr; }
  const Object* get() const { return data_.get(); }
  const Object* operator->() const { return get(); }
  int use_count() const { return data_.use_count(); }
  bool unique() const { return data_.unique(); }
  int32_t type_index() const {
    return data_ != nullptr ? data_->type_index() : static_cast<int32_t>(kTVMFFINone);
  }
  std::string GetTypeKey() const {
    return data_ != nullptr ? data_->GetTypeKey() : std::string("None");
  }
  /*! \brief The object as a `const ObjectType*` if it is one, else nullptr. */
  template <typename ObjectType, typename = std::enable_if_t<std::is_base_of_v<Object, ObjectType>>>
  const ObjectType* as() const {
    if (data_ != nullptr && data_->IsInstance<ObjectType>()) {
      return static_cast<const ObjectType*>(data_.get());
    }
    return nullptr;
  }
  bool operator==(std::nullptr_t) const { return data_ == nullptr; }
  bool operator!=(std::nullptr_t) const { return data_ != nullptr; }
  /*! \brief Identity comparison, as same_as (e.g. two enum values). */
  bool operator==(const ObjectRef& other) const { return data_ == other.data_; }
  bool operator!=(const ObjectRef& other) const { return data_ != other.data_; }

  using ContainerType = Object;
  static constexpr bool _type_is_nullable = true;

 protected:
  ObjectPtr<Object> data_;
  Object* get_mutable() const { return data_.get(); }

  friend struct details::ObjectUnsafe;
};

/*! \brief Hash/equality by identity, for unordered containers of ObjectRef. */
struct ObjectPtrHash {
  size_t operator()(const ObjectRef& a) const { return std::hash<const void*>()(a.get()); }
  template <typename T>
  size_t operator()(const ObjectPtr<T>& a) const {
    return std::hash<const void*>()(a.get());
  }
};
struct ObjectPtrEqual {
  bool operator()(const ObjectRef& a, const ObjectRef& b) const { return a.same_as(b); }
  template <typename T>
  bool operator()(const ObjectPtr<T>& a, const ObjectPtr<T>& b) const {
    return a == b;
  }
};

namespace details {

/*! \brief Low-level access used by the rest of the headers. */
struct ObjectUnsafe {
  static TVMFFIObject* GetHeader(const Object* obj) {
    return const_cast<TVMFFIObject*>(&obj->header_);
  }
  static Object* ObjectFromHandle(TVMFFIObject* handle) { return reinterpret_cast<Object*>(handle); }
  /*! \brief New reference from a borrowed pointer (IncRef). */
  template <typename T>
  static ObjectPtr<T> ObjectPtrFromUnowned(Object* obj) {
    ObjectPtr<T> ptr;
    ptr.data_ = obj;
    if (obj != nullptr) IncRefObjectHandle(GetHeader(obj));
    return ptr;
  }
  /*! \brief Adopt a reference the caller owns (no IncRef). */
  template <typename T>
  static ObjectPtr<T> ObjectPtrFromOwned(Object* obj) {
    ObjectPtr<T> ptr;
    ptr.data_ = obj;
    return ptr;
  }
  /*! \brief Release the pointer's reference to the caller as a raw header pointer. */
  template <typename T>
  static TVMFFIObject* MoveObjectPtrToHandle(ObjectPtr<T>&& ptr) {
    Object* obj = ptr.data_;
    ptr.data_ = nullptr;
    return obj != nullptr ? GetHeader(obj) : nullptr;
  }
  static TVMFFIObject* MoveObjectRefToHandle(ObjectRef&& ref) {
    return MoveObjectPtrToHandle(std::move(ref.data_));
  }
  static TVMFFIObject* GetHandle(const ObjectRef& ref) {
    return ref.data_ != nullptr ? GetHeader(ref.data_.get()) : nullptr;
  }
  static const ObjectPtr<Object>& GetObjectPtr(const ObjectRef& ref) { return ref.data_; }
  static ObjectPtr<Object>& GetObjectPtrMutable(ObjectRef& ref) { return ref.data_; }
  /*! \brief Build a reference class around an object (IncRef). */
  template <typename TRef>
  static TRef ObjectRefFromUnowned(Object* obj) {
    TRef ref(UnsafeInit{});
    ref.data_ = ObjectPtrFromUnowned<Object>(obj);
    return ref;
  }
  template <typename TRef>
  static TRef ObjectRefFromOwned(Object* obj) {
    TRef ref(UnsafeInit{});
    ref.data_ = ObjectPtrFromOwned<Object>(obj);
    return ref;
  }
  template <typename T>
  static void InitHeader(T* obj, int32_t type_index, void (*deleter)(void*, int)) {
    TVMFFIObject* h = GetHeader(obj);
    h->combined_ref_count = kCombinedRefCountBothOne;
    h->type_index = type_index;
    h->__padding = 0;
    h->deleter = deleter;
  }
};

/*! \brief Deleter of objects made by make_object<T> (malloc'd, destructor via T). */
template <typename T>
void ObjectDeleter(void* self, int flags) {
  T* tptr = static_cast<T*>(reinterpret_cast<Object*>(self));
  if (flags & kTVMFFIObjectDeleterFlagBitMaskStrong) {
    tptr->T::~T();
  }
  if (flags & kTVMFFIObjectDeleterFlagBitMaskWeak) {
    FreeObjectMemory(static_cast<void*>(tptr), alignof(T));
  }
}

/*! \brief Construct a T in fresh memory of sizeof(T) + extra bytes. */
template <typename T, typename... Args>
inline ObjectPtr<T> MakeObjectWithExtraBytes(size_t extra_bytes, Args&&... args) {
  static_assert(std::is_base_of_v<Object, T>, "make_object<T>: T must derive from Object");
  void* mem = AllocObjectMemory(sizeof(T) + extra_bytes, alignof(T));
  T* ptr;
  try {
    ptr = new (mem) T(std::forward<Args>(args)...);
  } catch (...) {
    FreeObjectMemory(mem, alignof(T));
    throw;
  }
  ObjectUnsafe::InitHeader(ptr, T::RuntimeTypeIndex(), &ObjectDeleter<T>);
  return ObjectUnsafe::ObjectPtrFromOwned<T>(static_cast<Object*>(ptr));
}

}  // namespace details

/*! \brief Allocate and construct an object; it starts with one strong reference. */
template <typename T, typename... Args>
inline ObjectPtr<T> make_object(Args&&... args) {
  return details::MakeObjectWithExtraBytes<T>(0, std::forward<Args>(args)...);
}

/*! \brief Allocate an object followed by `num_elems` trailing ElemType slots (uninitialized). */
template <typename T, typename ElemType, typename... Args>
inline ObjectPtr<T> make_inplace_array_object(size_t num_elems, Args&&... args) {
  return details::MakeObjectWithExtraBytes<T>(num_elems * sizeof(ElemType),
                                              std::forward<Args>(args)...);
}

/*! \brief Downcast a reference; throws nothing, checks nothing (use with care). */
template <typename TRef>
inline TRef GetRef(const typename TRef::ContainerType* ptr) {
  return details::ObjectUnsafe::ObjectRefFromUnowned<TRef>(
      const_cast<Object*>(static_cast<const Object*>(ptr)));
}

template <typename T>
inline ObjectPtr<T> GetObjectPtr(const T* ptr) {
  return details::ObjectUnsafe::ObjectPtrFromUnowned<T>(
      const_cast<Object*>(static_cast<const Object*>(ptr)));
}

}  // namespace ffi
}  // namespace tvm

// ---------------------------------------------------------------------------------------------
// Type-information macros (used inside Object subclasses).
// ---------------------------------------------------------------------------------------------

/*! \brief Common part: key, depth, parent, lazily allocated runtime index. */
#define TVM_FFI_DECLARE_OBJECT_INFO_PREDEFINED_TYPE_KEY_(TypeName, ParentType)                   \
  using _type_parent = ParentType;                                                               \
  static constexpr int32_t _type_depth = ParentType::_type_depth + 1;                            \
  static int32_t _GetOrAllocRuntimeTypeIndex() {                                                 \
    static_assert(!ParentType::_type_final, "Cannot derive from a final object type");           \
    static int32_t tindex = ::tvm::ffi::details::ObjectGetOrAllocTypeIndex(                      \
        TypeName::_type_key, -1, _type_depth, TypeName::_type_child_slots,                       \
        TypeName::_type_child_slots_can_overflow, ParentType::_GetOrAllocRuntimeTypeIndex());    \
    return tindex;                                                                               \
  }                                                                                              \
  static int32_t RuntimeTypeIndex() { return _GetOrAllocRuntimeTypeIndex(); }                    \
  static inline const int32_t _type_index = _GetOrAllocRuntimeTypeIndex()

/*!
 * \brief Declare the type information of a (non-final) object class.
 * \param TypeKey the global type key, e.g. "my_ext.Node".
 */
#define TVM_FFI_DECLARE_OBJECT_INFO(TypeKey, TypeName, ParentType)  \
  static constexpr const char* _type_key = TypeKey;                 \
  static constexpr bool _type_final = false;                        \
  TVM_FFI_DECLARE_OBJECT_INFO_PREDEFINED_TYPE_KEY_(TypeName, ParentType)

/*! \brief Declare the type information of a final object class (no subclasses). */
#define TVM_FFI_DECLARE_OBJECT_INFO_FINAL(TypeKey, TypeName, ParentType) \
  static constexpr const char* _type_key = TypeKey;                      \
  static constexpr bool _type_final = true;                              \
  static constexpr int32_t _type_child_slots = 0;                        \
  static constexpr bool _type_child_slots_can_overflow = false;          \
  TVM_FFI_DECLARE_OBJECT_INFO_PREDEFINED_TYPE_KEY_(TypeName, ParentType)

/*! \brief Builtin object type with a static index (String, Array, ...). Internal. */
#define TVM_FFI_DECLARE_STATIC_OBJECT_INFO_(TypeKey, TypeIndexValue, TypeName, ParentType) \
  static constexpr const char* _type_key = TypeKey;                                        \
  static constexpr int32_t _type_index = TypeIndexValue;                                   \
  static constexpr bool _type_final = true;                                                \
  static constexpr int32_t _type_child_slots = 0;                                          \
  static constexpr bool _type_child_slots_can_overflow = false;                            \
  using _type_parent = ParentType;                                                         \
  static constexpr int32_t _type_depth = ParentType::_type_depth + 1;                      \
  static int32_t _GetOrAllocRuntimeTypeIndex() { return TypeIndexValue; }                  \
  static int32_t RuntimeTypeIndex() { return TypeIndexValue; }

// ---------------------------------------------------------------------------------------------
// Reference-class macros.
// ---------------------------------------------------------------------------------------------

#define TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(TypeName) \
  TypeName(const TypeName& other) = default;                  \
  TypeName(TypeName&& other) = default;                       \
  TypeName& operator=(const TypeName& other) = default;       \
  TypeName& operator=(TypeName&& other) = default;

#define TVM_FFI_DEFINE_OBJECT_REF_COMMON_(TypeName, ParentType, ObjectName)                  \
  explicit TypeName(::tvm::ffi::UnsafeInit tag) : ParentType(tag) {}                         \
  explicit TypeName(::tvm::ffi::ObjectPtr<ObjectName> n) : ParentType(std::move(n)) {}       \
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(TypeName)                                      \
  const ObjectName* operator->() const { return static_cast<const ObjectName*>(data_.get()); } \
  const ObjectName* get() const { return operator->(); }                                     \
  using ContainerType = ObjectName;

/*! \brief Reference class that may be null (default-constructible to null). */
#define TVM_FFI_DEFINE_OBJECT_REF_METHODS_NULLABLE(TypeName, ParentType, ObjectName) \
  TypeName() = default;                                                              \
  TVM_FFI_DEFINE_OBJECT_REF_COMMON_(TypeName, ParentType, ObjectName)                \
  static constexpr bool _type_is_nullable = true;

/*! \brief Reference class that is never null (no default constructor). */
#define TVM_FFI_DEFINE_OBJECT_REF_METHODS_NOTNULLABLE(TypeName, ParentType, ObjectName) \
  TVM_FFI_DEFINE_OBJECT_REF_COMMON_(TypeName, ParentType, ObjectName)                   \
  static constexpr bool _type_is_nullable = false;

/*! \brief Nullable reference class whose operator-> gives a mutable object. */
#define TVM_FFI_DEFINE_MUTABLE_OBJECT_REF_METHODS_NULLABLE(TypeName, ParentType, ObjectName) \
  TypeName() = default;                                                                      \
  explicit TypeName(::tvm::ffi::UnsafeInit tag) : ParentType(tag) {}                         \
  explicit TypeName(::tvm::ffi::ObjectPtr<ObjectName> n) : ParentType(std::move(n)) {}       \
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(TypeName)                                      \
  ObjectName* operator->() const { return static_cast<ObjectName*>(data_.get()); }           \
  ObjectName* get() const { return operator->(); }                                           \
  using ContainerType = ObjectName;                                                          \
  static constexpr bool _type_is_nullable = true;

/*! \brief Non-nullable reference class whose operator-> gives a mutable object. */
#define TVM_FFI_DEFINE_MUTABLE_OBJECT_REF_METHODS_NOTNULLABLE(TypeName, ParentType, ObjectName) \
  explicit TypeName(::tvm::ffi::UnsafeInit tag) : ParentType(tag) {}                            \
  explicit TypeName(::tvm::ffi::ObjectPtr<ObjectName> n) : ParentType(std::move(n)) {}          \
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(TypeName)                                         \
  ObjectName* operator->() const { return static_cast<ObjectName*>(data_.get()); }              \
  ObjectName* get() const { return operator->(); }                                              \
  using ContainerType = ObjectName;                                                             \
  static constexpr bool _type_is_nullable = false;

// Older spelling kept for source compatibility.
#define TVM_FFI_DEFINE_NULLABLE_OBJECT_REF_METHODS(TypeName, ParentType, ObjectName) \
  TVM_FFI_DEFINE_OBJECT_REF_METHODS_NULLABLE(TypeName, ParentType, ObjectName)
#define TVM_FFI_DEFINE_NOTNULLABLE_OBJECT_REF_METHODS(TypeName, ParentType, ObjectName) \
  TVM_FFI_DEFINE_OBJECT_REF_METHODS_NOTNULLABLE(TypeName, ParentType, ObjectName)

#endif  // TVM_FFI_OBJECT_H_
