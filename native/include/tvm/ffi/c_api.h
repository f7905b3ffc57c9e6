/*
 * TVM-FFI stable C ABI (ABI 0.1.14), written for tvm-ffi-orcjit from the published interface
 * facts (layouts, type indices, protocols). Same names and include path as tvm-ffi, so kernel
 * code written against tvm-ffi compiles unchanged. Compiles as C99 (with the usual anonymous
 * union extension) and as C++.
 */
#ifndef TVM_FFI_C_API_H_
#define TVM_FFI_C_API_H_

#include <dlpack/dlpack.h>
#include <stddef.h>
#include <stdint.h>

/* ---- export macros ---- */
#if defined(__EMSCRIPTEN__)
#include <emscripten/emscripten.h>
#define TVM_FFI_DLL EMSCRIPTEN_KEEPALIVE
#define TVM_FFI_DLL_EXPORT EMSCRIPTEN_KEEPALIVE
#elif defined(_MSC_VER)
#ifdef TVM_FFI_EXPORTS
#define TVM_FFI_DLL __declspec(dllexport)
#else
#define TVM_FFI_DLL __declspec(dllimport)
#endif
#define TVM_FFI_DLL_EXPORT __declspec(dllexport)
#else
#define TVM_FFI_DLL __attribute__((visibility("default")))
#define TVM_FFI_DLL_EXPORT __attribute__((visibility("default")))
#endif

#if defined(_MSC_VER)
#define TVM_FFI_WEAK __declspec(selectany)
#define TVM_FFI_ATTRIBUTE_PURE
#else
#define TVM_FFI_WEAK __attribute__((weak))
#define TVM_FFI_ATTRIBUTE_PURE __attribute__((__pure__))
#endif

/* ---- version ---- */
#define TVM_FFI_VERSION_MAJOR 0
#define TVM_FFI_VERSION_MINOR 1
#define TVM_FFI_VERSION_PATCH 14

/* Compile-time layout checks usable from C99, C11 and C++. */
#if defined(__cplusplus)
#define TVM_FFI_C_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define TVM_FFI_C_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#define TVM_FFI_C_STATIC_ASSERT_CAT2(a, b) a##b
#define TVM_FFI_C_STATIC_ASSERT_CAT(a, b) TVM_FFI_C_STATIC_ASSERT_CAT2(a, b)
#define TVM_FFI_C_STATIC_ASSERT(cond, msg) \
  typedef char TVM_FFI_C_STATIC_ASSERT_CAT(tvm_ffi_static_assert_, __LINE__)[(cond) ? 1 : -1]
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- type indices ---- */
#ifdef __cplusplus
enum TVMFFITypeIndex : int32_t {
#else
typedef enum {
#endif
  /*! \brief Wildcard; appears only in reflection annotations, never in a value. */
  kTVMFFIAny = -1,
  kTVMFFINone = 0,
  kTVMFFIInt = 1,
  kTVMFFIBool = 2,
  kTVMFFIFloat = 3,
  kTVMFFIOpaquePtr = 4,
  kTVMFFIDataType = 5,
  kTVMFFIDevice = 6,
  /*! \brief Borrowed DLTensor*; view only. */
  kTVMFFIDLTensorPtr = 7,
  /*! \brief Borrowed NUL-terminated const char*; view only. */
  kTVMFFIRawStr = 8,
  /*! \brief Borrowed TVMFFIByteArray*; view only. */
  kTVMFFIByteArrayPtr = 9,
  /*! \brief v_ptr = address of the caller's object-pointer slot (move semantics). */
  kTVMFFIObjectRValueRef = 10,
  /*! \brief Inline string of <= 7 bytes; length in small_str_len. */
  kTVMFFISmallStr = 11,
  /*! \brief Inline bytes of <= 7 bytes; length in small_str_len. */
  kTVMFFISmallBytes = 12,
  /*! \brief First index that denotes a heap (refcounted) object. */
  kTVMFFIStaticObjectBegin = 64,
  kTVMFFIObject = 64,
  kTVMFFIStr = 65,
  kTVMFFIBytes = 66,
  kTVMFFIError = 67,
  kTVMFFIFunction = 68,
  kTVMFFIShape = 69,
  kTVMFFITensor = 70,
  kTVMFFIArray = 71,
  kTVMFFIMap = 72,
  kTVMFFIModule = 73,
  kTVMFFIOpaquePyObject = 74,
  kTVMFFIList = 75,
  kTVMFFIDict = 76,
  kTVMFFIVisitInterrupt = 77,
  kTVMFFIStaticObjectEnd,
  /*! \brief First index handed out at run time by TVMFFITypeGetOrAllocIndex. */
  kTVMFFIDynObjectBegin = 128
#ifdef __cplusplus
};
#else
} TVMFFITypeIndex;
#endif

