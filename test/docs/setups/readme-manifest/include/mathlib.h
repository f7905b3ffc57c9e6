// Declarations shared by the libraries of the README's manifest example.
#pragma once
#include <cstdint>

namespace mathlib {
int64_t add(int64_t a, int64_t b);
}
extern "C" double vec_norm2(const double* a, int n);  // src/vec.c
extern "C" long blas_zero(void);                      // prebuilt/blas_kernels.o
int64_t fast_bonus();                                 // src/fast.cc
