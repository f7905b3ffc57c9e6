/*
 * tvm-ffi-orcjit C++ authoring API: devices. A DLDevice parameter accepts a Device value or
 * a device string such as "cpu", "cuda:1" (name[:index], an optional " ..." suffix ignored).
 * The DLDevice TypeTraits are in any.h; they use the parser below.
 */
#ifndef TVM_FFI_DEVICE_H_
#define TVM_FFI_DEVICE_H_

#include <dlpack/dlpack.h>
#include <tvm/ffi/base_details.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace tvm {
namespace ffi {
namespace details {

/*! \brief Device type of a name ("cpu", "cuda", "rocm", ...), or nullopt. */
inline std::optional<DLDeviceType> TryParseDLDeviceType(std::string_view name) {
  struct Entry {
    const char* name;
    DLDeviceType type;
  };
  static constexpr Entry kTable[] = {
      {"cpu", kDLCPU},         {"cuda", kDLCUDA},   {"cuda_host", kDLCUDAHost},
      {"opencl", kDLOpenCL},   {"vulkan", kDLVulkan}, {"metal", kDLMetal},
      {"vpi", kDLVPI},         {"rocm", kDLROCM},   {"rocm_host", kDLROCMHost},
      {"ext_dev", kDLExtDev},  {"cuda_managed", kDLCUDAManaged}, {"oneapi", kDLOneAPI},
      {"webgpu", kDLWebGPU},   {"hexagon", kDLHexagon}, {"maia", kDLMAIA},
      {"trn", kDLTrn},
  };
  for (const Entry& e : kTable) {
    if (name == std::string_view(e.name)) return e.type;
  }
  return std::nullopt;
}

/*! \brief "name" or "name:index" (index a non-negative int32) as a DLDevice, or nullopt. */
inline std::optional<DLDevice> TryStringViewToDLDevice(std::string_view str) {
  size_t space = str.find(' ');
  if (space != std::string_view::npos) str = str.substr(0, space);
  size_t colon = str.find(':');
  std::string_view name = str.substr(0, colon);
  std::optional<DLDeviceType> type = TryParseDLDeviceType(name);
  if (!type.has_value()) return std::nullopt;
  int64_t id = 0;
  if (colon != std::string_view::npos) {
    std::string_view digits = str.substr(colon + 1);
    if (digits.empty()) return std::nullopt;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      id = id * 10 + (c - '0');
      if (id > INT32_MAX) return std::nullopt;
    }
  }
  DLDevice dev;
  dev.device_type = *type;
  dev.device_id = static_cast<int32_t>(id);
  return dev;
}

}  // namespace details
}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_DEVICE_H_
