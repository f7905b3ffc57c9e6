// One way for LLVM failures to leave the JIT engine: a JitError (C++ exception) that carries
// the category the binding maps to a typed JS error class.
#pragma once
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "llvm/Support/Error.h"

namespace orcjit::jit {

enum class ErrorKind {
  kObjectFile,      // not an object, truncated/corrupt ELF, wrong architecture, TLS
  kLink,            // unresolved / duplicate symbols, relocation failures
  kSymbolNotFound,  // getFunction of a name the library does not define
  kDisposed,        // use after dispose
  kInternal,        // anything else from LLVM
};

class JitError : public std::runtime_error {
 public:
  JitError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  /// An error that JIT code raised through the TVM-FFI protocol (e.g. a static initializer):
  /// `ffi_kind`/`ffi_message` are the TVM-FFI error's kind and message.
  JitError(ErrorKind kind, const std::string& message, std::string ffi_kind,
           std::string ffi_message)
      : std::runtime_error(message),
        kind_(kind),
        ffi_kind_(std::move(ffi_kind)),
        ffi_message_(std::move(ffi_message)) {}
  ErrorKind kind() const { return kind_; }
  const std::string& ffi_kind() const { return ffi_kind_; }
  const std::string& ffi_message() const { return ffi_message_; }
  /// kLink: the symbols the link could not resolve (mangled), empty for other link failures.
  /// Callers branch on this, never on the message text; JS sees it as `missingSymbols`.
  const std::vector<std::string>& missing_symbols() const { return missing_symbols_; }
  JitError&& WithMissingSymbols(std::vector<std::string> names) && {
    missing_symbols_ = std::move(names);
    return std::move(*this);
  }

 private:
  ErrorKind kind_;
  std::string ffi_kind_;
  std::string ffi_message_;
  std::vector<std::string> missing_symbols_;
};

/// Errors ORC reports out of band (through ExecutionSession::reportError) while a lookup
/// links: the root cause of a "Failed to materialize symbols" error arrives here.
struct ReportedErrors {
  std::vector<std::string> missing;   // symbols not found while linking
  std::vector<std::string> messages;  // other messages
  bool empty() const { return missing.empty() && messages.empty(); }
};

/// Consumes `err` and throws it as a JitError. The category is inferred from the LLVM error
/// (duplicate definition / missing symbols → kLink) unless that gives nothing better than
/// `fallback`. `context` is prefixed to the message ("library 'x': ...").
[[noreturn]] void ThrowLLVMError(llvm::Error err, ErrorKind fallback, const std::string& context,
                                 const ReportedErrors* reported = nullptr);

/// Splits an error into missing-symbol names and messages (consumes it).
void CollectErrors(llvm::Error err, ReportedErrors* out);

/// Unwraps an Expected<T>, throwing through ThrowLLVMError on failure.
template <typename T>
T Unwrap(llvm::Expected<T> value, ErrorKind fallback, const std::string& context) {
  if (!value) ThrowLLVMError(value.takeError(), fallback, context);
  return std::move(*value);
}

}  // namespace orcjit::jit

/// Evaluates an expression returning llvm::Error; on failure throws a JitError.
#define JIT_LLVM_CALL(expr, kind, context)                                             \
  do {                                                                                 \
    if (::llvm::Error jit_llvm_call_err__ = (expr))                                    \
      ::orcjit::jit::ThrowLLVMError(std::move(jit_llvm_call_err__), (kind), (context)); \
  } while (0)
