#include "jit/jit_error.h"

#include <set>

#include "jit/runtime_archives.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/Shared/OrcError.h"

namespace orcjit::jit {

namespace {
std::string Shown(llvm::StringRef mangled) {
  std::string d = llvm::demangle(mangled.str());
  if (d == mangled) return "'" + d + "'";
  return "'" + d + "' (" + mangled.str() + ")";
}
}  // namespace

void CollectErrors(llvm::Error err, ReportedErrors* out) {
  llvm::handleAllErrors(
      std::move(err),
      [&](const llvm::orc::SymbolsNotFound& e) {
        for (const auto& s : e.getSymbols()) out->missing.push_back((*s).str());
      },
      [&](const llvm::ErrorInfoBase& e) { out->messages.push_back(e.message()); });
}

void ThrowLLVMError(llvm::Error err, ErrorKind fallback, const std::string& context,
                    const ReportedErrors* reported) {
  std::set<std::string> missing;
  std::string duplicate;
  std::string other;
  llvm::handleAllErrors(
      std::move(err),
      [&](const llvm::orc::SymbolsNotFound& e) {
        for (const auto& s : e.getSymbols()) missing.insert((*s).str());
      },
      [&](const llvm::orc::DuplicateDefinition& e) { duplicate = e.getSymbolName(); },
      [&](const llvm::orc::FailedToMaterialize& e) {
        // Secondary: the real cause arrives as its own error in the list.
        if (other.empty()) {
          llvm::raw_string_ostream os(other);
          e.log(os);
        }
      },
      [&](const llvm::ErrorInfoBase& e) {
        std::string m = e.message();
        if (!other.empty() && other.rfind("Failed to materialize", 0) == 0) other.clear();
        if (!other.empty()) other += "; ";
        other += m;
      });
  if (reported) {
    for (const auto& m : reported->missing) missing.insert(m);
    for (const auto& m : reported->messages) {
      if (other.rfind("Failed to materialize", 0) == 0) other.clear();
      if (other.find(m) == std::string::npos) other += (other.empty() ? "" : "; ") + m;
    }
  }
  std::string prefix = context.empty() ? "" : context + ": ";
  if (!duplicate.empty()) {
    throw JitError(ErrorKind::kLink,
                   prefix + "duplicate definition of symbol " + Shown(duplicate) +
                       ": it is already defined in this library by an object added earlier "
                       "(put the other definition in a separate library)");
  }
  if (!missing.empty()) {
    std::string names, hints;
    for (const auto& m : missing) {
      names += (names.empty() ? "" : ", ") + Shown(m);
      std::string hint = RuntimeSymbolHint(m);
      if (!hint.empty()) hints += "; " + hint;
    }
    throw JitError(ErrorKind::kLink,
                   prefix + "unresolved symbol" + (missing.size() > 1 ? "s " : " ") + names +
                       " (not defined in this library, its link order, the TVM-FFI runtime, "
                       "its shared libraries, the system's static runtime archives or the host "
                       "process; add the defining object, a library via setLinkOrder or a .so "
                       "via addSharedLibrary)" + hints)
        .WithMissingSymbols(std::vector<std::string>(missing.begin(), missing.end()));
  }
  if (other.find("is out of range of Delta32 fixup") != std::string::npos ||
      other.find("is out of range of Pointer32") != std::string::npos ||
      other.find("is out of range of PCRel32") != std::string::npos) {
    // A PIE (-fPIE, gcc's default) or position-dependent (-fno-pic) object reaching a symbol
    // more than 2 GiB from JIT memory: only a GOT reference (-fPIC) works at any distance.
    other += " (the object was compiled as PIE or position-dependent code and reaches this "
             "symbol with a 32-bit fixup, but it lies more than 2 GiB from the JIT memory; "
             "compile the object with -fPIC)";
    fallback = ErrorKind::kLink;
  }
  throw JitError(fallback, prefix + (other.empty() ? "unknown LLVM error" : other));
}

}  // namespace orcjit::jit
