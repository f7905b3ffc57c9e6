// Embedded module binaries (`__tvm_ffi__library_bin`, format in runtime/library_bin.h): the
// module tree a library ships next to its code, expanded when the library is loaded.
//
//   uint64_t size = LibraryBinSymbolSize(object_bytes);      // at add time, per object
//   TVMFFIObject* root = ExpandLibraryBin(lib, size);        // after link; nullptr: no blob
//
// "_lib" entries are the library's own ffi.Module (the one __tvm_ffi__library_ctx points
// at); every other entry is created by the global function ffi.Module.load_from_bytes.<kind>
// (registered by C++ or by JS with registerGlobalFunc) called with the entry's bytes, which
// must return an ffi.Module. Module i then imports its children, so lookups through imports
// (TVMFFIEnvModLookupFromImports, ffi.ModuleGetFunction with query_imports) reach them.
#pragma once
#include <cstdint>
#include <string>

#include "llvm/ADT/StringRef.h"

struct TVMFFIObject;

namespace orcjit::jit {

class Library;

/// Size in bytes of the `__tvm_ffi__library_bin` symbol an object defines, or 0 if it defines
/// none (or the object cannot be read; AddObject reports that).
uint64_t LibraryBinSymbolSize(llvm::StringRef object_bytes);

/// Decodes the library's blob (its symbol is `symbol_size` bytes) and builds the module tree.
/// Returns a new reference to the root (module 0), or nullptr when the library defines no
/// blob. Throws JitError(kObjectFile) naming the problem and its offset for a malformed blob,
/// a kind with no loader, or a loader that fails or returns something other than a module.
TVMFFIObject* ExpandLibraryBin(Library& lib, uint64_t symbol_size);

/// The same for any loaded library (a JIT library above, a dlopen'ed one in the binding):
/// `blob` is its __tvm_ffi__library_bin (nullptr: none, returns nullptr), `symbol_size` the
/// symbol's size, `self` its ffi.Module (the "_lib" entries), `name` names it in errors.
TVMFFIObject* ExpandLibraryBin(const void* blob, uint64_t symbol_size, TVMFFIObject* self,
                               const std::string& name);

}  // namespace orcjit::jit
