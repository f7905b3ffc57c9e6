#include <cmath>
#include <cstdint>

namespace mathlib {
int64_t add(int64_t a, int64_t b) { return a + b + static_cast<int64_t>(std::floor(std::sqrt(0.5))); }
}  // namespace mathlib
