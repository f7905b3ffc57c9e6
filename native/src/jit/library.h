// DynamicLibrary: one JITDylib with its own symbol namespace, its objects, its static
// initialisers/finalisers and __cxa_atexit registrations, and its per-library __dso_handle.
#pragma once
#include <atomic>
#include <cstdint>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "jit/host_hooks.h"
#include "jit/jit_error.h"
#include "jit/object_file.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/Support/MemoryBuffer.h"

namespace orcjit::jit {

class Session;

/// One pointer read from an init/fini section after fixups.
struct InitFiniEntry {
  InitFiniSectionName::Kind kind;
  int priority;
  unsigned object_seq;     // order in which the object was added to the library
  unsigned section_index;  // ELF section index inside that object
  uint64_t offset;         // byte offset inside the section
  void (*fn)();
};

class Library : public std::enable_shared_from_this<Library> {
 public:
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  const std::string& name() const { return name_; }
  bool disposed() const { return state_.load() & kDisposed; }
  /// [i15] Set when a call into this library faulted and was contained (crash_guard.h):
  /// its state may be corrupt, so the binding refuses further calls until it is reloaded.
  bool crashed() const { return state_.load(std::memory_order_relaxed) & kCrashed; }
  void MarkCrashed() { state_.fetch_or(kCrashed, std::memory_order_relaxed); }
  /// disposed() || crashed() in one load: the call path asks on every call.
  bool disposed_or_crashed() const { return state_.load(std::memory_order_relaxed) != 0; }
  /// [j15] Objects linked from now on are registered with debuggers (debugger.h).
  bool debugger() const { return debugger_.load(std::memory_order_relaxed); }
  void SetDebugger(bool on) { debugger_.store(on, std::memory_order_relaxed); }
  /// The live library with runtime owner id `owner` (type-table owners), or null.
  static std::shared_ptr<Library> FindByOwner(uint64_t owner);
  Session& session() { return *session_; }
  llvm::orc::JITDylib& dylib() { return *jd_; }

  /// Copies, then validates and adds one relocatable object (the caller's bytes are read
  /// exactly once, so shared memory changed meanwhile cannot bypass the validation).
  /// `display_name` is used in errors.
  /// No code runs here; it is linked on the first lookup that needs it.
  void AddObject(llvm::StringRef bytes, const std::string& display_name);

  /// dlopens a shared library (RTLD_NOW | RTLD_LOCAL) and resolves this library's undefined
  /// symbols from it (and its dependencies): after the link-order libraries and the runtime,
  /// before the host process. The handle is closed after the library's memory is freed.
  /// Throws kObjectFile (kLink for unresolved symbols of the .so) with the dlerror() text.
  void AddSharedLibrary(const std::string& path);

  /// Adds a static-archive member (runtime_archives.h) to this library's JITDylib, as the
  /// archive generator does during a lookup. Throws JitError.
  void AddArchiveMember(llvm::StringRef bytes, const std::string& display_name);

  /// Replaces the user part of the link order (libraries of the same session).
  void SetLinkOrder(const std::vector<std::shared_ptr<Library>>& libs);

  /// Resolves an exported symbol, linking what it needs and running new static
  /// initialisers (with no lock held). Throws kSymbolNotFound if the library does not
  /// define it, kLink if linking fails, kDisposed after Dispose.
  void* Lookup(const std::string& symbol);

  /// Address of a symbol if the library defines it (any visibility), else null. Links it.
  void* LookupOptional(const std::string& symbol);

  /// Links every object added so far and runs their pending static initialisers (for
  /// registration-only objects that export nothing to look up). Idempotent. Throws kLink
  /// (naming the library) if linking or an initialiser fails.
  void Link();

  /// Process-unique id under which the runtime records this library's global-function
  /// registrations (runtime/global_registry.h); they are removed on dispose.
  uint64_t owner_id() const { return owner_id_; }

  /// Runs __cxa_atexit registrations (LIFO) and finalisers, then frees the library's
  /// memory. Libraries whose link order contains this one are disposed first. Idempotent.
  void Dispose();

  /// Section of the per-library __dso_handle graph (Init); the init/fini plugin calls
  /// NoteDsoHandleLinked with its address when that graph links (after fixups).
  static constexpr const char* kDsoHandleSection = "__orcjit_dso_handle";
  void NoteDsoHandleLinked(void* dso);

