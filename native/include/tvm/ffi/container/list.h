/*
 * tvm-ffi-orcjit C++ authoring API: List<T>, a mutable sequence (type key "ffi.List").
 *
 * Unlike Array, a List is shared, not copied on write: every reference sees every change.
 * Its slots live in a separate heap block (data_deleter set) so that it can grow in place.
 * A List parameter also accepts an Array (copied into a new List).
 */
#ifndef TVM_FFI_CONTAINER_LIST_H_
#define TVM_FFI_CONTAINER_LIST_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/array.h>
#include <tvm/ffi/container/container_details.h>
#include <tvm/ffi/container/seq_base.h>
#include <tvm/ffi/object.h>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tvm {
namespace ffi {

/*! \brief The List object: SeqBaseObj with a growable heap block. */
class ListObj : public SeqBaseObj {
 public:
  /*! \brief Empty list with room for n elements. */
  static ObjectPtr<ListObj> Empty(int64_t n = 4) {
    if (n < 0) TVM_FFI_THROW(ValueError) << "cannot make a List of negative size " << n;
    ObjectPtr<ListObj> p = make_object<ListObj>();
    p->data = n == 0 ? nullptr : ::operator new(sizeof(Any) * static_cast<size_t>(n));
    p->TVMFFISeqCell::capacity = n;
    p->data_deleter = &FreeBlock;
    return p;
  }
  /*! \brief n copies of val. */
  static ObjectPtr<ListObj> CreateRepeated(int64_t n, const Any& val) {
    ObjectPtr<ListObj> p = Empty(n);
    for (int64_t i = 0; i < n; ++i) p->EmplaceInit(p->TVMFFISeqCell::size++, val);
    return p;
  }
  /*! \brief Make room for at least n elements (moves the slots to a new block). */
  void Reserve(int64_t n) {
    if (n <= TVMFFISeqCell::capacity) return;
    Any* old_data = MutableBegin();
    Any* fresh = static_cast<Any*>(::operator new(sizeof(Any) * static_cast<size_t>(n)));
    for (int64_t i = 0; i < TVMFFISeqCell::size; ++i) {
      new (fresh + i) Any(std::move(old_data[i]));
      old_data[i].~Any();
    }
    if (old_data != nullptr) FreeBlock(old_data);
    this->data = fresh;
    TVMFFISeqCell::capacity = n;
  }
  /*! \brief Reserve room for `extra` more elements, doubling the capacity when growing. */
  void Grow(int64_t extra) {
    int64_t need = TVMFFISeqCell::size + extra;
    if (need <= TVMFFISeqCell::capacity) return;
    Reserve(std::max<int64_t>(need, TVMFFISeqCell::capacity * 2));
  }

  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.List", kTVMFFIList, ListObj, Object)

 private:
  static void FreeBlock(void* block) { ::operator delete(block); }
};

static_assert(sizeof(ListObj) == 56, "ListObj layout");

/*! \brief Reference to a mutable, shared sequence of T (T = Any for heterogeneous lists). */
template <typename T, typename = std::enable_if_t<details::storage_enabled_v<T>>>
class List : public ObjectRef {
 public:
  using value_type = T;
  using _ffi_custom_type_traits = void;

  struct ValueConverter {
    using ResultType = T;
    static T convert(const Any& v) {
      if constexpr (std::is_same_v<T, Any>) {
        return v;
      } else {
        return AnyView(v).template cast<T>();
      }
    }
  };
  using iterator = details::IterAdapter<ValueConverter, const Any*>;
  using const_iterator = iterator;
  using reverse_iterator = details::ReverseIterAdapter<ValueConverter, const Any*>;

  List() : ObjectRef(ObjectPtr<Object>(ListObj::Empty(0))) {}
  explicit List(UnsafeInit tag) : ObjectRef(tag) {}
  explicit List(ObjectPtr<Object> n) : ObjectRef(std::move(n)) {}
  List(std::initializer_list<T> init) : List() { Assign(init.begin(), init.end()); }
  List(const std::vector<T>& init) : List() { Assign(init.begin(), init.end()); }  // NOLINT
  template <typename IterType, typename = std::enable_if_t<!std::is_integral_v<IterType>>>
  List(IterType first, IterType last) : List() {
    Assign(first, last);
  }
  explicit List(size_t n, const T& val)
      : ObjectRef(ObjectPtr<Object>(ListObj::CreateRepeated(static_cast<int64_t>(n), Any(val)))) {}
  /*! \brief A List<U> whose elements are all T (shares the object). */
  template <typename U, typename = std::enable_if_t<details::type_contains_v<T, U> &&
                                                    !std::is_same_v<T, U>>>
  List(const List<U>& other) : ObjectRef(details::ObjectUnsafe::GetObjectPtr(other)) {}  // NOLINT
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(List)

  ListObj* GetListObj() const { return static_cast<ListObj*>(data_.get()); }
  const ListObj* get() const { return GetListObj(); }
  const ListObj* operator->() const { return GetListObj(); }