/*! \brief Opaque handle to a TVMFFIObject. */
typedef void* TVMFFIObjectHandle;

/*! \brief Bits passed to an object's deleter. */
#ifdef __cplusplus
enum TVMFFIObjectDeleterFlagBitMask : int32_t {
#else
typedef enum {
#endif
  /*! \brief Strong count reached 0: run the destructor. */
  kTVMFFIObjectDeleterFlagBitMaskStrong = 1 << 0,
  /*! \brief Weak count reached 0: free the memory. */
  kTVMFFIObjectDeleterFlagBitMaskWeak = 1 << 1,
  kTVMFFIObjectDeleterFlagBitMaskBoth = (1 << 0) | (1 << 1)
#ifdef __cplusplus
};
#else
} TVMFFIObjectDeleterFlagBitMask;
#endif

/*!
 * \brief Header of every heap object (24 bytes).
 * combined_ref_count: bits 0..31 strong count, bits 32..63 weak count. A new object starts
 * at strong=1, weak=1. The protocol is inlined into user code; see TVM_FFI_ABI.md §1.4.
 */
typedef struct TVMFFIObject {
  uint64_t combined_ref_count;
  int32_t type_index;
  uint32_t __padding;
  union {
    /*! \brief Called with kTVMFFIObjectDeleterFlagBitMask bits by whoever drops the last ref. */
    void (*deleter)(void* self, int flags);
    int64_t __ensure_align;
  };
} TVMFFIObject;

/*! \brief The 16-byte tagged value passed across the ABI. */
typedef struct TVMFFIAny {
  int32_t type_index;
  union {
    /*! \brief Must be 0 except for SmallStr/SmallBytes. */
    uint32_t zero_padding;
    /*! \brief Byte length of a SmallStr/SmallBytes value (0..7). */
    uint32_t small_str_len;
  };
  union {
    int64_t v_int64;
    double v_float64;
    void* v_ptr;
    const char* v_c_str;
    TVMFFIObject* v_obj;
    DLDataType v_dtype;
    DLDevice v_device;
    char v_bytes[8];
    uint64_t v_uint64;
  };
} TVMFFIAny;

/*! \brief A borrowed (data, size) byte range. */
typedef struct {
  const char* data;
  size_t size;
} TVMFFIByteArray;

/*! \brief Cell of a Shape object (at object + 24). */
typedef struct {
  const int64_t* data;
  size_t size;
} TVMFFIShapeCell;

/*! \brief Cell of Array/List objects: TVMFFIAny elements; data_deleter NULL = inline storage. */
typedef struct {
  void* data;
  int64_t size;
  int64_t capacity;
  void (*data_deleter)(void* data);
} TVMFFISeqCell;

/*! \brief Mode of TVMFFIErrorCell::update_backtrace. */
#ifdef __cplusplus
enum TVMFFIBacktraceUpdateMode : int32_t {
#else
typedef enum {
#endif
  kTVMFFIBacktraceUpdateModeReplace = 0,
  kTVMFFIBacktraceUpdateModeAppend = 1
#ifdef __cplusplus
};
#else
} TVMFFIBacktraceUpdateMode;
#endif

/*! \brief Cell of an Error object (at object + 24). 72 bytes. */
typedef struct {
  TVMFFIByteArray kind;
  TVMFFIByteArray message;
  /*! \brief Most recent call first. */
  TVMFFIByteArray backtrace;
  /*! \brief Replace or append (TVMFFIBacktraceUpdateMode) the backtrace of `self`. */
  void (*update_backtrace)(TVMFFIObjectHandle self, const TVMFFIByteArray* backtrace,
                           int32_t update_mode);
  /*! \brief Owned reference to the error that caused this one, or NULL. */
  TVMFFIObjectHandle cause_chain;
  /*! \brief Owned reference to extra context, or NULL. */
  TVMFFIObjectHandle extra_context;
} TVMFFIErrorCell;