  /// Called by the init/fini plugin (any thread that links) with entries of one object.
  void RecordInitFini(std::vector<InitFiniEntry> entries);
  /// Object sequence number for a LinkGraph name (the buffer identifier).
  unsigned ObjectSeq(const std::string& graph_name);

  /// Runs finalisers without freeing memory (process exit path).
  void RunFinalizersAtExit();

 private:
  void* LookupImpl(const std::string& symbol, llvm::orc::JITDylibLookupFlags match, bool required);
  friend class Session;
  Library(std::shared_ptr<Session> session, llvm::orc::JITDylib* jd, std::string name);
  void Init();  // adds the (lazily linked) __dso_handle graph, sets the link order
  void ApplyLinkOrder();
  void CheckAlive() const;
  void CheckNotFailed() const;          // throws the recorded failure, if any
  [[noreturn]] void Fail(const JitError& err);  // records `err` as the failure and throws it
  void RunPendingInits();
  // Links every object added since the last lookup; their addresses go to `linked` if given.
  void LinkPending(llvm::orc::SymbolMap* linked = nullptr);
  void RunFinalizers();
  void ReleaseBookkeeping();  // after Dispose: drop per-object tables

  std::shared_ptr<Session> session_;
  llvm::orc::JITDylib* jd_;
  std::string name_;
  // kDisposed | kCrashed ([i15]); read without the lock (disposed(), CheckAlive)
  static constexpr uint8_t kDisposed = 1, kCrashed = 2;
  std::atomic<uint8_t> state_{0};
  std::atomic<bool> debugger_{false};  // [j15]
  std::atomic<void*> dso_handle_{nullptr};  // set when the __dso_handle graph links
  std::vector<std::shared_ptr<Library>> link_libs_;
  // Shared libraries from AddSharedLibrary: a bare JITDylib (one generator per dlopen handle)
  // placed in the link order after the runtime; the handles, dlclosed when the last owner of
  // this holder goes (after the library's memory is unmapped).
  struct SharedHandles {
    std::vector<void*> handles;
    ~SharedHandles();
  };
  llvm::orc::JITDylib* shared_jd_ = nullptr;
  std::shared_ptr<SharedHandles> shared_;
  // Objects added but not linked yet, each with its own resource tracker and a copy of its
  // bytes (for RetryFailed). The first lookup (or link()) after an add links them all, so
  // every object's constructors run like a shared library's.
  struct PendingObject {
    std::string id;
    std::unique_ptr<llvm::MemoryBuffer> bytes;
    std::vector<llvm::orc::SymbolStringPtr> names;  // incl. ORC init symbols
    llvm::orc::ResourceTrackerSP tracker;
  };
  std::vector<PendingObject> pending_;
  // Every symbol an added object defines, with its flags (never shrinks; a superset is
  // fine). With
  // __dso_handle and the archive members' symbols, all this library's JITDylib can define:
  // lookups of anything else (module symbol probes, metadata of functions without any) are
  // answered without an ORC query. Guarded by api_mu_.
  llvm::DenseMap<llvm::orc::SymbolStringPtr, llvm::JITSymbolFlags> defined_;
  bool MayDefine(const llvm::orc::SymbolStringPtr& name) const;
  void AddPending(PendingObject obj, std::unique_ptr<llvm::MemoryBuffer> buffer);
  void RetryFailed();
  std::vector<std::weak_ptr<Library>> dependents_;

  // Serialises the entry points (add, link, lookup, link order, dispose) of one library:
  // the JS thread that owns it and any thread reaching it through its ffi.Module or a
  // registry entry. Recursive: a static constructor may call back into its own library.
  std::recursive_mutex api_mu_;

  std::mutex init_mu_;  // guards the fields below (plugin passes run during lookups)
  std::vector<InitFiniEntry> pending_inits_;
  std::vector<InitFiniEntry> finis_;
  std::unordered_map<std::string, unsigned> object_seq_;
  unsigned next_object_seq_ = 1;
  bool finalized_ = false;
  bool writing_context_ = false;  // defer constructors until the library context is written
  // Set when a static initialiser failed: the library is half-initialised and unusable.
  std::shared_ptr<JitError> failure_;
  const uint64_t owner_id_;

  // The ffi.Module representing this library (runtime/module.h): written into
  // __tvm_ffi__library_ctx. Owned reference, released on dispose.
  void* module_ = nullptr;

 public:
  /// The library's ffi.Module (borrowed TVMFFIObject*), for the runtime and bindings.
  void* module() const { return module_; }
};

}  // namespace orcjit::jit
