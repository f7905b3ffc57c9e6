/*
 * tvm-ffi-orcjit C++ authoring API: Dict<K, V>, a mutable hash map (type key "ffi.Dict").
 *
 * Same layout as Map (container/map.h) with type index kTVMFFIDict; unlike Map it is shared,
 * not copied on write: every reference sees every change. Its pairs and index live in one
 * heap block (data_deleter set) that is replaced when it grows. Iteration follows insertion
 * order. A Dict parameter also accepts a Map (copied into a new Dict).
 */
#ifndef TVM_FFI_CONTAINER_DICT_H_
#define TVM_FFI_CONTAINER_DICT_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/container_details.h>
#include <tvm/ffi/container/map.h>
#include <tvm/ffi/container/map_base.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/optional.h>

#include <initializer_list>
#include <iterator>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace tvm {
namespace ffi {

/*! \brief The Dict object: MapBaseObj whose storage block can be replaced in place. */
class DictObj : public MapBaseObj {
 public:
  static ObjectPtr<DictObj> Empty(int64_t capacity = 0) {
    ObjectPtr<DictObj> p = make_object<DictObj>();
    p->Reserve(capacity);
    return p;
  }
  /*! \brief Room for at least `capacity` pairs (moves the pairs to a new block). */
  void Reserve(int64_t capacity) {
    if (capacity <= this->capacity && this->data != nullptr) return;
    int64_t index_size = IndexSizeFor(capacity);
    char* block = static_cast<char*>(::operator new(StorageBytes(capacity, index_size) + 1));
    Any* old_slots = reinterpret_cast<Any*>(this->data);
    void* old_block = this->data;
    int64_t n = this->size;
    InitStorage(block, capacity, index_size);
    this->data_deleter = &FreeBlock;
    Any* slots = reinterpret_cast<Any*>(this->data);
    for (int64_t i = 0; i < 2 * n; ++i) {
      new (slots + i) Any(std::move(old_slots[i]));
      old_slots[i].~Any();
    }
    if (old_block != nullptr) FreeBlock(old_block);
    RebuildIndex();
  }
  /*! \brief Insert or replace. */
  void Set(Any key, Any value) {
    int64_t i = Find(details::AnyUnsafe::Raw(key));
    if (i >= 0) {
      SetValueAt(i, std::move(value));
      return;
    }
    if (this->size + 1 > this->capacity) {
      Reserve(this->capacity * 2 < this->size + 1 ? (this->size + 4) : this->capacity * 2);
    }
    AppendUnchecked(std::move(key), std::move(value));
  }
  /*! \brief Remove pair i, keeping the order of the others. */
  void ErasePair(int64_t i) {
    Any* slots = reinterpret_cast<Any*>(this->data);
    for (int64_t k = 2 * i; k + 2 < 2 * this->size; ++k) slots[k] = std::move(slots[k + 2]);
    slots[2 * this->size - 1].~Any();
    slots[2 * this->size - 2].~Any();
    --this->size;
    RebuildIndex();
  }
  void Clear() {
    Any* slots = reinterpret_cast<Any*>(this->data);
    while (this->size > 0) {
      --this->size;
      slots[2 * this->size + 1].~Any();
      slots[2 * this->size].~Any();
    }
    RebuildIndex();
  }

  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Dict", kTVMFFIDict, DictObj, Object)

 private:
  static void FreeBlock(void* block) { ::operator delete(block); }
};

static_assert(sizeof(DictObj) == 72, "DictObj layout");

/*! \brief Reference to a mutable, shared hash map from K to V. */
template <typename K, typename V>
class Dict : public ObjectRef {
 public:
  using key_type = K;
  using mapped_type = V;
  using _ffi_custom_type_traits = void;

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::pair<K, V>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    iterator(const DictObj* m, int64_t i) : m_(m), i_(i) {}
    value_type operator*() const {
      return value_type(AnyView(m_->KeyAt(i_)).template cast<K>(),
                        AnyView(m_->ValueAt(i_)).template cast<V>());
    }
    iterator& operator++() { ++i_; return *this; }
    iterator operator++(int) { iterator t = *this; ++i_; return t; }
    bool operator==(const iterator& o) const { return m_ == o.m_ && i_ == o.i_; }
    bool operator!=(const iterator& o) const { return !(*this == o); }

   private:
    const DictObj* m_;
    int64_t i_;
  };
  using const_iterator = iterator;

  Dict() : ObjectRef(ObjectPtr<Object>(DictObj::Empty())) {}
  explicit Dict(UnsafeInit tag) : ObjectRef(tag) {}
  explicit Dict(ObjectPtr<Object> n) : ObjectRef(std::move(n)) {}
  Dict(std::initializer_list<std::pair<K, V>> init) : Dict(init.begin(), init.end()) {}
  template <typename IterType>
  Dict(IterType first, IterType last) : Dict() {
    for (; first != last; ++first) Set(first->first, first->second);
  }
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(Dict)