/*!
 * \brief The safe-call convention. Returns 0 on success; non-zero means an error was stored in
 * the thread-local raised slot. The caller pre-sets result->type_index to kTVMFFINone.
 */
typedef int (*TVMFFISafeCallType)(void* handle, const TVMFFIAny* args, int32_t num_args,
                                  TVMFFIAny* result);

/*! \brief Cell of a Function object (at object + 24). cpp_call is NULL unless same C++ ABI. */
typedef struct {
  TVMFFISafeCallType safe_call;
  void* cpp_call;
} TVMFFIFunctionCell;

/*! \brief Cell of an opaque foreign object (at object + 24). */
typedef struct {
  void* handle;
} TVMFFIOpaqueObjectCell;

/*! \brief ABI version triple. */
typedef struct {
  uint32_t major;
  uint32_t minor;
  uint32_t patch;
} TVMFFIVersion;

/*! \brief Header placed right before an object body made by the runtime's allocator. */
typedef struct {
  void (*delete_space)(void* body);
} TVMFFIObjectAllocHeader;

/*!
 * \brief Allocator the runtime uses for the objects it creates.
 * allocate returns storage of `size` bytes aligned to `alignment`; deallocate frees it.
 */
typedef struct TVMFFICustomAllocator {
  void* (*allocate)(size_t size, size_t alignment);
  void (*deallocate)(void* ptr);
} TVMFFICustomAllocator;

/* ---- reflection ---- */

/*! \brief Bits of TVMFFIFieldInfo::flags (and TVMFFIMethodInfo::flags). */
#ifdef __cplusplus
enum TVMFFIFieldFlagBitMask : int32_t {
#else
typedef enum {
#endif
  kTVMFFIFieldFlagBitMaskWritable = 1 << 0,
  kTVMFFIFieldFlagBitMaskHasDefault = 1 << 1,
  kTVMFFIFieldFlagBitMaskIsStaticMethod = 1 << 2,
  kTVMFFIFieldFlagBitMaskSEqHashIgnore = 1 << 3,
  kTVMFFIFieldFlagBitMaskSEqHashDefRecursive = 1 << 4,
  kTVMFFIFieldFlagBitMaskDefaultFromFactory = 1 << 5,
  kTVMFFIFieldFlagBitMaskReprOff = 1 << 6,
  kTVMFFIFieldFlagBitMaskCompareOff = 1 << 7,
  kTVMFFIFieldFlagBitMaskHashOff = 1 << 8,
  kTVMFFIFieldFlagBitMaskInitOff = 1 << 9,
  kTVMFFIFieldFlagBitMaskKwOnly = 1 << 10,
  kTVMFFIFieldFlagBitMaskSetterIsFunctionObj = 1 << 11,
  kTVMFFIFieldFlagBitMaskSEqHashDefNonRecursive = 1 << 12
#ifdef __cplusplus
};
#else
} TVMFFIFieldFlagBitMask;
#endif

/*! \brief How structural equality / hashing treats a type. */
#ifdef __cplusplus
enum TVMFFISEqHashKind : int32_t {
#else
typedef enum {
#endif
  kTVMFFISEqHashKindUnsupported = 0,
  kTVMFFISEqHashKindTreeNode = 1,
  kTVMFFISEqHashKindFreeVar = 2,
  kTVMFFISEqHashKindDAGNode = 3,
  kTVMFFISEqHashKindConstTreeNode = 4,
  kTVMFFISEqHashKindUniqueInstance = 5
#ifdef __cplusplus
};
#else
} TVMFFISEqHashKind;
#endif

/*! \brief Definition-region kind used by structural equality. */
#ifdef __cplusplus
enum TVMFFIDefRegionKind : int32_t {
#else
typedef enum {
#endif
  kTVMFFIDefRegionKindNone = 0,
  kTVMFFIDefRegionKindRecursive = 1,
  kTVMFFIDefRegionKindNonRecursive = 2
#ifdef __cplusplus
};
#else
} TVMFFIDefRegionKind;
#endif

