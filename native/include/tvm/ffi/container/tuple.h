/*
 * tvm-ffi-orcjit C++ authoring API: Tuple<Types...>, a fixed-size typed tuple stored as an
 * Array (type key "ffi.Array"), so it crosses the ABI, and to JS, as an array.
 *
 * A Tuple parameter accepts an Array (or List) of exactly sizeof...(Types) elements, each
 * converting to its type; a mismatch names the position and the expected type.
 * Set<I>() copies the storage first when it is shared (copy-on-write, like Array).
 */
#ifndef TVM_FFI_CONTAINER_TUPLE_H_
#define TVM_FFI_CONTAINER_TUPLE_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/container/array.h>
#include <tvm/ffi/container/container_details.h>

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

template <typename... Types>
class Tuple : public ObjectRef {
 public:
  static_assert(details::all_storage_enabled_v<Types...>,
                "every type of Tuple<...> must be convertible to Any");
  using _ffi_custom_type_traits = void;
  using ContainerType = ArrayObj;

  /*! \brief Default-constructed elements. */
  Tuple() : ObjectRef(ObjectPtr<Object>(Make(Types()...))) {}
  explicit Tuple(UnsafeInit tag) : ObjectRef(tag) {}
  /*! \brief From one value per element (each converted to its type). */
  template <typename... UTypes,
            typename = std::enable_if_t<
                sizeof...(UTypes) == sizeof...(Types) && sizeof...(Types) != 0 &&
                !(sizeof...(Types) == 1 && (std::is_same_v<std::decay_t<UTypes>, Tuple> && ...))>>
  explicit Tuple(UTypes&&... args)
      : ObjectRef(ObjectPtr<Object>(Make(Types(std::forward<UTypes>(args))...))) {}
  /*! \brief From a tuple whose element types are contained in ours (shares the storage). */
  template <typename... UTypes,
            typename = std::enable_if_t<sizeof...(UTypes) == sizeof...(Types) &&
                                        !std::is_same_v<Tuple<UTypes...>, Tuple> &&
                                        (details::type_contains_v<Types, UTypes> && ...)>>
  Tuple(const Tuple<UTypes...>& other)  // NOLINT
      : ObjectRef(details::ObjectUnsafe::GetObjectPtr(other)) {}
  TVM_FFI_DEFINE_DEFAULT_COPY_MOVE_AND_ASSIGN(Tuple)

  static constexpr size_t size() { return sizeof...(Types); }

  /*! \brief Element I, as its declared type. */
  template <size_t I>
  auto get() const {
    static_assert(I < sizeof...(Types), "Tuple index out of range");
    using R = std::tuple_element_t<I, std::tuple<Types...>>;
    const Any& slot = GetArrayObj()->begin()[I];
    if constexpr (std::is_same_v<R, Any>) {
      return Any(slot);
    } else {
      return AnyView(slot).template cast<R>();
    }
  }

  /*! \brief Replace element I (copies the storage first if it is shared). */
  template <size_t I, typename U>
  void Set(U&& item) {
    static_assert(I < sizeof...(Types), "Tuple index out of range");
    using R = std::tuple_element_t<I, std::tuple<Types...>>;
    if (!data_.unique()) {
      data_ = ObjectPtr<Object>(GetArrayObj()->CopyWithCapacity(sizeof...(Types)));
    }
    GetArrayObj()->begin()[I] = Any(R(std::forward<U>(item)));
  }

  const ArrayObj* get() const { return GetArrayObj(); }
  const ArrayObj* operator->() const { return GetArrayObj(); }

 private:
  template <typename... Vals>
  static ObjectPtr<ArrayObj> Make(Vals&&... vals) {
    ObjectPtr<ArrayObj> p = ArrayObj::Empty(sizeof...(Types));
    (p->EmplaceUnchecked(Any(std::forward<Vals>(vals))), ...);
    return p;
  }
  ArrayObj* GetArrayObj() const { return static_cast<ArrayObj*>(data_.get()); }
};

