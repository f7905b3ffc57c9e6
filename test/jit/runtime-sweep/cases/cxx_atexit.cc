// std::atexit and std::at_quick_exit from C++ (the reported case).
// expect: 0
#include <cstdlib>
#include "sweep.h"
static void bye() {}
static int64_t body() { return std::atexit(bye) + std::at_quick_exit(bye); }
SWEEP_CASE(body)
