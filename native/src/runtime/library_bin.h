// Decoder of `__tvm_ffi__library_bin`, the blob a TVM-FFI library embeds to ship the modules
// it imports (device code, serialized sub-modules) next to its host code. Format (all
// integers u64 little-endian; vec<u64> = count then elements; str = length then bytes):
//
//   nbytes                     size of everything that follows
//   indptr: vec<u64>           module i imports child_indices[indptr[i] .. indptr[i+1])
//   child_indices: vec<u64>
//   per module i (indptr.size() - 1 of them):
//     kind: str                "_lib" = the library itself; anything else is created by the
//     bytes: str               global function ffi.Module.load_from_bytes.<kind>(bytes)
//                              (no bytes for "_lib")
//
// The root of the module tree is module 0. This file only parses and validates (bounds,
// counts, index ranges, cycles); jit/library_bin.h creates the modules. Pure C++ (no LLVM):
// it is fuzzed (fuzz/) and unit-tested in the runtime self-test.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace orcjit::runtime {

/// A malformed blob: `what` names the problem, `offset` is the byte offset from the start of
/// the symbol (the nbytes field is offset 0) where it was found.
class LibraryBinError : public std::runtime_error {
 public:
  LibraryBinError(const std::string& what, uint64_t offset)
      : std::runtime_error(what + " at offset " + std::to_string(offset)), offset_(offset) {}
  uint64_t offset() const { return offset_; }

 private:
  uint64_t offset_;
};

struct LibraryBinModule {
  std::string kind;
  std::string_view bytes;  // points into the blob (empty for "_lib")
  uint64_t offset;         // offset of the kind field
};

struct LibraryBin {
  std::vector<std::vector<uint64_t>> imports;  // imports[i] = child indices of module i
  std::vector<LibraryBinModule> modules;
};

/// Parses the blob at `data`; `available` is how many bytes the symbol has (its size in the
/// object file). Throws LibraryBinError for anything malformed: truncation, a length or count
/// past the end, indptr not starting at 0 / decreasing / not ending at the number of child
/// indices, a child index out of range, no modules, bytes left over, a cycle in the tree.
LibraryBin ParseLibraryBin(const uint8_t* data, size_t available);

}  // namespace orcjit::runtime