/*! \brief Read the field at `field` into *result (owned). */
typedef int (*TVMFFIFieldGetter)(void* field, TVMFFIAny* result);
/*! \brief Write *value into the field at `field`. */
typedef int (*TVMFFIFieldSetter)(void* field, const TVMFFIAny* value);
/*! \brief Create a default-initialized object of the type. */
typedef int (*TVMFFIObjectCreator)(TVMFFIObjectHandle* result);

/*! \brief One reflected field. 120 bytes. */
typedef struct {
  TVMFFIByteArray name;
  TVMFFIByteArray doc;
  /*! \brief JSON text. */
  TVMFFIByteArray metadata;
  int64_t flags;
  int64_t size;
  int64_t alignment;
  int64_t offset;
  TVMFFIFieldGetter getter;
  /*! \brief TVMFFIFieldSetter, or a Function handle if kTVMFFIFieldFlagBitMaskSetterIsFunctionObj. */
  void* setter;
  /*! \brief Default value, or a factory Function if kTVMFFIFieldFlagBitMaskDefaultFromFactory. */
  TVMFFIAny default_value_or_factory;
  int32_t field_static_type_index;
} TVMFFIFieldInfo;

/*! \brief One reflected method (or a global function). 72 bytes. */
typedef struct {
  TVMFFIByteArray name;
  TVMFFIByteArray doc;
  /*! \brief JSON text. */
  TVMFFIByteArray metadata;
  int64_t flags;
  /*! \brief A Function held in an Any. */
  TVMFFIAny method;
} TVMFFIMethodInfo;

/*! \brief Extra per-type information. 32 bytes. */
typedef struct {
  TVMFFIByteArray doc;
  TVMFFIObjectCreator creator;
  int32_t total_size;
  /*! \brief A TVMFFISEqHashKind. */
  int32_t structural_eq_hash_kind;
} TVMFFITypeMetadata;

/*! \brief Runtime type information. 72 bytes. Reflects registrations live. */
typedef struct TVMFFITypeInfo {
  int32_t type_index;
  int32_t type_depth;
  TVMFFIByteArray type_key;
  /*! \brief type_ancestors[d] is the ancestor at depth d, for d < type_depth. */
  const struct TVMFFITypeInfo** type_ancestors;
  uint64_t type_key_hash;
  int32_t num_fields;
  int32_t num_methods;
  const TVMFFIFieldInfo* fields;
  const TVMFFIMethodInfo* methods;
  /*! \brief NULL until TVMFFITypeRegisterMetadata. */
  const TVMFFITypeMetadata* metadata;
} TVMFFITypeInfo;

/*! \brief A column of one type attribute: the entry of type t is data[t - begin_index]. */
typedef struct {
  const TVMFFIAny* data;
  int32_t size;
  int32_t begin_index;
} TVMFFITypeAttrColumn;

/* ======================= exported functions (38) ======================= */
/* Unless noted: return 0 on success, non-zero with the error in the raised slot. */

/*! \brief Fill *out with the runtime's ABI version. */
TVM_FFI_DLL void TVMFFIGetVersion(TVMFFIVersion* out);

/*! \brief Strong reference +1. */
TVM_FFI_DLL int TVMFFIObjectIncRef(TVMFFIObjectHandle obj);
/*! \brief Strong reference -1, running the deleter protocol. */
TVM_FFI_DLL int TVMFFIObjectDecRef(TVMFFIObjectHandle obj);
/*! \brief Wrap a foreign handle; deleter(handle) runs on destruction. */
TVM_FFI_DLL int TVMFFIObjectCreateOpaque(void* handle, int32_t type_index,
                                         void (*deleter)(void* handle), TVMFFIObjectHandle* out);

/*! \brief The allocator used for runtime-made objects; never NULL. */
TVM_FFI_DLL TVMFFICustomAllocator* TVMFFIGetCustomAllocator(void);
/*! \brief Replace the allocator; NULL restores the builtin one. */
TVM_FFI_DLL int TVMFFISetCustomAllocator(TVMFFICustomAllocator* allocator);

/*! \brief Index of a registered type key; error if unknown. */
TVM_FFI_DLL int TVMFFITypeKeyToIndex(const TVMFFIByteArray* type_key, int32_t* out_tindex);

/*! \brief New Function whose safe_call forwards to safe_call(self, ...); cpp_call is NULL. */
TVM_FFI_DLL int TVMFFIFunctionCreate(void* self, TVMFFISafeCallType safe_call,
                                     void (*deleter)(void* self), TVMFFIObjectHandle* out);
