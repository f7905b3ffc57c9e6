/*
 * tvm-ffi-orcjit C++ authoring API: SeqBaseObj, the storage shared by sequence objects.
 *
 * Layout: the 24-byte header, then TVMFFISeqCell {data, size, capacity, data_deleter} at
 * offset 24; the elements are `size` owned TVMFFIAny slots at `data`. When data_deleter is
 * non-NULL the slots live in a separate heap block that data_deleter frees (List); when it is
 * NULL they live inline after the object (Array).
 */
#ifndef TVM_FFI_CONTAINER_SEQ_BASE_H_
#define TVM_FFI_CONTAINER_SEQ_BASE_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/container_details.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/object.h>

#include <cstdint>
#include <new>
#include <utility>

namespace tvm {
namespace ffi {

/*! \brief Header + TVMFFISeqCell, with element access and in-place edits of the slots. */
class SeqBaseObj : public Object, public TVMFFISeqCell {
 public:
  SeqBaseObj() {
    this->data = nullptr;
    TVMFFISeqCell::size = 0;
    TVMFFISeqCell::capacity = 0;
    this->data_deleter = nullptr;
  }
  ~SeqBaseObj() {
    Any* elems = MutableBegin();
    for (int64_t i = 0; i < TVMFFISeqCell::size; ++i) elems[i].~Any();
    if (this->data_deleter != nullptr && this->data != nullptr) this->data_deleter(this->data);
  }
  SeqBaseObj(const SeqBaseObj&) = delete;
  SeqBaseObj& operator=(const SeqBaseObj&) = delete;

  size_t size() const { return static_cast<size_t>(TVMFFISeqCell::size); }
  size_t capacity() const { return static_cast<size_t>(TVMFFISeqCell::capacity); }
  bool empty() const { return TVMFFISeqCell::size == 0; }
  const Any* begin() const { return static_cast<const Any*>(this->data); }
  const Any* end() const { return begin() + TVMFFISeqCell::size; }
  Any* MutableBegin() const { return static_cast<Any*>(this->data); }
  Any* MutableEnd() const { return MutableBegin() + TVMFFISeqCell::size; }

  /*! \brief Element i; IndexError naming the index and the size when out of range. */
  const Any& at(int64_t i) const {
    if (i < 0 || i >= TVMFFISeqCell::size) {
      TVM_FFI_THROW(IndexError) << "index " << i << " out of range for size "
                                << TVMFFISeqCell::size;
    }
    return begin()[i];
  }
  const Any& front() const { return at(0); }
  const Any& back() const { return at(TVMFFISeqCell::size - 1); }

  void SetItem(int64_t i, Any value) const {
    at(i);
    MutableBegin()[i] = std::move(value);
  }
  /*! \brief Construct slot `i` (must be uninitialised capacity). */
  template <typename... Args>
  void EmplaceInit(int64_t i, Args&&... args) const {
    new (MutableBegin() + i) Any(std::forward<Args>(args)...);
  }
  void pop_back() {
    if (TVMFFISeqCell::size == 0) TVM_FFI_THROW(IndexError) << "pop_back on an empty sequence";
    MutableBegin()[--TVMFFISeqCell::size].~Any();
  }
  void clear() {
    while (TVMFFISeqCell::size > 0) MutableBegin()[--TVMFFISeqCell::size].~Any();
  }
  /*! \brief Remove [first, last). */
  void erase(int64_t first, int64_t last) {
    if (first < 0 || last > TVMFFISeqCell::size || first > last) {
      TVM_FFI_THROW(IndexError) << "erase range [" << first << ", " << last
                                << ") out of range for size " << TVMFFISeqCell::size;
    }
    Any* e = MutableBegin();
    int64_t n = last - first;
    for (int64_t i = first; i + n < TVMFFISeqCell::size; ++i) e[i] = std::move(e[i + n]);
    for (int64_t k = 0; k < n; ++k) e[--TVMFFISeqCell::size].~Any();
  }
  void erase(int64_t i) { erase(i, i + 1); }
  /*! \brief Insert before position i (capacity must have room). */
  void insert(int64_t i, Any value) {
    if (i < 0 || i > TVMFFISeqCell::size) {
      TVM_FFI_THROW(IndexError) << "insert position " << i << " out of range for size "
                                << TVMFFISeqCell::size;
    }
    Any* e = MutableBegin();
    new (e + TVMFFISeqCell::size) Any();
    ++TVMFFISeqCell::size;
    for (int64_t k = TVMFFISeqCell::size - 1; k > i; --k) e[k] = std::move(e[k - 1]);
    e[i] = std::move(value);
  }
  /*! \brief Grow with None or shrink to n elements (capacity must have room). */
  void resize(int64_t n) {
    while (TVMFFISeqCell::size > n) MutableBegin()[--TVMFFISeqCell::size].~Any();
    while (TVMFFISeqCell::size < n) new (MutableBegin() + TVMFFISeqCell::size++) Any();
  }
};

static_assert(sizeof(SeqBaseObj) == 56, "SeqBaseObj layout");

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_SEQ_BASE_H_
