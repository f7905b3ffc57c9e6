// TVMFFIDataTypeFromString / TVMFFIDataTypeToString with the standard tvm names:
// "int8", "uint32", "float16", "bfloat16", "bool", "handle", "void", "complex64",
// "float8_e4m3fn", "float6_e2m3fn", "float4_e2m1fn", ...; lanes as "x4" ("float16x4") and
// scalable vectors as "xvscalex4" (lanes stored as a negative int16).
#include <tvm/ffi/c_api.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/error.h"
#include "runtime/string_object.h"

namespace orcjit::runtime {
namespace {

struct NamedCode {
  const char* name;
  uint8_t code;
  uint8_t bits;  // fixed width for the float8/6/4 families, 0 = width follows the name
};

// Longest prefixes first so "float8_e4m3fnuz" wins over "float8_e4m3fn" and "float".
const NamedCode kFixed[] = {
    {"float8_e4m3b11fnuz", kDLFloat8_e4m3b11fnuz, 8},
    {"float8_e4m3fnuz", kDLFloat8_e4m3fnuz, 8},
    {"float8_e5m2fnuz", kDLFloat8_e5m2fnuz, 8},
    {"float8_e8m0fnu", kDLFloat8_e8m0fnu, 8},
    {"float8_e4m3fn", kDLFloat8_e4m3fn, 8},
    {"float8_e3m4", kDLFloat8_e3m4, 8},
    {"float8_e4m3", kDLFloat8_e4m3, 8},
    {"float8_e5m2", kDLFloat8_e5m2, 8},
    {"float6_e2m3fn", kDLFloat6_e2m3fn, 6},
    {"float6_e3m2fn", kDLFloat6_e3m2fn, 6},
    {"float4_e2m1fn", kDLFloat4_e2m1fn, 4},
};
const NamedCode kSized[] = {
    {"bfloat", kDLBfloat, 16}, {"complex", kDLComplex, 64}, {"handle", kDLOpaqueHandle, 64},
    {"float", kDLFloat, 32},   {"uint", kDLUInt, 32},       {"int", kDLInt, 32},
};

bool StartsWith(const std::string& s, const char* p) { return s.compare(0, std::strlen(p), p) == 0; }

// Parse an unsigned decimal at s[pos..]; returns false if none or out of range.
bool ParseUInt(const std::string& s, size_t* pos, long max, long* out) {
  size_t start = *pos;
  long v = 0;
  while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9') {
    v = v * 10 + (s[*pos] - '0');
    if (v > max) return false;
    ++*pos;
  }
  *out = v;
  return *pos > start;
}

bool Parse(const std::string& s, DLDataType* out) {
  if (s == "void") {
    *out = DLDataType{kDLOpaqueHandle, 0, 0};
    return true;
  }
  size_t pos = 0;
  DLDataType t{0, 0, 1};
  bool found = false;
  if (StartsWith(s, "bool")) {
    t = DLDataType{kDLBool, 8, 1};
    pos = 4;
    found = true;
  }
  for (const auto& f : kFixed) {
    if (found) break;
    if (StartsWith(s, f.name)) {
      t = DLDataType{f.code, f.bits, 1};
      pos = std::strlen(f.name);
      found = true;
    }
  }
  for (const auto& f : kSized) {
    if (found) break;
    if (StartsWith(s, f.name)) {
      pos = std::strlen(f.name);
      long bits = f.bits;
      if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (!ParseUInt(s, &pos, 255, &bits) || bits == 0) return false;
      }
      t = DLDataType{f.code, static_cast<uint8_t>(bits), 1};
      found = true;
    }
  }
  if (!found) return false;
  if (pos < s.size()) {
    if (s[pos] != 'x') return false;
    ++pos;
    bool scalable = s.compare(pos, 7, "vscalex") == 0;
    if (scalable) pos += 7;
    long lanes = 0;
    if (!ParseUInt(s, &pos, scalable ? 32767 : 65535, &lanes) || lanes == 0) return false;
    t.lanes = scalable ? static_cast<uint16_t>(static_cast<int16_t>(-lanes))
                       : static_cast<uint16_t>(lanes);
  }
  if (pos != s.size()) return false;
  *out = t;
  return true;
}

std::string ToString(const DLDataType& t) {
  if (t.code == kDLOpaqueHandle && t.bits == 0 && t.lanes == 0) return "void";
  std::string s;
  bool sized = true;
  switch (t.code) {
    case kDLInt: s = "int"; break;
    case kDLUInt: s = "uint"; break;
    case kDLFloat: s = "float"; break;
    case kDLBfloat: s = "bfloat"; break;
    case kDLComplex: s = "complex"; break;
    case kDLOpaqueHandle:
      s = "handle";
      sized = t.bits != 64;
      break;
    case kDLBool:
      s = "bool";
      sized = t.bits != 8;
      break;
    default: {
      sized = false;
      for (const auto& f : kFixed) {
        if (f.code == t.code) s = f.name;
      }
      if (s.empty()) s = "custom[" + std::to_string(t.code) + "]" + std::to_string(t.bits);
    }
  }
  if (sized) s += std::to_string(t.bits);
  int16_t lanes = static_cast<int16_t>(t.lanes);
  if (lanes < 0) {
    s += "xvscalex" + std::to_string(-lanes);
  } else if (t.lanes != 1) {
    s += "x" + std::to_string(t.lanes);
  }
  return s;
}

}  // namespace
}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int TVMFFIDataTypeFromString(const TVMFFIByteArray* str, DLDataType* out) {
  ORCJIT_API_BEGIN();
  std::string s(str->data, str->size);
  if (!Parse(s, out)) {
    RaiseError("ValueError", "Cannot parse data type string `" + s + "`");
    return -1;
  }
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFIDataTypeToString(const DLDataType* dtype, TVMFFIAny* out) {
  ORCJIT_API_BEGIN();
  std::string s = ToString(*dtype);
  *out = MakeStringAny(s.data(), s.size(), false);
  ORCJIT_API_END();
}

}  // extern "C"
