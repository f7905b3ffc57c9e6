#include "jit/library_bin.h"

#include <tvm/ffi/c_api.h>

#include <algorithm>
#include <string>
#include <vector>

#include "jit/jit_error.h"
#include "jit/library.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Object/SymbolSize.h"
#include "runtime/api.h"
#include "runtime/library_bin.h"
#include "runtime/module.h"
#include "runtime/object.h"

namespace orcjit::jit {

namespace {
constexpr const char* kSymbol = "__tvm_ffi__library_bin";
constexpr const char* kLoaderPrefix = "ffi.Module.load_from_bytes.";

// Owned references, released on every exit path.
struct Refs {
  std::vector<TVMFFIObject*> objs;
  ~Refs() {
    for (TVMFFIObject* o : objs)
      if (o) runtime::DecRef(o);
  }
};
}  // namespace

uint64_t LibraryBinSymbolSize(llvm::StringRef object_bytes) {
  // Called for every added object; almost none carries a blob. The name must be in the
  // object's string table for the symbol to exist, so a byte search (a few hundred
  // instructions) spares parsing the object and sizing every symbol (~8-19k per object).
  if (object_bytes.find(kSymbol) == llvm::StringRef::npos) return 0;
  auto obj = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(object_bytes, "library_bin probe"));
  if (!obj) {
    llvm::consumeError(obj.takeError());
    return 0;
  }
  for (auto& [sym, size] : llvm::object::computeSymbolSizes(**obj)) {
    auto name = sym.getName();
    if (!name) {
      llvm::consumeError(name.takeError());
      continue;
    }
    // Mach-O prefixes C names with an underscore.
    if (*name == kSymbol || (name->size() == 23 && name->starts_with("_") && name->substr(1) == kSymbol)) {
      auto flags = sym.getFlags();
      if (!flags) {
        llvm::consumeError(flags.takeError());
        continue;
      }
      if (*flags & llvm::object::SymbolRef::SF_Undefined) continue;
      // Never trust the size past the end of the symbol's section: clamp it (the decoder
      // then reports the blob as truncated).
      auto sec = sym.getSection();
      auto addr = sym.getAddress();
      if (!sec || !addr || *sec == (*obj)->section_end()) {
        if (!sec) llvm::consumeError(sec.takeError());
        if (!addr) llvm::consumeError(addr.takeError());
        return 0;
      }
      uint64_t start = *addr - (*sec)->getAddress();
      uint64_t sec_size = (*sec)->getSize();
      if (start > sec_size) return 0;
      return std::min<uint64_t>(size, sec_size - start);
    }
  }
  return 0;
}

TVMFFIObject* ExpandLibraryBin(Library& lib, uint64_t symbol_size) {
  return ExpandLibraryBin(lib.LookupOptional(kSymbol), symbol_size,
                          static_cast<TVMFFIObject*>(lib.module()), lib.name());
}

TVMFFIObject* ExpandLibraryBin(const void* addr, uint64_t symbol_size, TVMFFIObject* self,
                               const std::string& name) {
  if (addr == nullptr) return nullptr;
  const std::string where = "library '" + name + "': ";
  if (symbol_size == 0) {
    throw JitError(ErrorKind::kObjectFile,
                   where + "__tvm_ffi__library_bin has no size in its object's symbol table, " +
                       "so the blob cannot be read safely (define it as a sized array)");
  }
  runtime::LibraryBin bin;
  try {
    bin = runtime::ParseLibraryBin(static_cast<const uint8_t*>(addr), symbol_size);
  } catch (const runtime::LibraryBinError& e) {
    throw JitError(ErrorKind::kObjectFile, where + e.what());
  }
  Refs mods;
  mods.objs.resize(bin.modules.size(), nullptr);
  for (size_t i = 0; i < bin.modules.size(); ++i) {
    const auto& m = bin.modules[i];
    if (m.kind == "_lib") {
      runtime::IncRef(self);
      mods.objs[i] = self;
      continue;
    }
    const std::string entry = "__tvm_ffi__library_bin: module " + std::to_string(i) +
                              " of kind '" + m.kind + "' at offset " + std::to_string(m.offset);
    Refs loader;
    loader.objs.push_back(runtime::GetGlobalFunction(kLoaderPrefix + m.kind));
    if (loader.objs[0] == nullptr) {
      throw JitError(ErrorKind::kObjectFile,
                     where + entry + ": no loader is registered for this kind (register the " +
                         "global function " + kLoaderPrefix + m.kind +
                         "(bytes) -> Module, e.g. with registerGlobalFunc)");
    }
    TVMFFIAny arg = runtime::MakeBytes(m.bytes.data(), m.bytes.size());
    TVMFFIAny result;
    result.type_index = kTVMFFINone;
    result.zero_padding = 0;
    result.v_int64 = 0;
    try {
      runtime::CallFunction(loader.objs[0], &arg, 1, &result);
    } catch (const runtime::FFIError& e) {
      runtime::AnyRelease(&arg);
      throw JitError(ErrorKind::kObjectFile,
                     where + entry + ": " + kLoaderPrefix + m.kind + " failed: " + e.what(),
                     e.info().kind, e.info().message);
    }
    runtime::AnyRelease(&arg);
    if (result.type_index != kTVMFFIModule) {
      std::string got = runtime::TypeKey(result.type_index);
      runtime::AnyRelease(&result);
      throw JitError(ErrorKind::kObjectFile, where + entry + ": " + kLoaderPrefix + m.kind +
                                                 " returned " + got + ", not an ffi.Module");
    }
    mods.objs[i] = result.v_obj;  // owned
  }
  for (size_t i = 0; i < bin.modules.size(); ++i) {
    if (bin.imports[i].empty()) continue;
    if (!runtime::IsLibraryModule(mods.objs[i])) {
      throw JitError(ErrorKind::kObjectFile,
                     where + "__tvm_ffi__library_bin: module " + std::to_string(i) + " of kind '" +
                         bin.modules[i].kind + "' has imports, but its loader returned a " +
                         "module that cannot import (not loaded by this runtime)");
    }
    for (uint64_t c : bin.imports[i]) runtime::ModuleImport(mods.objs[i], mods.objs[c]);
  }
  TVMFFIObject* root = mods.objs[0];
  mods.objs[0] = nullptr;  // the caller's reference
  return root;
}

}  // namespace orcjit::jit
