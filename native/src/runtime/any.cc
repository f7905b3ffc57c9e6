// TVMFFIAnyViewToOwnedAny: turn a borrowed argument view into a value the caller owns.
#include <tvm/ffi/c_api.h>

#include <cstring>

#include "runtime/error.h"
#include "runtime/object.h"
#include "runtime/string_object.h"

using namespace orcjit::runtime;

extern "C" TVM_FFI_DLL int TVMFFIAnyViewToOwnedAny(const TVMFFIAny* any_view, TVMFFIAny* out) {
  ORCJIT_API_BEGIN();
  switch (any_view->type_index) {
    case kTVMFFIRawStr: {
      *out = MakeStringAny(any_view->v_c_str, std::strlen(any_view->v_c_str), false);
      return 0;
    }
    case kTVMFFIByteArrayPtr: {
      auto* ba = static_cast<const TVMFFIByteArray*>(any_view->v_ptr);
      *out = MakeStringAny(ba->data, ba->size, true);
      return 0;
    }
    case kTVMFFIObjectRValueRef: {
      // Steal the caller's reference and empty its slot.
      auto** slot = static_cast<TVMFFIObject**>(any_view->v_ptr);
      if (slot == nullptr || *slot == nullptr) {
        RaiseError("RuntimeError", "TVMFFIAnyViewToOwnedAny: ObjectRValueRef slot is empty "
                                   "(the object was already moved out)");
        return -1;
      }
      TVMFFIObject* obj = *slot;
      *slot = nullptr;
      out->type_index = obj->type_index;
      out->zero_padding = 0;
      out->v_int64 = 0;
      out->v_obj = obj;
      return 0;
    }
    default:
      break;
  }
  *out = *any_view;
  if (any_view->type_index >= kTVMFFIStaticObjectBegin) IncRef(any_view->v_obj);
  ORCJIT_API_END();
}
