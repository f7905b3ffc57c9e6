// The TVM-FFI C API functions this runtime implements, as (name, address) pairs.
// The JIT defines them as absolute symbols in every session's runtime library, so JIT code
// resolves TVMFFI* without dlsym (Node loads addons RTLD_LOCAL).
#pragma once
#include <cstddef>

namespace orcjit::runtime {

struct ExportedSymbol {
  const char* name;
  void* address;
};

/// All exported C API symbols; `*count` receives the number of entries.
const ExportedSymbol* ExportedSymbols(std::size_t* count);

}  // namespace orcjit::runtime