  DictObj* GetDictObj() const { return static_cast<DictObj*>(data_.get()); }
  const DictObj* get() const { return GetDictObj(); }
  const DictObj* operator->() const { return GetDictObj(); }

  size_t size() const { return data_ == nullptr ? 0 : static_cast<size_t>(GetDictObj()->size); }
  bool empty() const { return size() == 0; }
  size_t count(const K& key) const { return FindIndex(key) >= 0 ? 1 : 0; }
  iterator begin() const { return iterator(GetDictObj(), 0); }
  iterator end() const { return iterator(GetDictObj(), GetDictObj()->size); }
  iterator find(const K& key) const {
    int64_t i = FindIndex(key);
    return i >= 0 ? iterator(GetDictObj(), i) : end();
  }
  V at(const K& key) const {
    int64_t i = FindIndex(key);
    if (i < 0) TVM_FFI_THROW(KeyError) << "key is not in Dict";
    return AnyView(GetDictObj()->ValueAt(i)).template cast<V>();
  }
  V operator[](const K& key) const { return at(key); }
  Optional<V> Get(const K& key) const {
    int64_t i = FindIndex(key);
    if (i < 0) return Optional<V>();
    return Optional<V>(AnyView(GetDictObj()->ValueAt(i)).template cast<V>());
  }
  Optional<V> get(const K& key) const { return Get(key); }

  /*! \brief Insert or replace, in place (seen through every reference). */
  void Set(const K& key, const V& value) { Obj()->Set(Any(key), Any(value)); }
  void erase(const K& key) {
    int64_t i = FindIndex(key);
    if (i >= 0) Obj()->ErasePair(i);
  }
  void clear() {
    if (data_ != nullptr) GetDictObj()->Clear();
  }

 private:
  DictObj* Obj() {
    if (data_ == nullptr) data_ = ObjectPtr<Object>(DictObj::Empty());
    return GetDictObj();
  }
  int64_t FindIndex(const K& key) const {
    if (data_ == nullptr) return -1;
    AnyView k(key);
    return GetDictObj()->Find(details::AnyUnsafe::Raw(k));
  }
};

template <typename K, typename V>
struct TypeTraits<Dict<K, V>> : details::StaticIndexRefTraits<Dict<K, V>, kTVMFFIDict> {
  static const details::MapCell* Cell(const TVMFFIObject* obj) {
    return reinterpret_cast<const details::MapCell*>(obj + 1);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj == nullptr || obj->type_index != kTVMFFIDict) return false;
    if constexpr (std::is_same_v<K, Any> && std::is_same_v<V, Any>) {
      return true;
    } else {
      const details::MapCell* cell = Cell(obj);
      for (int64_t i = 0; i < cell->size; ++i) {
        if constexpr (!std::is_same_v<K, Any>) {
          if (!TypeTraitsNoCR<K>::CheckAnyStrict(&cell->data[2 * i])) return false;
        }
        if constexpr (!std::is_same_v<V, Any>) {
          if (!TypeTraitsNoCR<V>::CheckAnyStrict(&cell->data[2 * i + 1])) return false;
        }
      }
      return true;
    }
  }
  /*! A Dict whose entries already are K -> V is shared; otherwise a new Dict is made. */
  static std::optional<Dict<K, V>> TryCastFromAnyView(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj == nullptr || (obj->type_index != kTVMFFIDict && obj->type_index != kTVMFFIMap)) {
      return std::nullopt;
    }
    if (CheckAnyStrict(src)) {
      return details::ObjectUnsafe::ObjectRefFromUnowned<Dict<K, V>>(
          details::ObjectUnsafe::ObjectFromHandle(obj));
    }
    const details::MapCell* cell = Cell(obj);
    ObjectPtr<DictObj> p = DictObj::Empty(cell->size);
    for (int64_t i = 0; i < cell->size; ++i) {
      std::optional<K> k = details::TryCastAnyView<K>(&cell->data[2 * i]);
      std::optional<V> v = details::TryCastAnyView<V>(&cell->data[2 * i + 1]);
      if (!k.has_value() || !v.has_value()) return std::nullopt;
      p->Set(Any(std::move(*k)), Any(std::move(*v)));
    }
    return Dict<K, V>(ObjectPtr<Object>(std::move(p)));
  }
  static std::string GetMismatchTypeInfo(const TVMFFIAny* src) {
    return details::MapMismatchInfo<K, V>(src);
  }
  static std::string TypeStr() {
    return "Dict[" + details::Type2Str<K>() + ", " + details::Type2Str<V>() + "]";
  }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_DICT_H_
