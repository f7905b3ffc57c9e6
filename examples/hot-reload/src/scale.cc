// Edit and save while `orcjit watch` (or run.ts) is running.
#include <string>

#include "params.h"

double scale(double x) { return x * FACTOR; }

std::string describe() { return "scale multiplies by " + std::to_string(FACTOR); }
