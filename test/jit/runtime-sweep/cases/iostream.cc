// iostreams and locales: std::cout (host data), ostringstream (vtables), the "C" locale.
// expect: 1
#include <iomanip>
#include <iostream>
#include <locale>
#include <sstream>
#include "sweep.h"
static int64_t body() {
  std::ostringstream os;
  os.imbue(std::locale::classic());
  os << std::setw(5) << 42 << ' ' << std::hex << 255 << ' ' << std::fixed << std::setprecision(2) << 1.5;
  std::istringstream is("7 8");
  int a = 0, b = 0;
  is >> a >> b;
  std::cout.flush();  // a reference to the host's std::cout
  bool up = std::use_facet<std::ctype<char>>(std::locale::classic()).toupper('q') == 'Q';
  return os.str() == "   42 ff 1.50" && a + b == 15 && up && std::cout.good();
}
SWEEP_CASE(body)
