/*
 * tvm-ffi-orcjit C++ authoring API: helpers shared by the container headers (storage checks,
 * type names such as "Tuple[int, str]", element-mismatch descriptions, iterator adapters).
 */
#ifndef TVM_FFI_CONTAINER_CONTAINER_DETAILS_H_
#define TVM_FFI_CONTAINER_CONTAINER_DETAILS_H_

#include <tvm/ffi/any.h>

#include <cstddef>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {
namespace details {

/*! \brief Whether T can be stored in a container slot (an Any). */
template <typename T>
inline constexpr bool storage_enabled_v =
    std::is_same_v<std::decay_t<T>, Any> || TypeTraitsNoCR<T>::convert_enabled;

template <typename... T>
inline constexpr bool all_storage_enabled_v = (storage_enabled_v<T> && ...);

/*!
 * \brief Whether a container of T may hold the values of a container of U without converting
 * them: T is Any, T and U are the same, or U's objects are T's objects.
 */
template <typename T, typename U, typename = void>
inline constexpr bool type_contains_v = std::is_same_v<T, Any> || std::is_same_v<T, U>;

template <typename T, typename U>
inline constexpr bool type_contains_v<
    T, U,
    std::enable_if_t<std::is_base_of_v<ObjectRef, T> && std::is_base_of_v<ObjectRef, U> &&
                     !std::is_same_v<T, U>>> = std::is_base_of_v<T, U>;

/*! \brief "Name[T1, T2, ...]". */
template <typename... T>
inline std::string ContainerTypeStr(const char* name) {
  std::string out(name);
  out += "[";
  bool first = true;
  ((out += (first ? "" : ", ") + Type2Str<T>(), first = false), ...);
  out += "]";
  return out;
}

/*! \brief True if `v` converts to T (exactly or through a conversion). */
template <typename T>
inline bool ElementConvertible(const TVMFFIAny* v) {
  if constexpr (std::is_same_v<std::decay_t<T>, Any>) {
    return true;
  } else {
    return TypeTraitsNoCR<T>::CheckAnyStrict(v) || TryCastAnyView<T>(v).has_value();
  }
}

/*! \brief "index i: <what it is>, expected <T>" for one element that does not convert. */
template <typename T>
inline std::string ElementMismatch(int64_t index, const TVMFFIAny* v) {
  return "index " + std::to_string(index) + ": " + MismatchTypeInfo<std::decay_t<T>>(v) +
         ", expected " + Type2Str<T>();
}

/*!
 * \brief Mismatch text for a sequence value that should hold T elements: names the first
 * element that does not convert, e.g. "Array[index 2: float, expected str]".
 */
template <typename T>
inline std::string SeqMismatchInfo(const TVMFFIAny* src, int32_t primary, int32_t other) {
  TVMFFIObject* obj = GetObjectOfAny(src);
  if (obj == nullptr || (obj->type_index != primary && obj->type_index != other)) {
    return ArgTypeName(src);
  }
  const TVMFFISeqCell* cell = reinterpret_cast<const TVMFFISeqCell*>(obj + 1);
  const TVMFFIAny* elems = static_cast<const TVMFFIAny*>(cell->data);
  std::string name = obj->type_index == kTVMFFIList ? "List" : "Array";
  for (int64_t i = 0; i < cell->size; ++i) {
    if (!ElementConvertible<T>(&elems[i])) return name + "[" + ElementMismatch<T>(i, &elems[i]) + "]";
  }
  return name;
}

/*!
 * \brief Iterator over Any slots that yields Converter::convert(slot) (a value, not a
 * reference: containers store Any, not T).
 */
template <typename Converter, typename TIter>
class IterAdapter {
 public:
  using difference_type = std::ptrdiff_t;
  using value_type = typename Converter::ResultType;
  using pointer = void;
  using reference = value_type;
  using iterator_category = std::random_access_iterator_tag;

  IterAdapter() = default;
  explicit IterAdapter(TIter iter) : iter_(iter) {}
  IterAdapter& operator++() { ++iter_; return *this; }
  IterAdapter& operator--() { --iter_; return *this; }
  IterAdapter operator++(int) { IterAdapter t = *this; ++iter_; return t; }
  IterAdapter operator--(int) { IterAdapter t = *this; --iter_; return t; }
  IterAdapter operator+(difference_type n) const { return IterAdapter(iter_ + n); }
  IterAdapter operator-(difference_type n) const { return IterAdapter(iter_ - n); }
  IterAdapter& operator+=(difference_type n) { iter_ += n; return *this; }
  IterAdapter& operator-=(difference_type n) { iter_ -= n; return *this; }
  difference_type operator-(const IterAdapter& o) const { return iter_ - o.iter_; }
  bool operator==(const IterAdapter& o) const { return iter_ == o.iter_; }
  bool operator!=(const IterAdapter& o) const { return iter_ != o.iter_; }
  bool operator<(const IterAdapter& o) const { return iter_ < o.iter_; }
  value_type operator*() const { return Converter::convert(*iter_); }
  value_type operator[](difference_type n) const { return Converter::convert(iter_[n]); }

 private:
  TIter iter_{};
};

/*! \brief Like IterAdapter, walking backwards. */
template <typename Converter, typename TIter>
class ReverseIterAdapter {
 public:
  using difference_type = std::ptrdiff_t;
  using value_type = typename Converter::ResultType;
  using pointer = void;
  using reference = value_type;
  using iterator_category = std::random_access_iterator_tag;

  ReverseIterAdapter() = default;
  explicit ReverseIterAdapter(TIter iter) : iter_(iter) {}
  ReverseIterAdapter& operator++() { --iter_; return *this; }
  ReverseIterAdapter& operator--() { ++iter_; return *this; }
  ReverseIterAdapter operator++(int) { ReverseIterAdapter t = *this; --iter_; return t; }
  ReverseIterAdapter operator--(int) { ReverseIterAdapter t = *this; ++iter_; return t; }
  ReverseIterAdapter operator+(difference_type n) const { return ReverseIterAdapter(iter_ - n); }
  ReverseIterAdapter operator-(difference_type n) const { return ReverseIterAdapter(iter_ + n); }
  difference_type operator-(const ReverseIterAdapter& o) const { return o.iter_ - iter_; }
  bool operator==(const ReverseIterAdapter& o) const { return iter_ == o.iter_; }
  bool operator!=(const ReverseIterAdapter& o) const { return iter_ != o.iter_; }
  value_type operator*() const { return Converter::convert(*iter_); }

 private:
  TIter iter_{};
};

}  // namespace details
}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_CONTAINER_DETAILS_H_
