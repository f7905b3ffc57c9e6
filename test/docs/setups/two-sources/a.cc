#include <cstdint>
int64_t a_value() { return 1; }