template <typename... Types>
struct TypeTraits<Tuple<Types...>> : details::StaticIndexRefTraits<Tuple<Types...>, kTVMFFIArray> {
  static constexpr int64_t kSize = static_cast<int64_t>(sizeof...(Types));
  /*! \brief The sequence cell of an Array/List value, or nullptr. */
  static const TVMFFISeqCell* Cell(const TVMFFIAny* src, bool array_only) {
    TVMFFIObject* obj = details::GetObjectOfAny(src);
    if (obj == nullptr) return nullptr;
    if (obj->type_index != kTVMFFIArray && (array_only || obj->type_index != kTVMFFIList)) {
      return nullptr;
    }
    return reinterpret_cast<const TVMFFISeqCell*>(obj + 1);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    const TVMFFISeqCell* cell = Cell(src, true);
    if (cell == nullptr || cell->size != kSize) return false;
    const TVMFFIAny* elems = static_cast<const TVMFFIAny*>(cell->data);
    return StrictAt(elems, std::index_sequence_for<Types...>{});
  }
  static std::optional<Tuple<Types...>> TryCastFromAnyView(const TVMFFIAny* src) {
    const TVMFFISeqCell* cell = Cell(src, false);
    if (cell == nullptr || cell->size != kSize) return std::nullopt;
    if (CheckAnyStrict(src)) {
      return details::ObjectUnsafe::ObjectRefFromUnowned<Tuple<Types...>>(
          details::ObjectUnsafe::ObjectFromHandle(details::GetObjectOfAny(src)));
    }
    const TVMFFIAny* elems = static_cast<const TVMFFIAny*>(cell->data);
    ObjectPtr<ArrayObj> p = ArrayObj::Empty(kSize);
    if (!ConvertAt(elems, p.get(), std::index_sequence_for<Types...>{})) return std::nullopt;
    return details::ObjectUnsafe::ObjectRefFromOwned<Tuple<Types...>>(
        details::ObjectUnsafe::ObjectFromHandle(
            details::ObjectUnsafe::MoveObjectPtrToHandle(std::move(p))));
  }
  /*! \brief "Array[size 3, expected 2]" or "Array[index 1: float, expected str]". */
  static std::string GetMismatchTypeInfo(const TVMFFIAny* src) {
    const TVMFFISeqCell* cell = Cell(src, false);
    if (cell == nullptr) return details::ArgTypeName(src);
    std::string name = details::GetObjectOfAny(src)->type_index == kTVMFFIList ? "List" : "Array";
    if (cell->size != kSize) {
      return name + "[size " + std::to_string(cell->size) + ", expected " +
             std::to_string(kSize) + "]";
    }
    std::string out;
    FirstMismatch(static_cast<const TVMFFIAny*>(cell->data), &out,
                  std::index_sequence_for<Types...>{});
    return out.empty() ? name : name + "[" + out + "]";
  }
  static std::string TypeStr() { return details::ContainerTypeStr<Types...>("Tuple"); }

 private:
  template <size_t... I>
  static bool StrictAt(const TVMFFIAny* elems, std::index_sequence<I...>) {
    return (StrictOne<Types>(&elems[I]) && ...);
  }
  template <typename T>
  static bool StrictOne(const TVMFFIAny* v) {
    if constexpr (std::is_same_v<T, Any>) {
      return true;
    } else {
      return TypeTraitsNoCR<T>::CheckAnyStrict(v);
    }
  }
  template <size_t... I>
  static bool ConvertAt(const TVMFFIAny* elems, ArrayObj* out, std::index_sequence<I...>) {
    return (ConvertOne<Types>(&elems[I], out) && ...);
  }
  template <typename T>
  static bool ConvertOne(const TVMFFIAny* v, ArrayObj* out) {
    std::optional<T> c = details::TryCastAnyView<T>(v);
    if (!c.has_value()) return false;
    out->EmplaceUnchecked(Any(std::move(*c)));
    return true;
  }
  template <size_t... I>
  static void FirstMismatch(const TVMFFIAny* elems, std::string* out, std::index_sequence<I...>) {
    ((out->empty() && !details::ElementConvertible<Types>(&elems[I])
          ? (void)(*out = details::ElementMismatch<Types>(static_cast<int64_t>(I), &elems[I]))
          : (void)0),
     ...);
  }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_CONTAINER_TUPLE_H_
