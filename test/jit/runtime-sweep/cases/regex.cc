// std::regex: heavy template code, locale facets, exceptions inside libstdc++.
// expect: 2
#include <regex>
#include <string>
#include "sweep.h"
static int64_t body() {
  std::regex re("([a-z]+)-(\\d+)");
  std::smatch m;
  std::string s = "item-42";
  if (!std::regex_match(s, m, re)) return -1;
  int64_t n = 0;
  std::string text = "a-1 b-2 c";
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) n++;
  return std::stoi(m[2]) == 42 ? n : -2;
}
SWEEP_CASE(body)
