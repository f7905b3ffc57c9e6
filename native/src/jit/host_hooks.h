// Host-side functions JIT code links against instead of the process' own, so that what a
// library registers with the C runtime is tied to the library (keyed by its __dso_handle):
//  - __cxa_atexit: recorded per library, run at its dispose (like __cxa_finalize at dlclose);
//  - __cxa_at_quick_exit (behind at_quick_exit) and __register_atfork (behind
//    pthread_atfork): run by one host handler while the library lives, dropped at dispose,
//    so neither quick_exit() nor fork() ever calls into unmapped code.
// Registrations with a dso that is not a JIT library's are passed to the C runtime.
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
/// ... as `__cxa_at_quick_exit`.
extern "C" int OrcjitCxaAtQuickExit(void (*fn)(), void* dso);
/// ... as `__register_atfork`.
extern "C" int OrcjitRegisterAtfork(void (*prepare)(), void (*parent)(), void (*child)(), void* dso);

/// Starts recording registrations whose dso argument is `dso`.
void RegisterDso(void* dso);
/// Stops recording for `dso`, drops its quick-exit and fork handlers and returns its
/// __cxa_atexit registrations in registration order.
std::vector<AtexitRecord> UnregisterDso(void* dso);

}  // namespace orcjit::jit
