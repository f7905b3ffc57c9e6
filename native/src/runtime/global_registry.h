// The process-wide global function registry (name -> Function, plus doc/metadata).
#pragma once
#include <tvm/ffi/c_api.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/api.h"

namespace orcjit::runtime {

/// Sorted names of all registered global functions.
std::vector<std::string> GlobalFunctionNames();
/// Remove `name`; false if absent. The registry's reference is released.
bool RemoveGlobal(const std::string& name);
/// Doc and metadata (JSON) recorded for `name`; false if absent.
bool GlobalFunctionInfo(const std::string& name, std::string* doc, std::string* metadata);

/// Ownership of global functions by JIT library generations (hot reload). Owner 0 is the
/// host (the addon, user code outside any library constructor); a JIT library has a
/// process-unique non-zero id. While a library's static constructors run, the loader makes
/// it the calling thread's current owner (ScopedGlobalOwner): registrations made then are
/// recorded as that library's. A registration whose name is currently owned by ANOTHER JIT
/// library replaces it (the newer generation wins; the older entry is kept underneath and
/// comes back if the newer owner is removed first). Duplicates against host entries, or
/// within one library, keep the "already registered" error.
uint64_t NewGlobalOwnerId();
uint64_t CurrentGlobalOwner();
class ScopedGlobalOwner {
 public:
  explicit ScopedGlobalOwner(uint64_t owner);
  ~ScopedGlobalOwner();
  ScopedGlobalOwner(const ScopedGlobalOwner&) = delete;
  ScopedGlobalOwner& operator=(const ScopedGlobalOwner&) = delete;

 private:
  uint64_t prev_;
};
/// Removes every registration `owner` made (restoring older generations' entries it had
/// replaced). Returns the number of entries removed. Called before a library is unmapped.
size_t RemoveOwnedGlobals(uint64_t owner);
/// Number of registrations `owner` made that are still in the registry (visible or stacked
/// under a newer generation). A library with any is reachable by name, so it is not torn
/// down when its JS handles go (src/jit/teardown.ts).
size_t CountOwnedGlobals(uint64_t owner);

/// Keep-alive counts per JIT library (owner): things that point into a library's code and
/// may outlive its dispose (Function objects its constructors created, its ffi.Module and so
/// every Function made from it) retain the owner; the loader defers unmapping the library
/// until the count drops to zero. Thread-safe; the hook runs on the releasing thread.
void RetainOwner(uint64_t owner);
void ReleaseOwner(uint64_t owner);
int64_t OwnerRefCount(uint64_t owner);
/// If `owner` is retained, stores `on_released` (run once when the count reaches zero) and
/// returns true; else returns false and the caller proceeds at once.
bool DeferUntilReleased(uint64_t owner, std::function<void()> on_released);
/// Forgets a pending hook (the loader finished the work itself, e.g. at session dispose).
void CancelDeferred(uint64_t owner);

/// The owner of the visible entry for `name` (0 = host), or -1 if absent (tests/diagnostics).
int64_t GlobalOwner(const std::string& name);

/// A global function the runtime registers when the registry is first used.
struct BuiltinDef {
  const char* name;
  const char* doc;
  CppFunction fn;
};
/// Builtins contributed by module.cc (ffi.ModuleGetFunction, ffi.ModuleImportModule).
std::vector<BuiltinDef> ModuleBuiltins();

}  // namespace orcjit::runtime
