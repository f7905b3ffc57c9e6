/*
 * tvm-ffi-orcjit C++ authoring API: Shape (immutable int64 tuple) and ShapeView.
 * ShapeObj layout: header + TVMFFIShapeCell {data, size} at offset 24; shapes made here keep
 * their int64 values inline after the 40-byte object.
 */
#ifndef TVM_FFI_CONTAINER_SHAPE_H_
#define TVM_FFI_CONTAINER_SHAPE_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>

#include <cstring>
#include <initializer_list>
#include <iterator>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tvm {
namespace ffi {

/*! \brief Non-owning view of int64 values (a shape or strides). */
class ShapeView {
 public:
  ShapeView() = default;
  ShapeView(const int64_t* data, size_t size) : data_(data), size_(size) {}
  /*!
   * \brief View of a braced list, e.g. Tensor::Empty({n, 3}, ...). The list's storage lives
   * until the end of the full expression, so use it only as a call argument.
   */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"  // intended: a view, as documented
#endif
  ShapeView(std::initializer_list<int64_t> list) : data_(list.begin()), size_(list.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  const int64_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t operator[](size_t i) const { return data_[i]; }
  int64_t at(int64_t i) const {
    if (i < 0) i += static_cast<int64_t>(size_);
    if (i < 0 || i >= static_cast<int64_t>(size_)) {
      TVM_FFI_THROW(IndexError) << "index " << i << " out of range for size " << size_;
    }
    return data_[i];
  }
  int64_t front() const { return at(0); }
  int64_t back() const { return at(static_cast<int64_t>(size_) - 1); }
  const int64_t* begin() const { return data_; }
  const int64_t* end() const { return data_ + size_; }
  /*! \brief Product of all values (1 for an empty view). */
  int64_t Product() const {
    int64_t p = 1;
    for (size_t i = 0; i < size_; ++i) p *= data_[i];
    return p;
  }
  bool operator==(const ShapeView& o) const {
    if (size_ != o.size_) return false;
    for (size_t i = 0; i < size_; ++i) {
      if (data_[i] != o.data_[i]) return false;
    }
    return true;
  }
  bool operator!=(const ShapeView& o) const { return !(*this == o); }

 private:
  const int64_t* data_ = nullptr;
  size_t size_ = 0;
};

inline std::ostream& operator<<(std::ostream& os, const ShapeView& s) {
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i == 0 ? "" : ", ") << s[i];
  return os << ']';
}

/*! \brief Shape object: header + TVMFFIShapeCell. */
class ShapeObj : public Object, public TVMFFIShapeCell {
 public:
  ShapeObj() {
    this->data = nullptr;
    this->size = 0;
  }
  /*! \brief New shape object with the values stored inline. */
  static ObjectPtr<ShapeObj> Create(const int64_t* values, size_t n) {
    ObjectPtr<ShapeObj> p = make_inplace_array_object<ShapeObj, int64_t>(n);
    int64_t* dest = reinterpret_cast<int64_t*>(reinterpret_cast<char*>(p.get()) + sizeof(ShapeObj));
    if (n != 0) std::memcpy(dest, values, n * sizeof(int64_t));
    p->data = dest;
    p->size = n;
    return p;
  }
  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Shape", kTVMFFIShape, ShapeObj, Object)
};

static_assert(sizeof(ShapeObj) == 40, "ShapeObj layout");

/*! \brief Reference to an immutable shape (tuple of int64). */
class Shape : public ObjectRef {
 public:
  using _ffi_custom_type_traits = void;
  Shape() : ObjectRef(ObjectPtr<Object>(ShapeObj::Create(nullptr, 0))) {}
  explicit Shape(UnsafeInit tag) : ObjectRef(tag) {}
  explicit Shape(ObjectPtr<Object> n) : ObjectRef(std::move(n)) {}
  Shape(std::initializer_list<int64_t> init)
      : ObjectRef(ObjectPtr<Object>(ShapeObj::Create(init.begin(), init.size()))) {}
  Shape(const std::vector<int64_t>& v)  // NOLINT
      : ObjectRef(ObjectPtr<Object>(ShapeObj::Create(v.data(), v.size()))) {}
  Shape(ShapeView v)  // NOLINT
      : ObjectRef(ObjectPtr<Object>(ShapeObj::Create(v.data(), v.size()))) {}
  template <typename IterType, typename = std::enable_if_t<!std::is_integral_v<IterType>>>
  Shape(IterType first, IterType last) : Shape(std::vector<int64_t>(first, last)) {}
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(Shape)

  const ShapeObj* get() const { return static_cast<const ShapeObj*>(data_.get()); }
  const ShapeObj* operator->() const { return get(); }
  const int64_t* data() const { return get()->data; }
  size_t size() const { return get()->size; }
  bool empty() const { return size() == 0; }
  int64_t operator[](size_t i) const { return data()[i]; }
  int64_t at(int64_t i) const { return view().at(i); }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + size(); }
  int64_t Product() const { return view().Product(); }
  ShapeView view() const { return ShapeView(data(), size()); }
  operator ShapeView() const { return view(); }  // NOLINT
};

inline std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << s.view(); }

template <>
struct TypeTraits<Shape> : details::StaticIndexRefTraits<Shape, kTVMFFIShape> {
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    return obj != nullptr && obj->type_index == kTVMFFIShape;
  }
  /*! \brief Accepts a Shape, or an Array whose elements are all ints. */
  static std::optional<Shape> TryCastFromAnyView(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj == nullptr) return std::nullopt;
    if (obj->type_index == kTVMFFIShape) {
      return details::ObjectUnsafe::ObjectRefFromUnowned<Shape>(
          details::ObjectUnsafe::ObjectFromHandle(obj));
    }
    if (obj->type_index == kTVMFFIArray) {
      const TVMFFISeqCell* cell = reinterpret_cast<const TVMFFISeqCell*>(obj + 1);
      const TVMFFIAny* elems = static_cast<const TVMFFIAny*>(cell->data);
      std::vector<int64_t> values;
      for (int64_t i = 0; i < cell->size; ++i) {
        if (elems[i].type_index != kTVMFFIInt) return std::nullopt;
        values.push_back(elems[i].v_int64);
      }
      return Shape(values);
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "Shape"; }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_SHAPE_H_