/*! \brief *out = new strong reference to the global function, or NULL if absent. */
TVM_FFI_DLL int TVMFFIFunctionGetGlobal(const TVMFFIByteArray* name, TVMFFIObjectHandle* out);
/*! \brief Convert a borrowed view into an owned value. */
TVM_FFI_DLL int TVMFFIAnyViewToOwnedAny(const TVMFFIAny* any_view, TVMFFIAny* out);
/*! \brief Call a Function object; the caller pre-sets result to None. */
TVM_FFI_DLL int TVMFFIFunctionCall(TVMFFIObjectHandle func, TVMFFIAny* args, int32_t num_args,
                                   TVMFFIAny* result);

/*! \brief Move this thread's raised error out (caller owns it); *result = NULL if none. */
TVM_FFI_DLL void TVMFFIErrorMoveFromRaised(TVMFFIObjectHandle* result);
/*! \brief Store error in this thread's raised slot (takes its own reference). */
TVM_FFI_DLL void TVMFFIErrorSetRaised(TVMFFIObjectHandle error);
/*! \brief Build an Error(kind, message) and store it in the raised slot. */
TVM_FFI_DLL void TVMFFIErrorSetRaisedFromCStr(const char* kind, const char* message);
/*! \brief Like SetRaisedFromCStr; the message is the concatenation of the non-NULL parts. */
TVM_FFI_DLL void TVMFFIErrorSetRaisedFromCStrParts(const char* kind, const char** message_parts,
                                                   int32_t num_parts);
/*! \brief New Error object; does not touch the raised slot. */
TVM_FFI_DLL int TVMFFIErrorCreate(const TVMFFIByteArray* kind, const TVMFFIByteArray* message,
                                  const TVMFFIByteArray* backtrace, TVMFFIObjectHandle* out);
/*! \brief New Error with a cause chain and extra context (both borrowed; the error takes refs). */
TVM_FFI_DLL int TVMFFIErrorCreateWithCauseAndExtraContext(
    const TVMFFIByteArray* kind, const TVMFFIByteArray* message, const TVMFFIByteArray* backtrace,
    TVMFFIObjectHandle cause_chain, TVMFFIObjectHandle extra_context, TVMFFIObjectHandle* out);

/*! \brief Tensor from a legacy managed tensor; takes ownership of `from` on success. */
TVM_FFI_DLL int TVMFFITensorFromDLPack(DLManagedTensor* from, int32_t require_alignment,
                                       int32_t require_contiguous, TVMFFIObjectHandle* out);
/*! \brief Legacy managed tensor sharing the tensor's memory (holds a reference). */
TVM_FFI_DLL int TVMFFITensorToDLPack(TVMFFIObjectHandle from, DLManagedTensor** out);
/*! \brief Tensor from a versioned managed tensor; takes ownership of `from` on success. */
TVM_FFI_DLL int TVMFFITensorFromDLPackVersioned(DLManagedTensorVersioned* from,
                                                int32_t require_alignment,
                                                int32_t require_contiguous,
                                                TVMFFIObjectHandle* out);
/*! \brief Versioned managed tensor sharing the tensor's memory (holds a reference). */
TVM_FFI_DLL int TVMFFITensorToDLPackVersioned(TVMFFIObjectHandle from,
                                              DLManagedTensorVersioned** out);
/*! \brief A tensor described by `prototype` over the memory of `source`, which it retains. */
TVM_FFI_DLL int TVMFFITensorCreateUnsafeView(TVMFFIObjectHandle source, const DLTensor* prototype,
                                             TVMFFIObjectHandle* out);

/*! \brief *out = owned SmallStr (<= 7 bytes) or Str object. */
TVM_FFI_DLL int TVMFFIStringFromByteArray(const TVMFFIByteArray* input, TVMFFIAny* out);
/*! \brief *out = owned SmallBytes (<= 7 bytes) or Bytes object. */
TVM_FFI_DLL int TVMFFIBytesFromByteArray(const TVMFFIByteArray* input, TVMFFIAny* out);

/*! \brief Parse "float32", "int8x4", "bool", "bfloat16", ... */
TVM_FFI_DLL int TVMFFIDataTypeFromString(const TVMFFIByteArray* str, DLDataType* out);
/*! \brief *out = owned String naming the dtype. */
TVM_FFI_DLL int TVMFFIDataTypeToString(const DLDataType* dtype, TVMFFIAny* out);

