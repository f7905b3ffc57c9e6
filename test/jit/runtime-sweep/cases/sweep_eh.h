// Shared by exceptions.cc and exceptions_thrower.cc.
#pragma once
#include <stdexcept>
struct SweepError : std::runtime_error {
  explicit SweepError(int c) : std::runtime_error("sweep"), code(c) {}
  int code;
};
void sweep_throw(int code);
