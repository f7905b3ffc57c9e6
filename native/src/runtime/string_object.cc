// TVMFFIStringFromByteArray / TVMFFIBytesFromByteArray.
#include "runtime/string_object.h"

#include <cstring>

#include "runtime/error.h"
#include "runtime/object.h"

namespace orcjit::runtime {

TVMFFIAny MakeStringAny(const char* data, std::size_t size, bool is_bytes) {
  TVMFFIAny out;
  out.zero_padding = 0;
  out.v_int64 = 0;
  if (size <= 7) {
    out.type_index = is_bytes ? kTVMFFISmallBytes : kTVMFFISmallStr;
    out.small_str_len = static_cast<uint32_t>(size);
    if (size) std::memcpy(out.v_bytes, data, size);  // byte `size` stays 0: room for the NUL
    return out;
  }
  BytesObj* obj = MakeObject<BytesObj>(is_bytes ? kTVMFFIBytes : kTVMFFIStr, size + 1);
  char* chars = reinterpret_cast<char*>(obj) + sizeof(BytesObj);
  std::memcpy(chars, data, size);
  chars[size] = '\0';
  obj->cell.data = chars;
  obj->cell.size = size;
  out.type_index = is_bytes ? kTVMFFIBytes : kTVMFFIStr;
  out.v_obj = Header(obj);
  return out;
}

bool GetStringBytes(const TVMFFIAny* v, TVMFFIByteArray* out) {
  switch (v->type_index) {
    case kTVMFFIRawStr:
      out->data = v->v_c_str;
      out->size = std::strlen(v->v_c_str);
      return true;
    case kTVMFFIByteArrayPtr:
      *out = *static_cast<const TVMFFIByteArray*>(v->v_ptr);
      return true;
    case kTVMFFISmallStr:
    case kTVMFFISmallBytes:
      out->data = v->v_bytes;
      out->size = v->small_str_len;
      return true;
    case kTVMFFIStr:
    case kTVMFFIBytes:
      *out = *TVMFFIBytesGetByteArrayPtr(v->v_obj);
      return true;
    default:
      return false;
  }
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int TVMFFIStringFromByteArray(const TVMFFIByteArray* input, TVMFFIAny* out) {
  ORCJIT_API_BEGIN();
  *out = MakeStringAny(input->data, input->size, false);
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFIBytesFromByteArray(const TVMFFIByteArray* input, TVMFFIAny* out) {
  ORCJIT_API_BEGIN();
  *out = MakeStringAny(input->data, input->size, true);
  ORCJIT_API_END();
}

}  // extern "C"
