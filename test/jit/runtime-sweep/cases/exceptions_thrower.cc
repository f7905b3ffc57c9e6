// Second object of the exceptions case (not a case by itself).
// sweep-part
#include "sweep_eh.h"
void sweep_throw(int code) { throw SweepError(code); }
