// TVMFFIBacktrace: the location of a throw, formatted as a Python-style frame line, in a
// thread-local buffer that stays valid until the next call on the same thread.
#include <tvm/ffi/c_api.h>

#include <string>

extern "C" TVM_FFI_DLL const TVMFFIByteArray* TVMFFIBacktrace(const char* filename, int lineno,
                                                              const char* func,
                                                              int cross_ffi_boundary) {
  thread_local std::string buffer;
  thread_local TVMFFIByteArray result;
  try {
    buffer.clear();
    // No unwinder-based trace: JIT frames have no symbols the host could name. The throw site
    // given by the caller is the useful frame.
    if (filename != nullptr) {
      buffer += "  File \"";
      buffer += filename;
      buffer += "\", line ";
      buffer += std::to_string(lineno);
      buffer += ", in ";
      buffer += (func != nullptr && func[0] != '\0') ? func : "<unknown>";
      buffer += '\n';
    }
  } catch (...) {
    buffer.clear();
  }
  result.data = buffer.data();
  result.size = buffer.size();
  return &result;
}
