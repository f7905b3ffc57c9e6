/*
 * tvm-ffi-orcjit C++ authoring API: Array<T>.
 *
 * ArrayObj layout: the 24-byte header, then TVMFFISeqCell {data, size, capacity, data_deleter}
 * at offset 24; elements are owned TVMFFIAny slots. Arrays made by these headers keep the
 * elements inline after the 56-byte object (data_deleter == NULL). Arrays are immutable when
 * shared: mutation copies unless the reference is unique (copy-on-write).
 */
#ifndef TVM_FFI_CONTAINER_ARRAY_H_
#define TVM_FFI_CONTAINER_ARRAY_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/container_details.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tvm {
namespace ffi {

/*! \brief Array object: header + TVMFFISeqCell; elements are owned Any values. */
class ArrayObj : public Object, public TVMFFISeqCell {
 public:
  ArrayObj() {
    this->data = nullptr;
    this->size = 0;
    this->capacity = 0;
    this->data_deleter = nullptr;
  }
  ~ArrayObj() {
    Any* elems = begin();
    for (int64_t i = 0; i < this->size; ++i) elems[i].~Any();
    if (this->data_deleter != nullptr) this->data_deleter(this->data);
  }
  ArrayObj(const ArrayObj&) = delete;
  ArrayObj& operator=(const ArrayObj&) = delete;

  Any* begin() const { return static_cast<Any*>(this->data); }
  Any* end() const { return begin() + this->size; }
  const Any& operator[](int64_t i) const { return begin()[i]; }
  int64_t length() const { return this->size; }

  /*! \brief An empty array with room for `capacity` elements stored inline. */
  static ObjectPtr<ArrayObj> Empty(int64_t capacity) {
    ObjectPtr<ArrayObj> p = make_inplace_array_object<ArrayObj, TVMFFIAny>(
        static_cast<size_t>(capacity));
    p->data = reinterpret_cast<char*>(p.get()) + sizeof(ArrayObj);
    p->size = 0;
    p->capacity = capacity;
    return p;
  }
  /*! \brief Append (capacity must suffice). */
  void EmplaceUnchecked(Any value) {
    new (begin() + this->size) Any(std::move(value));
    ++this->size;
  }
  /*! \brief Copy of this array with the given capacity (>= size). */
  ObjectPtr<ArrayObj> CopyWithCapacity(int64_t capacity) const {
    ObjectPtr<ArrayObj> p = Empty(capacity);
    for (int64_t i = 0; i < this->size; ++i) p->EmplaceUnchecked(begin()[i]);
    return p;
  }

  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Array", kTVMFFIArray, ArrayObj, Object)
};

static_assert(sizeof(ArrayObj) == 56, "ArrayObj layout");

/*!
 * \brief Reference to an immutable-when-shared array of T (T = Any for heterogeneous arrays).
 */
template <typename T>
class Array : public ObjectRef {
 public:
  using value_type = T;
  using _ffi_custom_type_traits = void;

  /*! \brief Value-returning iterator. */
  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = T;
    iterator(const Any* p) : p_(p) {}  // NOLINT
    T operator*() const { return AnyView(*p_).template cast<T>(); }
    iterator& operator++() { ++p_; return *this; }
    iterator operator++(int) { iterator t = *this; ++p_; return t; }
    iterator& operator--() { --p_; return *this; }
    iterator& operator+=(difference_type n) { p_ += n; return *this; }
    iterator operator+(difference_type n) const { return iterator(p_ + n); }
    iterator operator-(difference_type n) const { return iterator(p_ - n); }
    difference_type operator-(const iterator& o) const { return p_ - o.p_; }
    bool operator==(const iterator& o) const { return p_ == o.p_; }
    bool operator!=(const iterator& o) const { return p_ != o.p_; }
    bool operator<(const iterator& o) const { return p_ < o.p_; }
   private:
    const Any* p_;
  };
  using const_iterator = iterator;

  Array() : ObjectRef(ObjectPtr<Object>(ArrayObj::Empty(0))) {}
  explicit Array(UnsafeInit tag) : ObjectRef(tag) {}
  explicit Array(ObjectPtr<Object> n) : ObjectRef(std::move(n)) {}
  Array(std::initializer_list<T> init) : Array(init.begin(), init.end()) {}
  Array(const std::vector<T>& init) : Array(init.begin(), init.end()) {}  // NOLINT
  Array(size_t n, const T& value) {
    ObjectPtr<ArrayObj> p = ArrayObj::Empty(static_cast<int64_t>(n));
    for (size_t i = 0; i < n; ++i) p->EmplaceUnchecked(Any(value));
    data_ = std::move(p);
  }
  template <typename IterType,
            typename = std::enable_if_t<!std::is_integral_v<IterType>>>
  Array(IterType first, IterType last) {
    int64_t n = static_cast<int64_t>(std::distance(first, last));
    ObjectPtr<ArrayObj> p = ArrayObj::Empty(n);
    for (; first != last; ++first) p->EmplaceUnchecked(Any(T(*first)));
    data_ = std::move(p);
  }
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(Array)

  const ArrayObj* GetArrayObj() const { return static_cast<const ArrayObj*>(data_.get()); }
  const ArrayObj* get() const { return GetArrayObj(); }
  const ArrayObj* operator->() const { return GetArrayObj(); }

