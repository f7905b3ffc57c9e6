/*
 * tvm-ffi-orcjit C++ authoring API: Map<K, V>.
 *
 * MapObj layout (this project's own; a runtime that creates maps must follow it):
 *   offset 0   TVMFFIObject header (type index kTVMFFIMap = 72)
 *   offset 24  TVMFFIAny* data        pairs in insertion order: data[2i] = key, data[2i+1] = value
 *   offset 32  int64_t    size        number of pairs
 *   offset 40  int64_t    capacity    room for this many pairs
 *   offset 48  void (*data_deleter)(void*)   NULL: data (and index) live inline in the object
 *   offset 56  int32_t*   index       open-addressing hash table of pair indices (-1 = empty),
 *                                     linear probing; NULL means "scan the pairs linearly"
 *   offset 64  int64_t    index_size  number of slots (a power of two), 0 when index is NULL
 * (The storage and hashing are in map_base.h, shared with Dict.)
 * Keys hash with details::MapKeyHash (FNV-1a over the bytes for strings/bytes, splitmix64 of
 * the payload and type index otherwise) and compare with details::MapKeyEqual (strings and
 * bytes by content, everything else by type index and the 8-byte payload; objects by identity).
 * A runtime may create maps with index == NULL; lookups then scan.
 */
#ifndef TVM_FFI_CONTAINER_MAP_H_
#define TVM_FFI_CONTAINER_MAP_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/container_details.h>
#include <tvm/ffi/container/map_base.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>
#include <tvm/ffi/optional.h>

#include <cstring>
#include <initializer_list>
#include <iterator>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tvm {
namespace ffi {

/*! \brief Map object (see the layout at the top of this file). */
class MapObj : public MapBaseObj {
 public:
  /*! \brief Empty map with room for `capacity` pairs (hash index when capacity > 8). */
  static ObjectPtr<MapObj> Empty(int64_t capacity) {
    int64_t index_size = IndexSizeFor(capacity);
    ObjectPtr<MapObj> p =
        make_inplace_array_object<MapObj, char>(StorageBytes(capacity, index_size));
    p->InitStorage(reinterpret_cast<char*>(p.get()) + sizeof(MapObj), capacity, index_size);
    return p;
  }
  /*! \brief Copy with room for `capacity` pairs, optionally skipping pair `skip`. */
  ObjectPtr<MapObj> CopyWithCapacity(int64_t capacity, int64_t skip = -1) const {
    ObjectPtr<MapObj> p = Empty(capacity);
    for (int64_t i = 0; i < this->size; ++i) {
      if (i != skip) p->AppendUnchecked(KeyAt(i), ValueAt(i));
    }
    return p;
  }

  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Map", kTVMFFIMap, MapObj, Object)
};

static_assert(sizeof(MapObj) == 72, "MapObj layout");

/*!
 * \brief Reference to a hash map from K to V (insertion-ordered iteration, copy-on-write).
 */
template <typename K, typename V>
class Map : public ObjectRef {
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
    iterator(const MapObj* m, int64_t i) : m_(m), i_(i) {}
    value_type operator*() const {
      return value_type(AnyView(m_->KeyAt(i_)).template cast<K>(),
                        AnyView(m_->ValueAt(i_)).template cast<V>());
    }
    iterator& operator++() { ++i_; return *this; }
    iterator operator++(int) { iterator t = *this; ++i_; return t; }
    bool operator==(const iterator& o) const { return m_ == o.m_ && i_ == o.i_; }
    bool operator!=(const iterator& o) const { return !(*this == o); }
   private:
    const MapObj* m_;
    int64_t i_;
  };
  using const_iterator = iterator;

  Map() : ObjectRef(ObjectPtr<Object>(MapObj::Empty(0))) {}
  explicit Map(UnsafeInit tag) : ObjectRef(tag) {}
  explicit Map(ObjectPtr<Object> n) : ObjectRef(std::move(n)) {}
  Map(std::initializer_list<std::pair<K, V>> init) : Map(init.begin(), init.end()) {}
  template <typename Hash, typename Eq>
  Map(const std::unordered_map<K, V, Hash, Eq>& init) : Map(init.begin(), init.end()) {}  // NOLINT
  template <typename Cmp>
  Map(const std::map<K, V, Cmp>& init) : Map(init.begin(), init.end()) {}  // NOLINT
  template <typename IterType>
  Map(IterType first, IterType last) {
    ObjectPtr<MapObj> p = MapObj::Empty(static_cast<int64_t>(std::distance(first, last)));
    for (; first != last; ++first) {
      Any key(K(first->first));
      int64_t i = p->Find(details::AnyUnsafe::Raw(key));
      if (i >= 0) {
        p->SetValueAt(i, Any(V(first->second)));
      } else {
        p->AppendUnchecked(std::move(key), Any(V(first->second)));
      }
    }
    data_ = std::move(p);
  }
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(Map)

