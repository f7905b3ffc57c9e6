/* Plain C kernels shared by every baseline: the addon links them in, koffi and dlopen load
 * them from a .so built from this same file. */
#include <stdint.h>

__attribute__((visibility("default"))) void bench_noop(void) {}

__attribute__((visibility("default"))) int64_t bench_add(int64_t a, int64_t b) { return a + b; }

/* One-element read of a float array (koffi passes a Float32Array as float*). */
__attribute__((visibility("default"))) double bench_f32_first(const float* p) { return p[0]; }
