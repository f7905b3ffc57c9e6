// Host environment hooks registered through TVMFFIEnvRegisterCAPI.
#pragma once
#include <string>

namespace orcjit::runtime {

/// Address registered under `name` with TVMFFIEnvRegisterCAPI, or nullptr.
void* EnvCAPI(const std::string& name);

}  // namespace orcjit::runtime
