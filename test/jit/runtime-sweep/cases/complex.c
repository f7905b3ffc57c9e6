// Complex multiply/divide: __muldc3/__divdc3/__mulsc3 (libgcc) for C99 Annex G semantics.
// expect: 1
#include <complex.h>
#include "sweep.h"
static int64_t body(void) {
  volatile double re = 3, im = 4;
  double complex z = re + im * I, w = 1 - 2 * I;
  double complex p = z * w, q = p / w;
  volatile float fr = 1.5f;
  float complex f = (fr + 2.0f * I) * (fr - 2.0f * I);
  return creal(p) == 11 && cimag(p) == -2 && creal(q) > 2.999 && creal(q) < 3.001 &&
         crealf(f) == 6.25f;
}
SWEEP_CASE(body)
