/*
 * tvm-ffi-orcjit C++ authoring API: RValueRef<TObjRef>, an object reference passed by move.
 *
 * Passing `RValueRef<T>(std::move(ref))` as an argument sends kTVMFFIObjectRValueRef: the
 * value is the address of the caller's object-pointer slot, so a callee that takes an
 * RValueRef<T> takes over the reference (the caller's slot becomes null) and can mutate the
 * object in place when it is the only owner. A callee taking a plain T just borrows it.
 */
#ifndef TVM_FFI_RVALUE_REF_H_
#define TVM_FFI_RVALUE_REF_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/object.h>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace tvm {
namespace ffi {

template <typename TObjRef, typename = std::enable_if_t<std::is_base_of_v<ObjectRef, TObjRef>>>
class RValueRef {
 public:
  using ContainerType = typename TObjRef::ContainerType;
  explicit RValueRef(TObjRef data) : data_(std::move(data)) {}
  /*! \brief Take the reference out (valid once). */
  operator TObjRef() && { return std::move(data_); }  // NOLINT
  const ContainerType* operator->() const { return data_.operator->(); }
  const TObjRef& get() const { return data_; }

 private:
  TObjRef data_;
  template <typename, typename>
  friend struct TypeTraits;
};

template <typename TObjRef>
struct TypeTraits<RValueRef<TObjRef>> {
  static constexpr bool convert_enabled = true;
  static constexpr int32_t field_static_type_index = kTVMFFIObjectRValueRef;
  /*! \brief The view points at the RValueRef's own pointer slot (the callee may clear it). */
  static void CopyToAnyView(const RValueRef<TObjRef>& src, TVMFFIAny* out) {
    out->type_index = kTVMFFIObjectRValueRef;
    out->zero_padding = 0;
    out->v_int64 = 0;
    ObjectPtr<Object>& slot =
        details::ObjectUnsafe::GetObjectPtrMutable(const_cast<TObjRef&>(src.data_));
    out->v_ptr = &slot;  // ObjectPtr holds exactly one Object* (the object's header)
  }
  static void MoveToAny(RValueRef<TObjRef> src, TVMFFIAny* out) {
    TypeTraitsNoCR<TObjRef>::MoveToAny(std::move(src.data_), out);
  }
  static bool CheckAnyStrict(const TVMFFIAny* src) {
    return src->type_index == kTVMFFIObjectRValueRef;
  }
  /*! \brief From an rvalue reference: takes the caller's reference; from an object: copies. */
  static std::optional<RValueRef<TObjRef>> TryCastFromAnyView(const TVMFFIAny* src) {
    if (src->type_index == kTVMFFIObjectRValueRef && src->v_ptr != nullptr) {
      TVMFFIObject** slot = static_cast<TVMFFIObject**>(src->v_ptr);
      TVMFFIObject* obj = *slot;
      if (obj == nullptr) return std::nullopt;
      TVMFFIAny view;
      view.type_index = obj->type_index;
      view.zero_padding = 0;
      view.v_obj = obj;
      if (!TypeTraitsNoCR<TObjRef>::CheckAnyStrict(&view)) return std::nullopt;
      *slot = nullptr;  // moved: the reference now belongs to the callee
      return RValueRef<TObjRef>(details::ObjectUnsafe::ObjectRefFromOwned<TObjRef>(
          details::ObjectUnsafe::ObjectFromHandle(obj)));
    }
    if (std::optional<TObjRef> v = details::TryCastAnyView<TObjRef>(src)) {
      return RValueRef<TObjRef>(std::move(*v));
    }
    return std::nullopt;
  }
  static std::string TypeStr() { return "RValueRef[" + details::Type2Str<TObjRef>() + "]"; }
};

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_RVALUE_REF_H_
