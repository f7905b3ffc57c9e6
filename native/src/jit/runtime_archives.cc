#include "jit/runtime_archives.h"

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "jit/jit_error.h"
#include "jit/library.h"
#include "llvm/ExecutionEngine/Orc/AbsoluteSymbols.h"
#include "llvm/Object/Archive.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace orcjit::jit {
namespace {

// Members that must bind the *calling* library's __dso_handle (so atexit handlers run at its
// dispose and atfork/quick-exit handlers are dropped with it): always taken from the
// archive, even if some other copy were visible.
bool PerDso(llvm::StringRef name) {
  return name == "atexit" || name == "at_quick_exit" || name == "pthread_atfork";
}

struct Member {
  llvm::MemoryBufferRef bytes;
  std::string display;  // "libgcc.a(cpuinfo.o)"
};

struct Index {
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> files;
  std::vector<std::unique_ptr<llvm::object::Archive>> archives;
  std::vector<std::unique_ptr<Member>> members;
  std::map<std::string, const Member*, std::less<>> by_symbol;  // first archive wins
};

std::string Multiarch() {
  llvm::Triple t(llvm::sys::getProcessTriple());
  return std::string(t.getArchName()) + "-linux-gnu";
}

// The newest /usr/lib/gcc/<multiarch>/<N>/libgcc.a (what `gcc -print-libgcc-file-name` says).
std::string FindLibgcc() {
  std::string best;
  int best_version = -1;
  for (const std::string& root : {"/usr/lib/gcc/" + Multiarch(), std::string("/usr/lib/gcc/x86_64-redhat-linux"),
                                  "/usr/lib64/gcc/" + Multiarch()}) {
    DIR* dir = opendir(root.c_str());
    if (!dir) continue;
    while (dirent* e = readdir(dir)) {
      int v = std::atoi(e->d_name);
      std::string path = root + "/" + e->d_name + "/libgcc.a";
      if (v > best_version && access(path.c_str(), R_OK) == 0) best = path, best_version = v;
    }
    closedir(dir);
  }
  return best;
}

std::vector<std::string> ArchivePaths() {
  std::vector<std::string> out;
  // Override (colon-separated archive paths), for systems with other layouts.
  if (const char* env = std::getenv("ORCJIT_RUNTIME_ARCHIVES")) {
    llvm::SmallVector<llvm::StringRef, 4> parts;
    llvm::StringRef(env).split(parts, ':', -1, false);
    for (auto p : parts) out.push_back(p.str());
    return out;
  }
  for (const std::string& p : {"/usr/lib/" + Multiarch() + "/libc_nonshared.a",
                               std::string("/usr/lib64/libc_nonshared.a"),
                               std::string("/usr/lib/libc_nonshared.a")}) {
    if (access(p.c_str(), R_OK) == 0) {
      out.push_back(p);
      break;
    }
  }
  std::string libgcc = FindLibgcc();
  if (!libgcc.empty()) out.push_back(libgcc);
  return out;
}

const Index& GetIndex() {
  static Index* index = [] {
    auto* idx = new Index();  // process lifetime: libraries reference member bytes
    for (const std::string& path : ArchivePaths()) {
      auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
      if (!file) continue;
      auto archive = llvm::object::Archive::create((*file)->getMemBufferRef());
      if (!archive) {
        llvm::consumeError(archive.takeError());
        continue;
      }
      std::string base = path.substr(path.rfind('/') + 1);
      std::map<const char*, const Member*> by_data;  // one Member per archive member
      for (const auto& sym : (*archive)->symbols()) {
        auto child = sym.getMember();
        if (!child) {
          llvm::consumeError(child.takeError());
          continue;
        }
        auto ref = child->getMemoryBufferRef();
        if (!ref) {
          llvm::consumeError(ref.takeError());
          continue;
        }
        const Member*& m = by_data[ref->getBufferStart()];
        if (!m) {
          auto name = child->getName();
          std::string shown = name ? name->str() : std::string("?");
          if (!name) llvm::consumeError(name.takeError());
          idx->members.push_back(std::make_unique<Member>(Member{*ref, base + "(" + shown + ")"}));
          m = idx->members.back().get();
        }
        idx->by_symbol.emplace(sym.getName().str(), m);
      }
      idx->files.push_back(std::move(*file));
      idx->archives.push_back(std::move(*archive));
    }
    return idx;
  }();
  return *index;
}

class ArchiveGenerator : public llvm::orc::DefinitionGenerator {
 public:
  explicit ArchiveGenerator(Library* lib) : lib_(lib) {}