/*! \brief Register a global function (the registry takes its own reference). */
TVM_FFI_DLL int TVMFFIFunctionSetGlobal(const TVMFFIByteArray* name, TVMFFIObjectHandle f,
                                        int allow_override);
/*! \brief Register a global function described by a method info (copies name/doc/metadata). */
TVM_FFI_DLL int TVMFFIFunctionSetGlobalFromMethodInfo(const TVMFFIMethodInfo* method_info,
                                                      int allow_override);

/*! \brief Append a reflected field to the type. */
TVM_FFI_DLL int TVMFFITypeRegisterField(int32_t type_index, const TVMFFIFieldInfo* info);
/*! \brief Append a reflected method to the type. */
TVM_FFI_DLL int TVMFFITypeRegisterMethod(int32_t type_index, const TVMFFIMethodInfo* info);
/*! \brief Set the type's metadata. */
TVM_FFI_DLL int TVMFFITypeRegisterMetadata(int32_t type_index, const TVMFFITypeMetadata* metadata);
/*! \brief Set attribute `attr_name` of the type (column store). */
TVM_FFI_DLL int TVMFFITypeRegisterAttr(int32_t type_index, const TVMFFIByteArray* attr_name,
                                       const TVMFFIAny* attr_value);
/*! \brief The column of an attribute, or NULL if none was registered. Does not raise. */
TVM_FFI_DLL const TVMFFITypeAttrColumn* TVMFFIGetTypeAttrColumn(const TVMFFIByteArray* attr_name);

/*!
 * \brief Backtrace text (most recent call first) in a thread-local buffer valid until the
 * next call on this thread. Does not raise.
 */
TVM_FFI_DLL const TVMFFIByteArray* TVMFFIBacktrace(const char* filename, int lineno,
                                                   const char* func, int cross_ffi_boundary);

/*!
 * \brief Return the index of type_key, allocating it if new. parent_type_index -1 = root,
 * -2 = query only (returns -2 when absent). Does not raise (aborts on misuse).
 */
TVM_FFI_DLL int32_t TVMFFITypeGetOrAllocIndex(const TVMFFIByteArray* type_key,
                                              int32_t static_type_index, int32_t type_depth,
                                              int32_t num_child_slots,
                                              int32_t child_slots_can_overflow,
                                              int32_t parent_type_index);

/*! \brief Live type information of a registered index (aborts if unknown). */
TVM_FFI_DLL const TVMFFITypeInfo* TVMFFIGetTypeInfo(int32_t type_index) TVM_FFI_ATTRIBUTE_PURE;

/*! \brief Thread-safe once-init: if *handle_addr is NULL, run init_func(handle_addr) once. */
TVM_FFI_DLL int TVMFFIHandleInitOnce(void** handle_addr, int (*init_func)(void** result));
/*! \brief Thread-safe once-deinit: if *handle_addr is set, run deinit_func and clear it. */
TVM_FFI_DLL int TVMFFIHandleDeinitOnce(void** handle_addr, int (*deinit_func)(void* handle));

/* ======================= inline accessors ======================= */
#ifdef __cplusplus
#define TVM_FFI_C_INLINE inline
#else
#define TVM_FFI_C_INLINE static inline
#endif

/*! \brief Type index of an object. */
TVM_FFI_C_INLINE int32_t TVMFFIObjectGetTypeIndex(TVMFFIObjectHandle obj) {
  return ((TVMFFIObject*)obj)->type_index;
}

/*! \brief Content of a SmallStr/SmallBytes value. */
TVM_FFI_C_INLINE TVMFFIByteArray TVMFFISmallBytesGetContentByteArray(const TVMFFIAny* value) {
  TVMFFIByteArray out;
  out.data = value->v_bytes;
  out.size = (size_t)value->small_str_len;
  return out;
}

/*! \brief {data,size} cell of a Str/Bytes object. */
TVM_FFI_C_INLINE TVMFFIByteArray* TVMFFIBytesGetByteArrayPtr(TVMFFIObjectHandle obj) {
  return (TVMFFIByteArray*)((char*)obj + sizeof(TVMFFIObject));
}

