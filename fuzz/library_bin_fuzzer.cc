// libFuzzer target: the __tvm_ffi__library_bin decoder (runtime/library_bin.h) on raw bytes,
// the blob as it sits in a loaded library with `size` bytes available. Fast (no LLVM), so it
// reaches deep into the format where mutating whole objects (object_loader_fuzzer) rarely
// does. Every input must either parse into a tree that satisfies the decoder's promises or
// throw LibraryBinError with an offset inside the input; anything else (a crash, a sanitizer
// report, another exception such as bad_alloc, a broken promise) stops the run.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "runtime/library_bin.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "library_bin_fuzzer: %s\n", what);
  std::abort();
}

// The promises of ParseLibraryBin (library_bin.h), checked independently of its code.
void CheckTree(const orcjit::runtime::LibraryBin& bin, const uint8_t* data, size_t size) {
  const size_t n = bin.modules.size();
  if (n == 0) Fail("parsed a tree with no modules");
  if (bin.imports.size() != n) Fail("imports and modules differ in count");
  size_t libs = 0;
  for (const auto& m : bin.modules) {
    if (m.kind.empty()) Fail("a module with an empty kind");
    if (m.kind == "_lib") {
      ++libs;
      if (!m.bytes.empty()) Fail("_lib with bytes");
    }
    if (!m.bytes.empty()) {
      auto* b = reinterpret_cast<const uint8_t*>(m.bytes.data());
      if (b < data || b + m.bytes.size() > data + size) Fail("module bytes outside the input");
    }
    if (m.offset >= size) Fail("module offset outside the input");
  }
  if (libs > 1) Fail("more than one _lib");
  for (const auto& children : bin.imports)
    for (uint64_t c : children)
      if (c >= n) Fail("child index out of range");
  // No cycle: iterative DFS with colours (0 new, 1 on the stack, 2 done).
  std::vector<int> colour(n, 0);
  for (size_t root = 0; root < n; ++root) {
    if (colour[root]) continue;
    std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
    colour[root] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < bin.imports[node].size()) {
        size_t child = bin.imports[node][next++];
        if (colour[child] == 1) Fail("accepted a cycle");
        if (colour[child] == 0) {
          colour[child] = 1;
          stack.emplace_back(child, 0);
        }
      } else {
        colour[node] = 2;
        stack.pop_back();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    CheckTree(orcjit::runtime::ParseLibraryBin(data, size), data, size);
  } catch (const orcjit::runtime::LibraryBinError& e) {
    if (e.offset() > size) Fail("error offset past the input");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "library_bin_fuzzer: unexpected exception: %s\n", e.what());
    std::abort();
  }
  return 0;
}
