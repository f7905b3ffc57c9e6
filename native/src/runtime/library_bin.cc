// Bounds-checked reader of __tvm_ffi__library_bin (format in library_bin.h).
#include "runtime/library_bin.h"

#include <cstring>

namespace orcjit::runtime {
namespace {

// Sanity bounds: a count larger than the bytes left cannot be honest (each element takes at
// least 8 bytes), so it is rejected before anything is allocated for it.
class Reader {
 public:
  Reader(const uint8_t* data, uint64_t end) : data_(data), end_(end) {}
  uint64_t pos() const { return pos_; }
  uint64_t left() const { return end_ - pos_; }

  uint64_t U64(const char* what) {
    if (left() < 8) {
      throw LibraryBinError(std::string("truncated ") + what + " (needs 8 bytes, " +
                                std::to_string(left()) + " left)",
                            pos_);
    }
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | data_[pos_ + i];  // little-endian
    pos_ += 8;
    return v;
  }
  std::vector<uint64_t> VecU64(const char* what) {
    uint64_t at = pos_;
    uint64_t n = U64(what);
    if (n > left() / 8) {
      throw LibraryBinError(std::string(what) + " count " + std::to_string(n) +
                                " runs past the end of the blob (" + std::to_string(left()) +
                                " bytes left)",
                            at);
    }
    std::vector<uint64_t> out(n);
    for (uint64_t i = 0; i < n; ++i) out[i] = U64(what);
    return out;
  }
  std::string_view Str(const char* what) {
    uint64_t at = pos_;
    uint64_t n = U64(what);
    if (n > left()) {
      throw LibraryBinError(std::string(what) + " length " + std::to_string(n) +
                                " runs past the end of the blob (" + std::to_string(left()) +
                                " bytes left)",
                            at);
    }
    std::string_view s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }

 private:
  const uint8_t* data_;
  uint64_t end_;
  uint64_t pos_ = 0;
};

// Depth-first search for a cycle; returns a module on one, or -1.
int64_t FindCycle(const std::vector<std::vector<uint64_t>>& imports) {
  enum : uint8_t { kNew, kOnStack, kDone };
  std::vector<uint8_t> state(imports.size(), kNew);
  std::vector<std::pair<uint64_t, size_t>> stack;  // (module, next child position)
  for (uint64_t start = 0; start < imports.size(); ++start) {
    if (state[start] != kNew) continue;
    stack.push_back({start, 0});
    state[start] = kOnStack;
    while (!stack.empty()) {
      auto& [m, next] = stack.back();
      if (next == imports[m].size()) {
        state[m] = kDone;
        stack.pop_back();
        continue;
      }
      uint64_t c = imports[m][next++];
      if (state[c] == kOnStack) return static_cast<int64_t>(c);
      if (state[c] == kNew) {
        state[c] = kOnStack;
        stack.push_back({c, 0});
      }
    }
  }
  return -1;
}

}  // namespace

LibraryBin ParseLibraryBin(const uint8_t* data, size_t available) {
  if (available < 8) {
    throw LibraryBinError("__tvm_ffi__library_bin: truncated header (the symbol has " +
                              std::to_string(available) +
                              " bytes, the nbytes field needs 8)",
                          0);
  }
  uint64_t nbytes = 0;
  for (int i = 7; i >= 0; --i) nbytes = (nbytes << 8) | data[i];
  if (nbytes > available - 8) {
    throw LibraryBinError("__tvm_ffi__library_bin: nbytes " + std::to_string(nbytes) +
                              " runs past the end of the " +
                              "symbol (" + std::to_string(available - 8) + " bytes follow it)",
                          0);
  }
  // Offsets reported below count from the start of the symbol.
  Reader r(data + 8, nbytes);
  auto at = [&](uint64_t pos) { return pos + 8; };
  LibraryBin bin;
  std::vector<uint64_t> indptr;
  std::vector<uint64_t> children;
  try {
    indptr = r.VecU64("import tree indptr");
    uint64_t children_at = r.pos();
    children = r.VecU64("import tree child_indices");
    if (indptr.empty()) throw LibraryBinError("import tree indptr is empty (no modules)", 0);
    if (indptr[0] != 0) {
      throw LibraryBinError("import tree indptr[0] is " + std::to_string(indptr[0]) +
                                ", not 0",
                            8);
    }
    for (size_t i = 1; i < indptr.size(); ++i) {
      if (indptr[i] < indptr[i - 1]) {
        throw LibraryBinError("import tree indptr decreases at index " + std::to_string(i) +
                                  " (" + std::to_string(indptr[i - 1]) + " then " +
                                  std::to_string(indptr[i]) + ")",
                              8 + 8 * i);
      }
    }
    if (indptr.back() != children.size()) {
      throw LibraryBinError("import tree counts do not match: indptr ends at " +
                                std::to_string(indptr.back()) + " but there are " +
                                std::to_string(children.size()) + " child indices",
                            children_at);
    }
    size_t num_modules = indptr.size() - 1;
    if (num_modules == 0) throw LibraryBinError("the blob declares no modules", 0);
    for (size_t k = 0; k < children.size(); ++k) {
      if (children[k] >= num_modules) {
        throw LibraryBinError("child index " + std::to_string(children[k]) +
                                  " out of range (there are " + std::to_string(num_modules) +
                                  " modules)",
                              children_at + 8 + 8 * k);
      }
    }
    bin.imports.resize(num_modules);
    for (size_t i = 0; i < num_modules; ++i) {
      bin.imports[i].assign(children.begin() + indptr[i], children.begin() + indptr[i + 1]);
    }
    for (size_t i = 0; i < num_modules; ++i) {
      uint64_t kind_at = r.pos();
      std::string_view kind = r.Str("module kind");
      if (kind.empty()) throw LibraryBinError("module " + std::to_string(i) + " has an empty kind", kind_at);
      LibraryBinModule m{std::string(kind), {}, 0};
      m.offset = kind_at;
      if (m.kind != "_lib") m.bytes = r.Str("module bytes");
      bin.modules.push_back(std::move(m));
    }
    size_t libs = 0;
    for (const auto& m : bin.modules) libs += m.kind == "_lib" ? 1 : 0;
    if (libs > 1) {
      // Every "_lib" is the same module object: two of them could import each other.
      throw LibraryBinError("the blob has " + std::to_string(libs) +
                                " '_lib' entries (at most one: it is the library itself)",
                            0);
    }
    if (r.left() != 0) {
      throw LibraryBinError(std::to_string(r.left()) + " bytes left over after the last of " +
                                std::to_string(num_modules) + " modules",
                            r.pos());
    }
  } catch (const LibraryBinError& e) {
    // Re-base the offset (the reader counts from after the nbytes field).
    std::string what = e.what();
    what = what.substr(0, what.rfind(" at offset "));
    throw LibraryBinError("__tvm_ffi__library_bin: " + what, at(e.offset()));
  }
  int64_t cycle = FindCycle(bin.imports);
  if (cycle >= 0) {
    throw LibraryBinError("__tvm_ffi__library_bin: cycle in the import tree through module " +
                              std::to_string(cycle) + " (kind '" + bin.modules[cycle].kind + "')",
                          8);
  }
  for (auto& m : bin.modules) m.offset = at(m.offset);
  return bin;
}

}  // namespace orcjit::runtime
