#include <math.h>
double vec_norm2(const double* a, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += a[i] * a[i];
  return sqrt(s);
}
