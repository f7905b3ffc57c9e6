/*
 * tvm-ffi-orcjit C++ authoring API: MapBaseObj, the storage shared by Map (immutable when
 * shared, copy-on-write) and Dict (mutable, shared). The layout is described at the top of
 * container/map.h; Dict objects have the same layout with type index kTVMFFIDict (76), so a
 * runtime reads both the same way.
 */
#ifndef TVM_FFI_CONTAINER_MAP_BASE_H_
#define TVM_FFI_CONTAINER_MAP_BASE_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/container_details.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>

#include <cstring>
#include <new>
#include <utility>

namespace tvm {
namespace ffi {

namespace details {

/*! \brief C layout of the map cell at offset 24. */
struct MapCell {
  TVMFFIAny* data;
  int64_t size;
  int64_t capacity;
  void (*data_deleter)(void* data);
  int32_t* index;
  int64_t index_size;
};

inline uint64_t MapHashBytes(const char* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ull;
  }
  return h;
}

inline uint64_t MapMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/*! \brief Hash of a map key (see the layout comment at the top of this file). */
inline uint64_t MapKeyHash(const TVMFFIAny* key) {
  const char* data;
  size_t size;
  if (GetBytesView(key, &data, &size, true, false)) return MapHashBytes(data, size);
  if (GetBytesView(key, &data, &size, false, true)) {
    return MapHashBytes(data, size) ^ 0x5bd1e9955bd1e995ull;
  }
  return MapMix64(key->v_uint64 ^ (static_cast<uint64_t>(static_cast<uint32_t>(key->type_index)) << 56));
}

/*! \brief Equality of map keys. */
inline bool MapKeyEqual(const TVMFFIAny* a, const TVMFFIAny* b) {
  const char *da, *db;
  size_t sa, sb;
  if (GetBytesView(a, &da, &sa, true, false)) {
    if (!GetBytesView(b, &db, &sb, true, false)) return false;
    return sa == sb && (sa == 0 || std::memcmp(da, db, sa) == 0);
  }
  if (GetBytesView(a, &da, &sa, false, true)) {
    if (!GetBytesView(b, &db, &sb, false, true)) return false;
    return sa == sb && (sa == 0 || std::memcmp(da, db, sa) == 0);
  }
  return a->type_index == b->type_index && a->v_uint64 == b->v_uint64;
}

/*! \brief Index of the pair whose key equals `key`, or -1. Works on any MapCell. */
inline int64_t MapCellFind(const MapCell* cell, const TVMFFIAny* key) {
  if (cell->index != nullptr && cell->index_size > 0) {
    uint64_t mask = static_cast<uint64_t>(cell->index_size) - 1;
    uint64_t slot = MapKeyHash(key) & mask;
    for (int64_t probe = 0; probe < cell->index_size; ++probe) {
      int32_t i = cell->index[slot];
      if (i < 0) return -1;
      if (MapKeyEqual(&cell->data[2 * static_cast<int64_t>(i)], key)) return i;
      slot = (slot + 1) & mask;
    }
    return -1;
  }
  for (int64_t i = 0; i < cell->size; ++i) {
    if (MapKeyEqual(&cell->data[2 * i], key)) return i;
  }
  return -1;
}

/*! \brief Mismatch text for a map value that should map K to V: names the first bad pair. */
template <typename K, typename V>
inline std::string MapMismatchInfo(const TVMFFIAny* src);

}  // namespace details

/*! \brief Header + MapCell: pairs in insertion order and an optional hash index. */
class MapBaseObj : public Object, public details::MapCell {
 public:
  MapBaseObj() {
    this->data = nullptr;
    this->size = 0;
    this->capacity = 0;
    this->data_deleter = nullptr;
    this->index = nullptr;
    this->index_size = 0;
  }
  ~MapBaseObj() {
    Any* slots = reinterpret_cast<Any*>(this->data);
    for (int64_t i = 0; i < 2 * this->size; ++i) slots[i].~Any();
    if (this->data_deleter != nullptr && this->data != nullptr) this->data_deleter(this->data);
  }
  MapBaseObj(const MapBaseObj&) = delete;
  MapBaseObj& operator=(const MapBaseObj&) = delete;