/*! \brief Cell of an Error object. */
TVM_FFI_C_INLINE TVMFFIErrorCell* TVMFFIErrorGetCellPtr(TVMFFIObjectHandle obj) {
  return (TVMFFIErrorCell*)((char*)obj + sizeof(TVMFFIObject));
}

/*! \brief Cell of a Function object. */
TVM_FFI_C_INLINE TVMFFIFunctionCell* TVMFFIFunctionGetCellPtr(TVMFFIObjectHandle obj) {
  return (TVMFFIFunctionCell*)((char*)obj + sizeof(TVMFFIObject));
}

/*! \brief Cell of an opaque object. */
TVM_FFI_C_INLINE TVMFFIOpaqueObjectCell* TVMFFIOpaqueObjectGetCellPtr(TVMFFIObjectHandle obj) {
  return (TVMFFIOpaqueObjectCell*)((char*)obj + sizeof(TVMFFIObject));
}

/*! \brief Cell of a Shape object. */
TVM_FFI_C_INLINE TVMFFIShapeCell* TVMFFIShapeGetCellPtr(TVMFFIObjectHandle obj) {
  return (TVMFFIShapeCell*)((char*)obj + sizeof(TVMFFIObject));
}

/*! \brief The DLTensor embedded in a Tensor object. */
TVM_FFI_C_INLINE DLTensor* TVMFFITensorGetDLTensorPtr(TVMFFIObjectHandle obj) {
  return (DLTensor*)((char*)obj + sizeof(TVMFFIObject));
}

/*! \brief Make a DLDevice from (device_type, device_id). */
TVM_FFI_C_INLINE DLDevice TVMFFIDLDeviceFromIntPair(int32_t device_type, int32_t device_id) {
  DLDevice dev;
  dev.device_type = (DLDeviceType)device_type;
  dev.device_id = device_id;
  return dev;
}

#ifdef __cplusplus
}  // extern "C"
#endif

/* ---- layout checks (LP64) ---- */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIAny) == 16, "TVMFFIAny must be 16 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIObject) == 24, "TVMFFIObject must be 24 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIByteArray) == 16, "TVMFFIByteArray must be 16 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIShapeCell) == 16, "TVMFFIShapeCell must be 16 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFISeqCell) == 32, "TVMFFISeqCell must be 32 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIErrorCell) == 72, "TVMFFIErrorCell must be 72 bytes");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFIErrorCell, update_backtrace) == 48, "ErrorCell layout");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFIErrorCell, cause_chain) == 56, "ErrorCell layout");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIFunctionCell) == 16, "TVMFFIFunctionCell must be 16 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIOpaqueObjectCell) == 8, "OpaqueObjectCell must be 8 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIVersion) == 12, "TVMFFIVersion must be 12 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIFieldInfo) == 120, "TVMFFIFieldInfo must be 120 bytes");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFIFieldInfo, getter) == 80, "FieldInfo layout");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFIFieldInfo, default_value_or_factory) == 96,
                        "FieldInfo layout");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFIFieldInfo, field_static_type_index) == 112,
                        "FieldInfo layout");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFIMethodInfo) == 72, "TVMFFIMethodInfo must be 72 bytes");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFIMethodInfo, method) == 56, "MethodInfo layout");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFITypeMetadata) == 32, "TVMFFITypeMetadata must be 32 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFITypeInfo) == 72, "TVMFFITypeInfo must be 72 bytes");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFITypeInfo, type_ancestors) == 24, "TypeInfo layout");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFITypeInfo, num_fields) == 40, "TypeInfo layout");
TVM_FFI_C_STATIC_ASSERT(offsetof(TVMFFITypeInfo, metadata) == 64, "TypeInfo layout");
TVM_FFI_C_STATIC_ASSERT(sizeof(TVMFFITypeAttrColumn) == 16, "TypeAttrColumn must be 16 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(DLTensor) == 48, "DLTensor must be 48 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(DLDataType) == 4, "DLDataType must be 4 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(DLDevice) == 8, "DLDevice must be 8 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(DLManagedTensor) == 64, "DLManagedTensor must be 64 bytes");
TVM_FFI_C_STATIC_ASSERT(sizeof(DLManagedTensorVersioned) == 80,
                        "DLManagedTensorVersioned must be 80 bytes");
#endif

#endif  // TVM_FFI_C_API_H_
