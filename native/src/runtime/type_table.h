// The type table: static indices 0-12 and 64-77 pre-registered, dynamic indices from 128.
#pragma once
#include <tvm/ffi/c_api.h>

#include <cstdint>
#include <string>

namespace orcjit::runtime {

/// Type info of `type_index`, or nullptr if it is not registered (never aborts).
const TVMFFITypeInfo* FindTypeInfo(int32_t type_index);

/// Library ownership of reflection registrations (fields, methods, metadata, attributes):
/// each records CurrentGlobalOwner() (runtime/global_registry.h) when made; a later
/// registration of the same name (hot reload) takes it over.
/// Retains (RetainOwner) the library owning `type_index`'s registrations (else its nearest
/// ancestor's) and returns it, or 0 if none (host-registered or already removed).
uint64_t RetainTypeOwner(int32_t type_index);
/// Name of the library whose removal cleared registrations of `type_index` (or an
/// ancestor) and that nobody re-registered since, or "".
std::string TypeDisposedBy(int32_t type_index);
/// Removes every registration `owner` made (releasing held values while its code is still
/// mapped) and marks the affected types as disposed by `library_name`. Called right before
/// the library is unmapped. Returns the number of registrations removed.
size_t RemoveOwnedTypeRegistrations(uint64_t owner, const std::string& library_name);

}  // namespace orcjit::runtime
