// Shared declarations of the "math" library, used by "caller".
#pragma once
#include <cstdint>

namespace mathlib {
int64_t add(int64_t a, int64_t b);
}
extern "C" double vec_dot3(const double* a, const double* b);
