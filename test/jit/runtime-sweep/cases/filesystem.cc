// std::filesystem (libstdc++.so since GCC 9): path handling and a directory query.
// expect: 1
#include <filesystem>
#include "sweep.h"
static int64_t body() {
  namespace fs = std::filesystem;
  fs::path p = fs::path("/usr") / "lib" / "x.txt";
  std::error_code ec;
  bool root = fs::is_directory("/", ec);
  return p.filename() == "x.txt" && p.extension() == ".txt" && p.parent_path() == "/usr/lib" &&
         root && !fs::temp_directory_path(ec).empty();
}
SWEEP_CASE(body)
