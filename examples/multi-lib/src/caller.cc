// Uses symbols of the "math" library (resolved through linkOrder). The export lines for
// call_math and dot3 are generated from `functions:` in orcjit.yaml.
#include "mathlib.h"

int64_t call_math(int64_t a, int64_t b) { return mathlib::add(a, b) * CALLER_SCALE; }

double dot3(double x, double y, double z) {
  const double a[3] = {x, y, z};
  return vec_dot3(a, a);
}
