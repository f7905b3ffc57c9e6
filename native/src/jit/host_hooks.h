// Host-side functions JIT code links against instead of the process' own:
// a __cxa_atexit that records registrations per JIT library (keyed by its __dso_handle).
#pragma once
#include <cstdint>
#include <vector>

namespace orcjit::jit {

struct AtexitRecord {
  void (*fn)(void*);
  void* arg;
};

/// The interposer defined as `__cxa_atexit` in every session's runtime library.
extern "C" int OrcjitCxaAtexit(void (*fn)(void*), void* arg, void* dso);

/// Starts recording registrations whose dso argument is `dso`.
void RegisterDso(void* dso);
/// Stops recording for `dso` and returns its registrations in registration order.
std::vector<AtexitRecord> UnregisterDso(void* dso);

}  // namespace orcjit::jit