  const Any& KeyAt(int64_t i) const { return reinterpret_cast<const Any*>(this->data)[2 * i]; }
  const Any& ValueAt(int64_t i) const {
    return reinterpret_cast<const Any*>(this->data)[2 * i + 1];
  }
  int64_t Find(const TVMFFIAny* key) const { return details::MapCellFind(this, key); }
  void SetValueAt(int64_t i, Any value) {
    reinterpret_cast<Any*>(this->data)[2 * i + 1] = std::move(value);
  }
  /*! \brief Append a pair whose key is not present (capacity must suffice). */
  void AppendUnchecked(Any key, Any value) {
    Any* slots = reinterpret_cast<Any*>(this->data);
    new (slots + 2 * this->size) Any(std::move(key));
    new (slots + 2 * this->size + 1) Any(std::move(value));
    if (this->index != nullptr) IndexInsert(this->size);
    ++this->size;
  }

 protected:
  /*! \brief Hash-index slots for `capacity` pairs: none up to 8 pairs (lookups scan). */
  static int64_t IndexSizeFor(int64_t capacity) {
    if (capacity <= 8) return 0;
    int64_t n = 16;
    while (n < capacity * 2) n *= 2;
    return n;
  }
  static size_t StorageBytes(int64_t capacity, int64_t index_size) {
    return static_cast<size_t>(capacity) * 2 * sizeof(TVMFFIAny) +
           static_cast<size_t>(index_size) * sizeof(int32_t);
  }
  /*! \brief Point data/index into `base` (StorageBytes long); pairs first, then the index. */
  void InitStorage(char* base, int64_t capacity, int64_t index_size) {
    this->data = reinterpret_cast<TVMFFIAny*>(base);
    this->capacity = capacity;
    this->index = nullptr;
    this->index_size = 0;
    if (index_size > 0) {
      this->index = reinterpret_cast<int32_t*>(base + capacity * 2 * sizeof(TVMFFIAny));
      this->index_size = index_size;
      for (int64_t i = 0; i < index_size; ++i) this->index[i] = -1;
    }
  }
  void IndexInsert(int64_t pair) {
    uint64_t mask = static_cast<uint64_t>(this->index_size) - 1;
    uint64_t slot = details::MapKeyHash(&this->data[2 * pair]) & mask;
    while (this->index[slot] >= 0) slot = (slot + 1) & mask;
    this->index[slot] = static_cast<int32_t>(pair);
  }
  void RebuildIndex() {
    if (this->index == nullptr) return;
    for (int64_t i = 0; i < this->index_size; ++i) this->index[i] = -1;
    for (int64_t i = 0; i < this->size; ++i) IndexInsert(i);
  }
};

static_assert(sizeof(MapBaseObj) == 72, "MapBaseObj layout");

namespace details {
template <typename K, typename V>
inline std::string MapMismatchInfo(const TVMFFIAny* src) {
  TVMFFIObject* obj = GetObjectOfAny(src);
  if (obj == nullptr || (obj->type_index != kTVMFFIMap && obj->type_index != kTVMFFIDict)) {
    return ArgTypeName(src);
  }
  const MapCell* cell = reinterpret_cast<const MapCell*>(obj + 1);
  std::string name = obj->type_index == kTVMFFIDict ? "Dict" : "Map";
  for (int64_t i = 0; i < cell->size; ++i) {
    const TVMFFIAny* k = &cell->data[2 * i];
    const TVMFFIAny* v = &cell->data[2 * i + 1];
    if (!ElementConvertible<K>(k)) {
      return name + "[pair " + std::to_string(i) + " key: " + MismatchTypeInfo<K>(k) + ", expected " +
             Type2Str<K>() + "]";
    }
    if (!ElementConvertible<V>(v)) {
      return name + "[pair " + std::to_string(i) + " value: " +
             MismatchTypeInfo<V>(v) + ", expected " + Type2Str<V>() + "]";
    }
  }
  return name;
}
}  // namespace details

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_MAP_BASE_H_
