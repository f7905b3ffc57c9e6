// Driver for test/module/library-bin-parser.test.ts: runs ParseLibraryBin (no LLVM, no Node)
// on hex-encoded blobs given one per line on stdin; prints "ok <modules>" or "error <what>".
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "runtime/library_bin.h"

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i + 1 < line.size(); i += 2) bytes.push_back(std::stoi(line.substr(i, 2), nullptr, 16));
    try {
      auto bin = orcjit::runtime::ParseLibraryBin(bytes.data(), bytes.size());
      std::cout << "ok " << bin.modules.size();
      for (auto& m : bin.modules) std::cout << " " << m.kind << ":" << m.bytes.size() << "@" << m.offset;
      std::cout << "\n";
    } catch (const orcjit::runtime::LibraryBinError& e) {
      std::cout << "error " << e.what() << "\n";
    }
  }
  return 0;
}
