// Validation and normalisation of relocatable objects before they reach JITLink.
//
// Every failure a user can cause with a bad file becomes a specific JitError(kObjectFile)
// here instead of an LLVM diagnostic deep inside the linker: not an object file, a shared
// library or archive, a truncated or corrupted ELF, another architecture, TLS.
//
// The returned buffer is a patched copy:
//  - STB_GNU_UNIQUE symbols (g++ function-local statics in inline functions) become STB_WEAK;
//  - every init/fini section (.init_array*, .fini_array*, .ctors*, .dtors*) is renamed to
//    "<name>@<section index>[@<COMDAT signature>]" so the init/fini plugin can keep the
//    object's section order and skip the copies of COMDAT groups the linker discarded.
#pragma once
#include <memory>
#include <string>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Triple.h"

namespace orcjit::jit {

/// Parsed form of a renamed init/fini section name.
struct InitFiniSectionName {
  enum Kind { kInitArray = 0, kCtors = 1, kDtors = 2, kFiniArray = 3 };
  Kind kind;
  int priority;           // sort key: ascending within a kind (see InitFiniPlugin)
  unsigned section_index; // ELF section index in the original object (0 if unknown)
  std::string comdat;     // COMDAT group signature symbol, empty if not in a group
};

/// Parses ".init_array[.N][@idx[@sig]]" etc.; returns false for other sections.
bool ParseInitFiniSectionName(llvm::StringRef name, InitFiniSectionName* out);

/// Validates `bytes` as a relocatable object for `host` and returns the patched copy.
/// `display_name` names the object in error messages. Throws JitError(kObjectFile).
std::unique_ptr<llvm::MemoryBuffer> PrepareObject(llvm::StringRef bytes,
                                                  const std::string& display_name,
                                                  const llvm::Triple& host);

}  // namespace orcjit::jit
