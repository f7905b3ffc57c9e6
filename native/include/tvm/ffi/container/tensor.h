/*
 * tvm-ffi-orcjit C++ authoring API: Tensor (owning, refcounted) and TensorView (borrowed).
 *
 * TensorObj layout: header + a full DLTensor (48 bytes) at offset 24; anything after offset 72
 * is private to whoever made the object. A TensorView parameter accepts a borrowed DLTensor*
 * (kTVMFFIDLTensorPtr) or a Tensor object; a Tensor parameter needs a Tensor object.
 */
#ifndef TVM_FFI_CONTAINER_TENSOR_H_
#define TVM_FFI_CONTAINER_TENSOR_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/shape.h>
#include <tvm/ffi/dtype.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/extra/c_env_api.h>
#include <tvm/ffi/object.h>

#include <string>
#include <utility>
#include <vector>

namespace tvm {
namespace ffi {

namespace details {

/*! \brief Compact row-major strides of a shape. */
inline std::vector<int64_t> MakeContiguousStrides(const int64_t* shape, int32_t ndim) {
  std::vector<int64_t> strides(static_cast<size_t>(ndim > 0 ? ndim : 0));
  int64_t s = 1;
  for (int32_t i = ndim - 1; i >= 0; --i) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

inline int64_t DLTensorNumel(const DLTensor& t) {
  int64_t n = 1;
  for (int32_t i = 0; i < t.ndim; ++i) n *= t.shape[i];
  return n;
}

inline bool DLTensorIsContiguous(const DLTensor& t) {
  if (t.strides == nullptr) return true;
  int64_t expected = 1;
  for (int32_t i = t.ndim - 1; i >= 0; --i) {
    if (t.shape[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

inline int64_t NormalizeDim(int64_t idx, int32_t ndim) {
  int64_t i = idx < 0 ? idx + ndim : idx;
  if (i < 0 || i >= ndim) {
    TVM_FFI_THROW(IndexError) << "dimension " << idx << " out of range for a " << ndim
                              << "-d tensor";
  }
  return i;
}

}  // namespace details

/*! \brief Tensor object: header + DLTensor. */
class TensorObj : public Object, public DLTensor {
 public:
  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Tensor", kTVMFFITensor, TensorObj, Object)
};

static_assert(sizeof(TensorObj) == 72, "TensorObj layout");

/*! \brief Shared accessors of Tensor and TensorView over a DLTensor. */
#define TVM_FFI_TENSOR_ACCESSORS_(TENSOR_EXPR)                                                  \
  int32_t ndim() const { return (TENSOR_EXPR).ndim; }                                           \
  ShapeView shape() const {                                                                     \
    return ShapeView((TENSOR_EXPR).shape, static_cast<size_t>((TENSOR_EXPR).ndim));             \
  }                                                                                             \
  int64_t size(int64_t idx) const {                                                             \
    return (TENSOR_EXPR).shape[::tvm::ffi::details::NormalizeDim(idx, (TENSOR_EXPR).ndim)];     \
  }                                                                                             \
  int64_t stride(int64_t idx) const {                                                           \
    int64_t i = ::tvm::ffi::details::NormalizeDim(idx, (TENSOR_EXPR).ndim);                     \
    if ((TENSOR_EXPR).strides != nullptr) return (TENSOR_EXPR).strides[i];                      \
    int64_t s = 1;                                                                              \
    for (int32_t j = (TENSOR_EXPR).ndim - 1; j > i; --j) s *= (TENSOR_EXPR).shape[j];           \
    return s;                                                                                   \
  }                                                                                             \
  DLDataType dtype() const { return (TENSOR_EXPR).dtype; }                                      \
  DLDevice device() const { return (TENSOR_EXPR).device; }                                      \
  void* data_ptr() const {                                                                      \
    return static_cast<char*>((TENSOR_EXPR).data) + (TENSOR_EXPR).byte_offset;                  \
  }                                                                                             \
  uint64_t byte_offset() const { return (TENSOR_EXPR).byte_offset; }                            \
  int64_t numel() const { return ::tvm::ffi::details::DLTensorNumel(TENSOR_EXPR); }             \
  int64_t GetDataSize() const {                                                                 \
    return numel() * ::tvm::ffi::DataTypeBytes((TENSOR_EXPR).dtype);                            \
  }                                                                                             \
  bool IsContiguous() const { return ::tvm::ffi::details::DLTensorIsContiguous(TENSOR_EXPR); } \
  bool IsAligned(size_t alignment) const {                                                      \
    return reinterpret_cast<uintptr_t>(data_ptr()) % alignment == 0;                            \
  }

/*!
 * \brief Reference to a Tensor object (owns its memory through the object's deleter).
 */
class Tensor : public ObjectRef {
 public:
  Tensor() = default;
  Tensor(std::nullptr_t) {}  // NOLINT
  explicit Tensor(UnsafeInit tag) : ObjectRef(tag) {}
  explicit Tensor(ObjectPtr<TensorObj> n) : ObjectRef(std::move(n)) {}
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(Tensor)

  const TensorObj* get() const { return static_cast<const TensorObj*>(data_.get()); }
  const TensorObj* operator->() const { return get(); }
  /*! \brief The DLTensor at object + 24. */
  DLTensor* GetDLTensorPtr() const {
    return const_cast<DLTensor*>(static_cast<const DLTensor*>(get()));
  }

  TVM_FFI_TENSOR_ACCESSORS_(*GetDLTensorPtr())

  /*! \brief Strides (computed for compact tensors that store none). */
  Shape strides() const {
    const DLTensor& t = *GetDLTensorPtr();
    if (t.strides != nullptr) return Shape(ShapeView(t.strides, static_cast<size_t>(t.ndim)));
    return Shape(details::MakeContiguousStrides(t.shape, t.ndim));
  }

  /*!
   * \brief A tensor whose memory comes from `alloc`, an object with
   * `void AllocData(DLTensor*)` and `void FreeData(DLTensor*)`.
   */
  template <typename TNDAlloc, typename... ExtraArgs>
  static Tensor FromNDAlloc(TNDAlloc alloc, ShapeView shape, DLDataType dtype, DLDevice device,
                            ExtraArgs&&... extra_args);

  /*! \brief A tensor allocated by an env allocator such as TVMFFIEnvTensorAlloc. */
  static Tensor FromEnvAlloc(int (*env_alloc)(DLTensor*, TVMFFIObjectHandle*), ShapeView shape,
                             DLDataType dtype, DLDevice device) {
    DLTensor prototype{};
    prototype.data = nullptr;
    prototype.device = device;
    prototype.ndim = static_cast<int32_t>(shape.size());
    prototype.dtype = dtype;
    prototype.shape = const_cast<int64_t*>(shape.data());
    prototype.strides = nullptr;
    prototype.byte_offset = 0;
    TVMFFIObjectHandle out = nullptr;
    TVM_FFI_CHECK_SAFE_CALL(env_alloc(&prototype, &out));
    return details::ObjectUnsafe::ObjectRefFromOwned<Tensor>(
        details::ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(out)));
  }

  /*! \brief Allocate with the runtime's current env allocator (CPU by default). */
  static Tensor Empty(ShapeView shape, DLDataType dtype, DLDevice device) {
    return FromEnvAlloc(TVMFFIEnvTensorAlloc, shape, dtype, device);
  }

  /*! \brief Take ownership of a DLPack tensor (legacy). */
  static Tensor FromDLPack(DLManagedTensor* from, size_t require_alignment = 0,
                           bool require_contiguous = false) {
    TVMFFIObjectHandle out = nullptr;
    TVM_FFI_CHECK_SAFE_CALL(TVMFFITensorFromDLPack(from, static_cast<int32_t>(require_alignment),
                                                   require_contiguous ? 1 : 0, &out));
    return details::ObjectUnsafe::ObjectRefFromOwned<Tensor>(
        details::ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(out)));
  }
  /*! \brief Take ownership of a versioned DLPack tensor. */
  static Tensor FromDLPackVersioned(DLManagedTensorVersioned* from, size_t require_alignment = 0,
                                    bool require_contiguous = false) {
    TVMFFIObjectHandle out = nullptr;
    TVM_FFI_CHECK_SAFE_CALL(TVMFFITensorFromDLPackVersioned(
        from, static_cast<int32_t>(require_alignment), require_contiguous ? 1 : 0, &out));
    return details::ObjectUnsafe::ObjectRefFromOwned<Tensor>(
        details::ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(out)));
  }
  /*! \brief Export as a DLPack tensor sharing this memory. */
  DLManagedTensor* ToDLPack() const {
    DLManagedTensor* out = nullptr;
    TVM_FFI_CHECK_SAFE_CALL(TVMFFITensorToDLPack(details::ObjectUnsafe::GetHandle(*this), &out));
    return out;
  }
  DLManagedTensorVersioned* ToDLPackVersioned() const {
    DLManagedTensorVersioned* out = nullptr;
    TVM_FFI_CHECK_SAFE_CALL(
        TVMFFITensorToDLPackVersioned(details::ObjectUnsafe::GetHandle(*this), &out));
    return out;
  }

  using ContainerType = TensorObj;
  static constexpr bool _type_is_nullable = true;
};

namespace details {

/*! \brief Tensor object made by Tensor::FromNDAlloc: owns shape/strides and the allocator. */
template <typename TNDAlloc>
class TensorObjFromNDAlloc : public TensorObj {
 public:
  template <typename... ExtraArgs>
  TensorObjFromNDAlloc(TNDAlloc alloc, ShapeView shape, DLDataType dtype, DLDevice device,
                       ExtraArgs&&... extra_args)
      : alloc_(std::move(alloc)),
        shape_(shape.begin(), shape.end()),
        strides_(MakeContiguousStrides(shape.data(), static_cast<int32_t>(shape.size()))) {
    this->data = nullptr;
    this->device = device;
    this->ndim = static_cast<int32_t>(shape_.size());
    this->dtype = dtype;
    this->shape = shape_.data();
    this->strides = strides_.data();
    this->byte_offset = 0;
    alloc_.AllocData(static_cast<DLTensor*>(this), std::forward<ExtraArgs>(extra_args)...);
  }
  ~TensorObjFromNDAlloc() { alloc_.FreeData(static_cast<DLTensor*>(this)); }

 private:
  TNDAlloc alloc_;
  std::vector<int64_t> shape_;
  std::vector<int64_t> strides_;
};

}  // namespace details

template <typename TNDAlloc, typename... ExtraArgs>
inline Tensor Tensor::FromNDAlloc(TNDAlloc alloc, ShapeView shape, DLDataType dtype,
                                  DLDevice device, ExtraArgs&&... extra_args) {
  return Tensor(ObjectPtr<TensorObj>(make_object<details::TensorObjFromNDAlloc<TNDAlloc>>(
      std::move(alloc), shape, dtype, device, std::forward<ExtraArgs>(extra_args)...)));
}

/*!
 * \brief Borrowed view of a tensor (a copy of its DLTensor descriptor); valid while the
 * underlying memory lives — for an argument, during the call. `x->field` reads the DLTensor.
 */
class TensorView {
 public:
  TensorView(const DLTensor* tensor) : tensor_(*tensor) {}  // NOLINT
  TensorView(const Tensor& tensor) : tensor_(*tensor.GetDLTensorPtr()) {}  // NOLINT
  TensorView(const TensorView&) = default;
  TensorView& operator=(const TensorView&) = default;

  const DLTensor* operator->() const { return &tensor_; }
  const DLTensor* GetDLTensorPtr() const { return &tensor_; }

  TVM_FFI_TENSOR_ACCESSORS_(tensor_)

  /*! \brief Strides (computed for compact tensors that store none). */
  ShapeView strides() const {
    if (tensor_.strides != nullptr) {
      return ShapeView(tensor_.strides, static_cast<size_t>(tensor_.ndim));
    }
    if (computed_strides_.size() != static_cast<size_t>(tensor_.ndim)) {
      computed_strides_ = details::MakeContiguousStrides(tensor_.shape, tensor_.ndim);
    }
    return ShapeView(computed_strides_.data(), computed_strides_.size());
  }

 private:
  DLTensor tensor_;
  mutable std::vector<int64_t> computed_strides_;
};

#undef TVM_FFI_TENSOR_ACCESSORS_

template <>
struct TypeTraits<TensorView> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIDLTensorPtr;
  static void CopyToAnyView(const TensorView& src, TVMFFIAny* out) {
    out->type_index = kTVMFFIDLTensorPtr;
    out->zero_padding = 0;
    out->v_int64 = 0;
    out->v_ptr = const_cast<DLTensor*>(src.GetDLTensorPtr());
  }
  /*! \note A view never owns: the value is a borrowed DLTensor* to the view's descriptor. */
  static void MoveToAny(const TensorView& src, TVMFFIAny* out) { CopyToAnyView(src, out); }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index == kTVMFFIDLTensorPtr;
  }
  static std::optional<TensorView> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIDLTensorPtr && src->v_ptr != nullptr) {
      return TensorView(static_cast<const DLTensor*>(src->v_ptr));
    }
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj != nullptr && obj->type_index == kTVMFFITensor) {
      return TensorView(TVMFFITensorGetDLTensorPtr(obj));
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "Tensor"; }
  // Takes what a DLTensor* parameter takes (views and Tensor objects).
  static std::string TypeSchema() { return "{\"type\":\"DLTensor*\"}"; }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_TENSOR_H_
