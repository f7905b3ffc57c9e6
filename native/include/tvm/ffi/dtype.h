/*
 * tvm-ffi-orcjit C++ authoring API: DLDataType / DLDevice helpers.
 * String conversions go through the C API (TVMFFIDataTypeFromString / TVMFFIDataTypeToString).
 */
#ifndef TVM_FFI_DTYPE_H_
#define TVM_FFI_DTYPE_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/error.h>
#include <tvm/ffi/string.h>

#include <ostream>
#include <string>
#include <string_view>

/*! \brief Data types compare equal when code, bits and lanes match. */
inline bool operator==(const DLDataType& a, const DLDataType& b) {
  return a.code == b.code && a.bits == b.bits && a.lanes == b.lanes;
}
inline bool operator!=(const DLDataType& a, const DLDataType& b) { return !(a == b); }

/*! \brief Devices compare equal when type and id match. */
inline bool operator==(const DLDevice& a, const DLDevice& b) {
  return a.device_type == b.device_type && a.device_id == b.device_id;
}
inline bool operator!=(const DLDevice& a, const DLDevice& b) { return !(a == b); }

namespace tvm {
namespace ffi {

/*! \brief Parse a dtype string ("float32", "int8x4", "bool", "bfloat16"...). */
inline DLDataType StringToDLDataType(std::string_view str) {
  TVMFFIByteArray arr = details::MakeByteArray(str.data(), str.size());
  DLDataType dtype;
  TVM_FFI_CHECK_SAFE_CALL(TVMFFIDataTypeFromString(&arr, &dtype));
  return dtype;
}

/*! \brief Name of a dtype ("float32", ...). */
inline String DLDataTypeToString(DLDataType dtype) {
  TVMFFIAny out;
  out.type_index = kTVMFFINone;
  out.zero_padding = 0;
  out.v_int64 = 0;
  TVM_FFI_CHECK_SAFE_CALL(TVMFFIDataTypeToString(&dtype, &out));
  return details::StringUnsafe::FromOwnedRaw<String>(out);
}

/*! \brief Name of a device type ("cpu", "cuda", ...). */
inline const char* DLDeviceType2Str(int device_type) {
  switch (device_type) {
    case kDLCPU: return "cpu";
    case kDLCUDA: return "cuda";
    case kDLCUDAHost: return "cuda_host";
    case kDLOpenCL: return "opencl";
    case kDLVulkan: return "vulkan";
    case kDLMetal: return "metal";
    case kDLVPI: return "vpi";
    case kDLROCM: return "rocm";
    case kDLROCMHost: return "rocm_host";
    case kDLExtDev: return "ext_dev";
    case kDLCUDAManaged: return "cuda_managed";
    case kDLOneAPI: return "oneapi";
    case kDLWebGPU: return "webgpu";
    case kDLHexagon: return "hexagon";
    default: return "unknown";
  }
}

/*! \brief Common dtypes. */
inline constexpr DLDataType DLDataTypeFloat(uint8_t bits, uint16_t lanes = 1) {
  return DLDataType{static_cast<uint8_t>(kDLFloat), bits, lanes};
}
inline constexpr DLDataType DLDataTypeInt(uint8_t bits, uint16_t lanes = 1) {
  return DLDataType{static_cast<uint8_t>(kDLInt), bits, lanes};
}
inline constexpr DLDataType DLDataTypeUInt(uint8_t bits, uint16_t lanes = 1) {
  return DLDataType{static_cast<uint8_t>(kDLUInt), bits, lanes};
}
inline constexpr DLDataType DLDataTypeBool() {
  return DLDataType{static_cast<uint8_t>(kDLBool), 8, 1};
}

/*! \brief Size in bytes of one element (lanes included; sub-byte types round up). */
inline int64_t DataTypeBytes(DLDataType dtype) {
  return (static_cast<int64_t>(dtype.bits) * dtype.lanes + 7) / 8;
}

}  // namespace ffi
}  // namespace tvm

inline std::ostream& operator<<(std::ostream& os, const DLDataType& dtype) {
  return os << ::tvm::ffi::DLDataTypeToString(dtype);
}
inline std::ostream& operator<<(std::ostream& os, const DLDevice& dev) {
  return os << ::tvm::ffi::DLDeviceType2Str(dev.device_type) << ":" << dev.device_id;
}

#endif  // TVM_FFI_DTYPE_H_
