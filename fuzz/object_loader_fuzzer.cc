// libFuzzer harness for the JIT object loader: the bytes go through the same path as
// DynamicLibrary.add + the first lookup in the addon (Library::AddObject → PrepareObject →
// ObjectLinkingLayer, then a lookup that links every added object).
//
// An object that defines __tvm_ffi__library_bin also has its blob decoded and validated
// (runtime/library_bin.h; bounded by the symbol's size in the object), as loadModule does
// before it calls any loader: a malformed blob must end in LibraryBinError.
//
// Contract under test: every input ends in success or a JitError; no crash, hang, or
// sanitizer report. Nothing from the input is executed: the session is created with
// run_initializers = false (no .init_array/.ctors/.fini_array/.dtors), and no looked-up
// address is ever called.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "jit/jit_error.h"
#include "jit/library.h"
#include "jit/library_bin.h"
#include "jit/session.h"
#include "jit/object_file.h"
#include "llvm/ExecutionEngine/Orc/ObjectFileInterface.h"
#include "llvm/Support/TargetSelect.h"
#include "runtime/library_bin.h"

namespace {

using orcjit::jit::JitError;

// Symbol names an object defines (the ORC interface AddObject uses), or none.
std::vector<std::string> DefinedSymbols(orcjit::jit::Session& s, llvm::StringRef bytes) {
  std::vector<std::string> out;
  try {
    auto buf = orcjit::jit::PrepareObject(bytes, "probe.o", s.triple());
    auto iface = llvm::orc::getObjectFileInterface(s.jit().getExecutionSession(),
                                                   buf->getMemBufferRef());
    if (!iface) {
      llvm::consumeError(iface.takeError());
      return out;
    }
    for (auto& kv : iface->SymbolFlags) out.push_back((*kv.first).str());
  } catch (const JitError&) {
  }
  return out;
}

bool g_verbose = false;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  g_verbose = std::getenv("ORCJIT_FUZZ_VERBOSE") != nullptr;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  orcjit::jit::SessionOptions opts;
  opts.reserve_bytes = size_t(64) << 20;
  opts.run_initializers = false;
  auto session = orcjit::jit::Session::Create(opts);
  llvm::StringRef bytes(reinterpret_cast<const char*>(data), size);
  std::string outcome = "linked";
  try {
    auto lib = session->CreateLibrary("fuzz");
    lib->AddObject(bytes, "input.o");
    // Link: the first lookup of any defined symbol links every pending object.
    auto names = DefinedSymbols(*session, bytes);
    for (size_t i = 0; i < names.size() && i < 4; ++i) {
      try {
        (void)lib->LookupOptional(names[i]);  // address only; never called
      } catch (const JitError& e) {
        outcome = std::string("lookup error: ") + e.what();
        break;
      }
    }
    if (outcome == "linked") {
      uint64_t bin_size = orcjit::jit::LibraryBinSymbolSize(bytes);
      try {
        void* bin = bin_size ? lib->LookupOptional("__tvm_ffi__library_bin") : nullptr;
        if (bin) {
          auto parsed = orcjit::runtime::ParseLibraryBin(static_cast<const uint8_t*>(bin), bin_size);
          outcome = "library_bin: " + std::to_string(parsed.modules.size()) + " modules";
        }
      } catch (const orcjit::runtime::LibraryBinError& e) {
        outcome = std::string("library_bin error: ") + e.what();
      } catch (const JitError& e) {
        outcome = std::string("lookup error: ") + e.what();
      }
    }
    lib->Dispose();
  } catch (const JitError& e) {
    outcome = std::string("error: ") + e.what();
  }
  session->Dispose();
  if (g_verbose) std::fprintf(stderr, "[orcjit-fuzz] %zu bytes: %.300s\n", size, outcome.c_str());
  return 0;
}
