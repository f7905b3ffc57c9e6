// ExecutionSession: one LLJIT (ObjectLinkingLayer/JITLink, inactive platform) whose JIT
// memory comes from one reserved address range, plus the libraries created in it.
//
// Link order of every library: itself → libraries set with SetLinkOrder → the session's
// runtime library (TVMFFI* C API and host hooks as absolute symbols) → the library's shared
// libraries (Library::AddSharedLibrary) → host process symbols.
#pragma once
#include <cstddef>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "jit/jit_error.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"

namespace orcjit::jit {

class Library;
class InitFiniPlugin;

/// True once the process runs its atexit handlers (std::exit, process.exit()): JIT
/// finalizers run then, after every JavaScript environment stopped accepting calls.
bool ProcessExiting();

struct SessionOptions {
  /// Bytes of address space reserved at a time for JIT code and data (0 = default: 256 MiB
  /// near the executable image, see near_memory.h; 1 GiB anywhere if there is no room).
  size_t reserve_bytes = 0;
  /// When false, static initialisers/finalisers (.init_array, .ctors, .fini_array, .dtors)
  /// of added objects are never run: linking then executes no code from the objects.
  /// Only the object-loader fuzz harness (fuzz/) turns this off; the addon never does.
  bool run_initializers = true;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  static std::shared_ptr<Session> Create(const SessionOptions& options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Creates a library (a JITDylib). An empty name gives "lib<N>". Names are unique within
  /// a session; a taken name gets a numeric suffix.
  std::shared_ptr<Library> CreateLibrary(const std::string& name);

  /// Disposes every library (running its finalizers) and tears down the LLJIT. Idempotent.
  /// Libraries whose code is still referenced (deferred_count) stay mapped, and the LLJIT
  /// with them, until the last reference goes (from whichever thread releases it).
  void Dispose();
  bool disposed() const { return disposed_; }

  llvm::orc::LLJIT& jit() { return *jit_; }
  const llvm::Triple& triple() const { return jit_->getTargetTriple(); }
  llvm::orc::JITDylib& runtime_dylib() { return *runtime_jd_; }
  llvm::orc::JITDylib& process_dylib() { return *process_jd_; }

  /// The library owning `jd`, or null (used by the init/fini plugin).
  Library* FindLibrary(llvm::orc::JITDylib& jd);

  /// Takes the errors ORC reported out of band since the last call.
  ReportedErrors TakeReportedErrors();

  /// Number of live (not disposed) libraries.
  size_t library_count();

  /// Number of disposed libraries whose memory is still mapped because something references
  /// their code (see Library::Dispose).
  size_t deferred_count();

  /// Removes a disposed library's JITDylib (frees its memory); no-op after Dispose().
  void RemoveDylib(llvm::orc::JITDylib* jd, uint64_t owner);
  /// Records that the library `owner` is disposed but still mapped; `keep` (e.g. its
  /// dlopen handles) is released after its memory is freed (RemoveDylib or Dispose).
  void NoteDeferred(uint64_t owner, const std::string& name,
                    std::shared_ptr<void> keep = nullptr);

  const SessionOptions& options() const { return options_; }

 private:
  friend class Library;
  Session() = default;
  void Forget(Library* lib);
  void Teardown();  // ends the LLJIT and frees the JIT memory

  std::mutex mu_;  // guards libraries_, by_jd_, names_
  std::atomic<bool> disposed_{false};  // read without the lock (disposed(), CheckAlive)
  SessionOptions options_;
  std::unique_ptr<llvm::jitlink::JITLinkMemoryManager> memmgr_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  llvm::orc::JITDylib* runtime_jd_ = nullptr;
  llvm::orc::JITDylib* process_jd_ = nullptr;
  std::vector<std::weak_ptr<Library>> libraries_;
  std::unordered_map<llvm::orc::JITDylib*, Library*> by_jd_;
  std::mutex unmap_mu_;  // guards deferred_ and jit_ teardown against deferred unmapping
  std::vector<uint64_t> deferred_;
  std::unordered_map<uint64_t, std::string> deferred_names_;  // for type-table cleanup
  std::unordered_map<uint64_t, std::shared_ptr<void>> deferred_keep_;
  bool teardown_pending_ = false;  // disposed while deferred_ was not empty
  std::mutex reported_mu_;
  ReportedErrors reported_;
  unsigned next_id_ = 0;
};

}  // namespace orcjit::jit