  size_t size() const { return GetArrayObj() != nullptr ? static_cast<size_t>(GetArrayObj()->size) : 0; }
  bool empty() const { return size() == 0; }
  T operator[](int64_t i) const { return AnyView((*GetArrayObj())[i]).template cast<T>(); }
  T at(int64_t i) const {
    if (i < 0 || i >= static_cast<int64_t>(size())) {
      TVM_FFI_THROW(IndexError) << "Array index " << i << " out of range for size " << size();
    }
    return (*this)[i];
  }
  T front() const { return at(0); }
  T back() const { return at(static_cast<int64_t>(size()) - 1); }
  iterator begin() const { return iterator(GetArrayObj()->begin()); }
  iterator end() const { return iterator(GetArrayObj()->end()); }

  void push_back(const T& value) {
    ArrayObj* p = CopyOnWrite(1);
    p->EmplaceUnchecked(Any(value));
  }
  template <typename... Args>
  void emplace_back(Args&&... args) {
    push_back(T(std::forward<Args>(args)...));
  }
  void pop_back() {
    if (empty()) TVM_FFI_THROW(IndexError) << "pop_back on an empty Array";
    ArrayObj* p = CopyOnWrite(0);
    p->begin()[p->size - 1].~Any();
    --p->size;
  }
  void Set(int64_t i, T value) {
    if (i < 0 || i >= static_cast<int64_t>(size())) {
      TVM_FFI_THROW(IndexError) << "Array index " << i << " out of range for size " << size();
    }
    ArrayObj* p = CopyOnWrite(0);
    p->begin()[i] = Any(std::move(value));
  }
  void clear() { data_ = ObjectPtr<Object>(ArrayObj::Empty(0)); }
  void reserve(size_t n) {
    if (static_cast<int64_t>(n) > GetArrayObj()->capacity) {
      data_ = ObjectPtr<Object>(GetArrayObj()->CopyWithCapacity(static_cast<int64_t>(n)));
    }
  }
  void insert(iterator pos, const T& value) {
    int64_t idx = pos - begin();
    std::vector<Any> items(GetArrayObj()->begin(), GetArrayObj()->end());
    items.insert(items.begin() + idx, Any(value));
    Rebuild(items);
  }
  void erase(iterator pos) {
    int64_t idx = pos - begin();
    std::vector<Any> items(GetArrayObj()->begin(), GetArrayObj()->end());
    items.erase(items.begin() + idx);
    Rebuild(items);
  }
  /*! \brief New array with f applied to every element. */
  template <typename F, typename U = std::decay_t<std::invoke_result_t<F, T>>>
  Array<U> Map(F f) const {
    std::vector<U> out;
    out.reserve(size());
    for (T v : *this) out.push_back(f(v));
    return Array<U>(out);
  }

 private:
  /*! \brief Ensure a uniquely owned array with room for `extra` more elements. */
  ArrayObj* CopyOnWrite(int64_t extra) {
    const ArrayObj* cur = GetArrayObj();
    int64_t need = cur->size + extra;
    if (!data_.unique() || need > cur->capacity || cur->data_deleter != nullptr) {
      int64_t cap = cur->capacity;
      if (need > cap) cap = std::max<int64_t>(need, cap * 2 < 4 ? 4 : cap * 2);
      data_ = ObjectPtr<Object>(cur->CopyWithCapacity(cap));
    }
    return static_cast<ArrayObj*>(data_.get());
  }
  void Rebuild(const std::vector<Any>& items) {
    ObjectPtr<ArrayObj> p = ArrayObj::Empty(static_cast<int64_t>(items.size()));
    for (const Any& a : items) p->EmplaceUnchecked(a);
    data_ = std::move(p);
  }
};

template <typename T>
struct TypeTraits<Array<T>> : details::StaticIndexRefTraits<Array<T>, kTVMFFIArray> {
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj == nullptr || obj->type_index != kTVMFFIArray) return false;
    if constexpr (std::is_same_v<T, Any>) {
      return true;
    } else {
      const TVMFFISeqCell* cell = reinterpret_cast<const TVMFFISeqCell*>(obj + 1);
      const TVMFFIAny* elems = static_cast<const TVMFFIAny*>(cell->data);
      for (int64_t i = 0; i < cell->size; ++i) {
        if (!TypeTraitsNoCR<T>::CheckAnyStrict(&elems[i])) return false;
      }
      return true;
    }
  }
  static std::optional<Array<T>> TryCastFromAnyView(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    // A List converts too (into a new Array, as its elements may change later).
    if (obj == nullptr || (obj->type_index != kTVMFFIArray && obj->type_index != kTVMFFIList)) {
      return std::nullopt;
    }
    if (obj->type_index == kTVMFFIArray && CheckAnyStrict(src)) {
      return details::ObjectUnsafe::ObjectRefFromUnowned<Array<T>>(
          details::ObjectUnsafe::ObjectFromHandle(obj));
    }
    const TVMFFISeqCell* cell = reinterpret_cast<const TVMFFISeqCell*>(obj + 1);
    const TVMFFIAny* elems = static_cast<const TVMFFIAny*>(cell->data);
    ObjectPtr<ArrayObj> p = ArrayObj::Empty(cell->size);
    for (int64_t i = 0; i < cell->size; ++i) {
      std::optional<T> v = details::TryCastAnyView<T>(&elems[i]);
      if (!v.has_value()) return std::nullopt;
      p->EmplaceUnchecked(Any(std::move(*v)));
    }
    return Array<T>(ObjectPtr<Object>(std::move(p)));
  }
  static std::string GetMismatchTypeInfo(const TVMFFIAny* src) {
    return details::SeqMismatchInfo<T>(src, kTVMFFIArray, kTVMFFIList);
  }
  static std::string TypeStr() { return "Array[" + details::Type2Str<T>() + "]"; }
  static std::string TypeSchema() {
    return "{\"type\":\"ffi.Array\",\"args\":[" + details::TypeSchemaJSON<T>() + "]}";
  }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_ARRAY_H_