  iterator begin() const { return iterator(GetListObj()->begin()); }
  iterator end() const { return iterator(GetListObj()->end()); }
  reverse_iterator rbegin() const { return reverse_iterator(GetListObj()->end() - 1); }
  reverse_iterator rend() const { return reverse_iterator(GetListObj()->begin() - 1); }

  size_t size() const { return data_ == nullptr ? 0 : GetListObj()->size(); }
  size_t capacity() const { return data_ == nullptr ? 0 : GetListObj()->capacity(); }
  bool empty() const { return size() == 0; }
  T operator[](int64_t i) const { return ValueConverter::convert(Obj()->at(i)); }
  T at(int64_t i) const { return (*this)[i]; }
  T front() const { return ValueConverter::convert(Obj()->front()); }
  T back() const { return ValueConverter::convert(Obj()->back()); }

  void push_back(const T& item) {
    ListObj* p = Mutable(1);
    p->EmplaceInit(p->TVMFFISeqCell::size++, Any(item));
  }
  template <typename... Args>
  void emplace_back(Args&&... args) {
    push_back(T(std::forward<Args>(args)...));
  }
  void insert(iterator pos, const T& val) {
    int64_t idx = pos - begin();
    Mutable(1)->insert(idx, Any(val));
  }
  template <typename IterType>
  void insert(iterator pos, IterType first, IterType last) {
    int64_t idx = pos - begin();
    for (; first != last; ++first, ++idx) Mutable(1)->insert(idx, Any(T(*first)));
  }
  void pop_back() { Obj()->pop_back(); }
  void erase(iterator pos) { Obj()->erase(pos - begin()); }
  void erase(iterator first, iterator last) { Obj()->erase(first - begin(), last - begin()); }
  void resize(int64_t n) {
    if (n < 0) TVM_FFI_THROW(ValueError) << "cannot resize a List to negative size " << n;
    ListObj* p = Mutable(0);
    p->Reserve(n);
    p->resize(n);
  }
  void reserve(int64_t n) { Mutable(0)->Reserve(n); }
  void clear() {
    if (data_ != nullptr) GetListObj()->clear();
  }
  /*! \brief Replace element i (IndexError when out of range). */
  void Set(int64_t i, T value) { Obj()->SetItem(i, Any(std::move(value))); }
  /*! \brief Replace the contents with [first, last). */
  template <typename IterType>
  void Assign(IterType first, IterType last) {
    ListObj* p = Mutable(0);
    p->clear();
    p->Reserve(static_cast<int64_t>(std::distance(first, last)));
    for (; first != last; ++first) p->EmplaceInit(p->TVMFFISeqCell::size++, Any(T(*first)));
  }

 private:
  ListObj* Obj() const {
    if (data_ == nullptr) TVM_FFI_THROW(IndexError) << "cannot index a null List";
    return GetListObj();
  }
  ListObj* Mutable(int64_t extra) {
    if (data_ == nullptr) data_ = ObjectPtr<Object>(ListObj::Empty());
    ListObj* p = GetListObj();
    p->Grow(extra);
    return p;
  }
};

template <typename T>
struct TypeTraits<List<T>> : details::StaticIndexRefTraits<List<T>, kTVMFFIList> {
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj == nullptr || obj->type_index != kTVMFFIList) return false;
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
  /*!
   * A List whose elements already are T is shared (mutations are seen by the caller); an
   * Array, or a List whose elements need converting, is copied into a new List.
   */
  static std::optional<List<T>> TryCastFromAnyView(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj == nullptr || (obj->type_index != kTVMFFIList && obj->type_index != kTVMFFIArray)) {
      return std::nullopt;
    }
    if (CheckAnyStrict(src)) {
      return details::ObjectUnsafe::ObjectRefFromUnowned<List<T>>(
          details::ObjectUnsafe::ObjectFromHandle(obj));
    }
    const TVMFFISeqCell* cell = reinterpret_cast<const TVMFFISeqCell*>(obj + 1);
    const TVMFFIAny* elems = static_cast<const TVMFFIAny*>(cell->data);
    ObjectPtr<ListObj> p = ListObj::Empty(cell->size);
    for (int64_t i = 0; i < cell->size; ++i) {
      std::optional<T> v = details::TryCastAnyView<T>(&elems[i]);
      if (!v.has_value()) return std::nullopt;
      p->EmplaceInit(p->TVMFFISeqCell::size++, Any(std::move(*v)));
    }
    return List<T>(ObjectPtr<Object>(std::move(p)));
  }
  static std::string GetMismatchTypeInfo(const TVMFFIAny* src) {
    return details::SeqMismatchInfo<T>(src, kTVMFFIList, kTVMFFIArray);
  }
  static std::string TypeStr() { return "List[" + details::Type2Str<T>() + "]"; }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_LIST_H_