  llvm::Error tryToGenerate(llvm::orc::LookupState&, llvm::orc::LookupKind, llvm::orc::JITDylib&,
                            llvm::orc::JITDylibLookupFlags flags,
                            const llvm::orc::SymbolLookupSet& symbols) override {
    // Only for the library's own references: a library linking against this one gets its
    // own copy (the archive symbols are hidden, as in a static link into a shared object).
    if (flags != llvm::orc::JITDylibLookupFlags::MatchAllSymbols) return llvm::Error::success();
    const Index& idx = GetIndex();
    if (idx.by_symbol.empty()) return llvm::Error::success();
    std::vector<const Member*> todo;
    for (auto& [name, unused] : symbols) {
      auto it = idx.by_symbol.find(*name);
      if (it == idx.by_symbol.end()) continue;
      // A shared copy the host already has (libgcc_s, libc) wins, as it would in a link
      // against the shared libraries first.
      if (!PerDso(*name) && dlsym(RTLD_DEFAULT, (*name).str().c_str())) continue;
      todo.push_back(it->second);
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (const Member* m : todo) {
      if (!added_.insert(m).second) continue;
      try {
        lib_->AddArchiveMember(m->bytes.getBuffer(), m->display);
      } catch (const JitError& e) {
        return llvm::make_error<llvm::StringError>(e.what(), llvm::inconvertibleErrorCode());
      }
    }
    return llvm::Error::success();
  }

 private:
  Library* lib_;
  std::mutex mu_;
  std::set<const Member*> added_;
};

void* Libatomic() {
  static void* handle = [] {
    void* h = dlopen("libatomic.so.1", RTLD_NOW | RTLD_LOCAL);  // kept for the process lifetime
    if (!h) h = dlopen("libatomic.so", RTLD_NOW | RTLD_LOCAL);
    return h;
  }();
  return handle;
}

class LibatomicGenerator : public llvm::orc::DefinitionGenerator {
 public:
  llvm::Error tryToGenerate(llvm::orc::LookupState&, llvm::orc::LookupKind, llvm::orc::JITDylib& jd,
                            llvm::orc::JITDylibLookupFlags,
                            const llvm::orc::SymbolLookupSet& symbols) override {
    llvm::orc::SymbolMap defs;
    for (auto& [name, unused] : symbols) {
      if (!(*name).starts_with("__atomic_")) continue;
      void* h = Libatomic();
      if (!h) break;
      if (void* addr = dlsym(h, (*name).str().c_str()))
        defs[name] = {llvm::orc::ExecutorAddr::fromPtr(addr),
                      llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
    }
    if (defs.empty()) return llvm::Error::success();
    return jd.define(llvm::orc::absoluteSymbols(std::move(defs)));
  }
};

}  // namespace

std::unique_ptr<llvm::orc::DefinitionGenerator> MakeArchiveGenerator(Library* lib) {
  return std::make_unique<ArchiveGenerator>(lib);
}

bool ArchivesDefine(llvm::StringRef symbol) {
  const Index& idx = GetIndex();
  return idx.by_symbol.find(symbol) != idx.by_symbol.end();
}

std::unique_ptr<llvm::orc::DefinitionGenerator> MakeLibatomicGenerator() {
  return std::make_unique<LibatomicGenerator>();
}

std::string RuntimeSymbolHint(const std::string& symbol) {
  llvm::StringRef s(symbol);
  if (s.starts_with("__atomic_"))
    return "'" + symbol + "' is in libatomic.so.1, which was not found: install it (Debian: "
           "libatomic1), or avoid the out-of-line atomic (clang -mcx16 inlines 16-byte ones)";
  const Index& idx = GetIndex();
  if (idx.by_symbol.count(symbol)) return "";  // found in an archive: the cause is elsewhere
  if (PerDso(s) || s == "__stack_chk_fail_local")
    return "'" + symbol + "' is in libc_nonshared.a, which was not found: install the C "
           "library's development files (Debian: libc6-dev) or set ORCJIT_RUNTIME_ARCHIVES";
  if (s.starts_with("__cpu_") || s.starts_with("__popcount") || s.starts_with("__parity") ||
      s.ends_with("ti3") || s.ends_with("hf2") || s.ends_with("sc3") || s.ends_with("dc3") ||
      s.ends_with("xc3") || s.ends_with("tc3") || s.starts_with("__emutls"))
    return "'" + symbol + "' is in libgcc.a, which was not found: install gcc (Debian: "
           "libgcc-12-dev) or set ORCJIT_RUNTIME_ARCHIVES";
  return "";
}

}  // namespace orcjit::jit