  const MapObj* GetMapObj() const { return static_cast<const MapObj*>(data_.get()); }
  const MapObj* get() const { return GetMapObj(); }
  const MapObj* operator->() const { return GetMapObj(); }

  size_t size() const { return GetMapObj() != nullptr ? static_cast<size_t>(GetMapObj()->size) : 0; }
  bool empty() const { return size() == 0; }
  size_t count(const K& key) const { return FindIndex(key) >= 0 ? 1 : 0; }
  iterator begin() const { return iterator(GetMapObj(), 0); }
  iterator end() const { return iterator(GetMapObj(), GetMapObj()->size); }
  iterator find(const K& key) const {
    int64_t i = FindIndex(key);
    return i >= 0 ? iterator(GetMapObj(), i) : end();
  }
  V at(const K& key) const {
    int64_t i = FindIndex(key);
    if (i < 0) TVM_FFI_THROW(KeyError) << "key is not in Map";
    return AnyView(GetMapObj()->ValueAt(i)).template cast<V>();
  }
  V operator[](const K& key) const { return at(key); }
  Optional<V> Get(const K& key) const {
    int64_t i = FindIndex(key);
    if (i < 0) return Optional<V>();
    return Optional<V>(AnyView(GetMapObj()->ValueAt(i)).template cast<V>());
  }
  Optional<V> get(const K& key) const { return Get(key); }

  void Set(const K& key, const V& value) {
    Any k(key);
    int64_t i = FindIndex(key);
    if (i >= 0) {
      CopyOnWrite(0)->SetValueAt(i, Any(value));
    } else {
      CopyOnWrite(1)->AppendUnchecked(std::move(k), Any(value));
    }
  }
  void erase(const K& key) {
    int64_t i = FindIndex(key);
    if (i < 0) return;
    data_ = ObjectPtr<Object>(GetMapObj()->CopyWithCapacity(GetMapObj()->size, i));
  }
  void clear() { data_ = ObjectPtr<Object>(MapObj::Empty(0)); }

 private:
  int64_t FindIndex(const K& key) const {
    AnyView k(key);
    return GetMapObj()->Find(details::AnyUnsafe::Raw(k));
  }
  MapObj* CopyOnWrite(int64_t extra) {
    const MapObj* cur = GetMapObj();
    int64_t need = cur->size + extra;
    if (!data_.unique() || need > cur->capacity || cur->data_deleter != nullptr ||
        (cur->index == nullptr && need > 8)) {
      int64_t cap = cur->capacity;
      if (need > cap) cap = need > cap * 2 ? need : (cap * 2 < 4 ? 4 : cap * 2);
      data_ = ObjectPtr<Object>(cur->CopyWithCapacity(cap));
    }
    return static_cast<MapObj*>(data_.get());
  }
};

template <typename K, typename V>
struct TypeTraits<Map<K, V>> : details::StaticIndexRefTraits<Map<K, V>, kTVMFFIMap> {
  static const details::MapCell* Cell(const TVMFFIObject* obj) {
    return reinterpret_cast<const details::MapCell*>(obj + 1);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj == nullptr || obj->type_index != kTVMFFIMap) return false;
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
  static std::optional<Map<K, V>> TryCastFromAnyView(const TVMFFIAny* src) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    // A Dict converts too (into a new Map, as its entries may change later).
    if (obj == nullptr || (obj->type_index != kTVMFFIMap && obj->type_index != kTVMFFIDict)) {
      return std::nullopt;
    }
    if (obj->type_index == kTVMFFIMap && CheckAnyStrict(src)) {
      return details::ObjectUnsafe::ObjectRefFromUnowned<Map<K, V>>(
          details::ObjectUnsafe::ObjectFromHandle(obj));
    }
    const details::MapCell* cell = Cell(obj);
    ObjectPtr<MapObj> p = MapObj::Empty(cell->size);
    for (int64_t i = 0; i < cell->size; ++i) {
      std::optional<K> k = details::TryCastAnyView<K>(&cell->data[2 * i]);
      std::optional<V> v = details::TryCastAnyView<V>(&cell->data[2 * i + 1]);
      if (!k.has_value() || !v.has_value()) return std::nullopt;
      p->AppendUnchecked(Any(std::move(*k)), Any(std::move(*v)));
    }
    return Map<K, V>(ObjectPtr<Object>(std::move(p)));
  }
  static std::string GetMismatchTypeInfo(const TVMFFIAny* src) {
    return details::MapMismatchInfo<K, V>(src);
  }
  static std::string TypeStr() {
    return "Map[" + details::Type2Str<K>() + ", " + details::Type2Str<V>() + "]";
  }
  static std::string TypeSchema() {
    return "{\"type\":\"ffi.Map\",\"args\":[" + details::TypeSchemaJSON<K>() + "," +
           details::TypeSchemaJSON<V>() + "]}";
  }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_MAP_H_
