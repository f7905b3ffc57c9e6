// Table of the runtime's C API entry points (filled in as the runtime grows).
#include "runtime/exported_symbols.h"

namespace orcjit::runtime {

static const ExportedSymbol kSymbols[] = {
    {nullptr, nullptr},
};

const ExportedSymbol* ExportedSymbols(std::size_t* count) {
  *count = 0;
  return kSymbols;
}

}  // namespace orcjit::runtime
