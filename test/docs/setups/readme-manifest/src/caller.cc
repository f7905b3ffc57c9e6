#include "mathlib.h"

int64_t call_math(int64_t a, int64_t b) { return mathlib::add(a, b) + fast_bonus() + blas_zero(); }
