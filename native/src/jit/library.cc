#include "jit/library.h"

#include <mutex>
#include <unordered_map>

#include <dlfcn.h>

#include <algorithm>

#include "jit/jit_error.h"
#include "jit/runtime_archives.h"
#include "jit/session.h"
#include "runtime/api.h"
#include "runtime/global_registry.h"
#include "runtime/type_table.h"
#include "runtime/module.h"
#include "llvm/ExecutionEngine/JITLink/JITLink.h"
#include "llvm/ExecutionEngine/Orc/AbsoluteSymbols.h"
#include "llvm/ExecutionEngine/Orc/ObjectFileInterface.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"
#include "llvm/TargetParser/SubtargetFeature.h"

namespace orcjit::jit {

using llvm::orc::JITDylibLookupFlags;

namespace {
std::mutex& ByOwnerMu() {
  static auto* mu = new std::mutex();
  return *mu;
}
std::unordered_map<uint64_t, Library*>& ByOwner() {  // owner id -> library (FindByOwner)
  static auto* m = new std::unordered_map<uint64_t, Library*>();
  return *m;
}
}  // namespace

Library::Library(std::shared_ptr<Session> session, llvm::orc::JITDylib* jd, std::string name)
    : session_(std::move(session)),
      jd_(jd),
      name_(std::move(name)),
      owner_id_(runtime::NewGlobalOwnerId()) {
  std::lock_guard<std::mutex> lock(ByOwnerMu());
  ByOwner()[owner_id_] = this;
}

std::shared_ptr<Library> Library::FindByOwner(uint64_t owner) {
  std::lock_guard<std::mutex> lock(ByOwnerMu());
  auto it = ByOwner().find(owner);
  return it == ByOwner().end() ? nullptr : it->second->weak_from_this().lock();
}

Library::~Library() {
  {
    std::lock_guard<std::mutex> lock(ByOwnerMu());
    ByOwner().erase(owner_id_);
  }
  try {
    Dispose();
  } catch (...) {
  }
}

void Library::Init() {
  using namespace llvm::jitlink;
  auto& es = session_->jit().getExecutionSession();
  // A per-library __dso_handle that lives in JIT memory: objects reach it PC-relative
  // (hidden symbol), and its address tags this library's __cxa_atexit registrations. Linked
  // only when something references it (C++ static destructors, atexit): a separate graph
  // link per library is a third of a small C object's link time. When it links,
  // NoteDsoHandleLinked stores its own address in it and registers it (init_fini.cc).
  auto g = std::make_unique<LinkGraph>("<__dso_handle of " + name_ + ">", es.getSymbolStringPool(),
                                       session_->triple(), llvm::SubtargetFeatures(),
                                       getGenericEdgeKindName);
  auto& sec = g->createSection(kDsoHandleSection, llvm::orc::MemProt(unsigned(llvm::orc::MemProt::Read) | unsigned(llvm::orc::MemProt::Write)));
  auto& block = g->createMutableContentBlock(sec, g->allocateBuffer(8), llvm::orc::ExecutorAddr(), 8, 0);
  std::fill(block.getAlreadyMutableContent().begin(), block.getAlreadyMutableContent().end(), 0);
  g->addDefinedSymbol(block, 0, "__dso_handle", 8, Linkage::Strong, Scope::Hidden, false, true);
  auto& layer = static_cast<llvm::orc::ObjectLinkingLayer&>(session_->jit().getObjLinkingLayer());
  JIT_LLVM_CALL(layer.add(*jd_, std::move(g)), ErrorKind::kInternal, "library '" + name_ + "'");
  ApplyLinkOrder();
  // What a normal link takes from static archives (atexit, __cpu_model, ...), per library.
  jd_->addGenerator(MakeArchiveGenerator(this));
  std::weak_ptr<Library> weak = weak_from_this();
  module_ = runtime::CreateLibraryModule(
      "orcjit", name_,
      [weak](const std::string& symbol) -> void* {
        auto lib = weak.lock();
        if (!lib || lib->disposed()) return nullptr;
        try {
          return lib->LookupOptional(symbol);
        } catch (const JitError&) {
          return nullptr;
        }
      },
      // The module object keeps the library's code mapped (Functions made from it hold it).
      [owner = owner_id_] { runtime::ReleaseOwner(owner); });
  runtime::RetainOwner(owner_id_);
}

void Library::NoteDsoHandleLinked(void* dso) {
  // Its value is its own address, as crtbeginS.o's is in a shared object: libc_nonshared.a's
  // atexit loads the value, C++ code takes the address; both must name this library.
  *static_cast<void**>(dso) = dso;
  // Before any constructor of this link runs (they run after the lookup returns).
  RegisterDso(dso);
  dso_handle_.store(dso);
}

void Library::CheckAlive() const {
  if (disposed())
    throw JitError(ErrorKind::kDisposed, "library '" + name_ + "' has been disposed");
  if (session_->disposed())
    throw JitError(ErrorKind::kDisposed,
                   "the ExecutionSession of library '" + name_ + "' has been disposed");
}

void Library::ApplyLinkOrder() {
  llvm::orc::JITDylibSearchOrder order;
  for (auto& l : link_libs_) order.push_back({l->jd_, JITDylibLookupFlags::MatchExportedSymbolsOnly});
  order.push_back({&session_->runtime_dylib(), JITDylibLookupFlags::MatchExportedSymbolsOnly});
  // After the runtime: dlsym on a handle also searches the .so's dependencies (libc's
  // __cxa_atexit must not shadow the runtime's).
  if (shared_jd_) order.push_back({shared_jd_, JITDylibLookupFlags::MatchExportedSymbolsOnly});
  order.push_back({&session_->process_dylib(), JITDylibLookupFlags::MatchExportedSymbolsOnly});
  jd_->setLinkOrder(std::move(order), /*LinkAgainstThisJITDylibFirst=*/true);
}

namespace {
// Resolves symbols with dlsym from one dlopen handle, as absolute symbols: JITLink reaches
// them through GOT entries/PLT stubs, so they may be anywhere in the address space.
class SharedLibraryGenerator : public llvm::orc::DefinitionGenerator {
 public:
  explicit SharedLibraryGenerator(void* handle) : handle_(handle) {}
  llvm::Error tryToGenerate(llvm::orc::LookupState&, llvm::orc::LookupKind, llvm::orc::JITDylib& jd,
                            llvm::orc::JITDylibLookupFlags,
                            const llvm::orc::SymbolLookupSet& symbols) override {
    llvm::orc::SymbolMap defs;
    for (auto& [name, flags] : symbols) {
      void* addr = dlsym(handle_, (*name).str().c_str());
      if (!addr) continue;
      defs[name] = {llvm::orc::ExecutorAddr::fromPtr(addr), llvm::JITSymbolFlags::Exported};
    }
    if (defs.empty()) return llvm::Error::success();
    return jd.define(llvm::orc::absoluteSymbols(std::move(defs)));
  }

 private:
  void* handle_;
};
}  // namespace

Library::SharedHandles::~SharedHandles() {
  for (auto it = handles.rbegin(); it != handles.rend(); ++it) dlclose(*it);
}

void Library::AddSharedLibrary(const std::string& path) {
  std::lock_guard<std::recursive_mutex> api_lock(api_mu_);
  CheckAlive();
  CheckNotFailed();
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* e = dlerror();
    std::string why = e ? e : "unknown dlopen error";
    auto kind = why.find("undefined symbol") != std::string::npos ? ErrorKind::kLink
                                                                   : ErrorKind::kObjectFile;
    throw JitError(kind, "library '" + name_ + "': cannot load shared library '" + path +
                             "': " + why);
  }
  if (!shared_) shared_ = std::make_shared<SharedHandles>();
  auto& hs = shared_->handles;
  if (std::find(hs.begin(), hs.end(), handle) != hs.end()) {
    dlclose(handle);  // already searched; drop the extra reference
    return;
  }
  hs.push_back(handle);  // closed with the holder, even if the steps below fail
  bool fresh = !shared_jd_;
  if (fresh) {
    auto& es = session_->jit().getExecutionSession();
    shared_jd_ = &es.createBareJITDylib(jd_->getName() + " <shared libraries>");
  }
  shared_jd_->addGenerator(std::make_unique<SharedLibraryGenerator>(handle));
  if (fresh) ApplyLinkOrder();
}

void Library::AddArchiveMember(llvm::StringRef bytes, const std::string& display_name) {
  auto buffer = PrepareObject(bytes, display_name, session_->triple());
  JIT_LLVM_CALL(session_->jit().getObjLinkingLayer().add(*jd_, std::move(buffer)),
                ErrorKind::kLink, "library '" + name_ + "', " + display_name);
}

void Library::SetLinkOrder(const std::vector<std::shared_ptr<Library>>& libs) {
  std::lock_guard<std::recursive_mutex> api_lock(api_mu_);
  CheckAlive();
  std::vector<std::shared_ptr<Library>> next;
  for (auto& l : libs) {
    if (!l || l.get() == this) continue;
    if (&l->session() != session_.get())
      throw JitError(ErrorKind::kLink, "library '" + l->name() +
                                           "' belongs to another ExecutionSession; link order "
                                           "can only name libraries of the same session");
    if (l->disposed())
      throw JitError(ErrorKind::kDisposed, "library '" + l->name() + "' has been disposed");
    if (std::find(next.begin(), next.end(), l) == next.end()) next.push_back(l);
  }
  for (auto& l : next) {
    // Generations of a dependent come and go (hot reload): drop the dead ones now and then.
    auto& deps = l->dependents_;
    if (deps.size() >= 16 && (deps.size() & (deps.size() - 1)) == 0)
      deps.erase(std::remove_if(deps.begin(), deps.end(),
                                [](const std::weak_ptr<Library>& w) { return w.expired(); }),
                 deps.end());
    deps.push_back(weak_from_this());
  }
  link_libs_ = std::move(next);
  ApplyLinkOrder();
}

void Library::AddObject(llvm::StringRef bytes, const std::string& display_name) {
  std::lock_guard<std::recursive_mutex> api_lock(api_mu_);
  CheckAlive();
  CheckNotFailed();
  std::string id = display_name;
  {
    std::lock_guard<std::mutex> lock(init_mu_);
    for (int n = 2; object_seq_.count(id); ++n) id = display_name + " (" + std::to_string(n) + ")";
  }
  // Copy first: `bytes` may be memory another thread changes at any time (a Uint8Array over
  // a SharedArrayBuffer). Validation, patching and linking read only this private copy, so
  // what was checked is what gets linked.
  auto own = llvm::MemoryBuffer::getMemBufferCopy(bytes, id);
  auto buffer = PrepareObject(own->getBuffer(), id, session_->triple());
  own.reset();
  {
    std::lock_guard<std::mutex> lock(init_mu_);
    object_seq_[id] = next_object_seq_++;
  }
  PendingObject obj;
  obj.id = id;
  // Kept until the object links, so that a failed link can be retried (RetryFailed).
  obj.bytes = llvm::MemoryBuffer::getMemBufferCopy(buffer->getBuffer(), id);
  AddPending(std::move(obj), std::move(buffer));
}

void Library::AddPending(PendingObject obj, std::unique_ptr<llvm::MemoryBuffer> buffer) {
  std::string context = "library '" + name_ + "', object '" + obj.id + "'";
  auto& es = session_->jit().getExecutionSession();
  auto iface = Unwrap(llvm::orc::getObjectFileInterface(es, buffer->getMemBufferRef()),
                      ErrorKind::kObjectFile, context);
  obj.names.clear();
  for (auto& kv : iface.SymbolFlags) obj.names.push_back(kv.first);
  llvm::orc::SymbolFlagsMap flags = iface.SymbolFlags;
  obj.tracker = jd_->createResourceTracker();
  JIT_LLVM_CALL(
      session_->jit().getObjLinkingLayer().add(obj.tracker, std::move(buffer), std::move(iface)),
      ErrorKind::kObjectFile, context);
  for (auto& kv : flags) defined_[kv.first] = kv.second;
  pending_.push_back(std::move(obj));
}

void Library::LinkPending(llvm::orc::SymbolMap* linked) {
  if (pending_.empty()) return;
  llvm::orc::SymbolLookupSet set;
  for (auto& o : pending_)
    for (auto& n : o.names) set.add(n, llvm::orc::SymbolLookupFlags::WeaklyReferencedSymbol);
  auto& es = session_->jit().getExecutionSession();
  session_->TakeReportedErrors();
  auto r = es.lookup({{jd_, JITDylibLookupFlags::MatchAllSymbols}}, std::move(set));
  ReportedErrors reported;
  if (!r) {
    reported = session_->TakeReportedErrors();
    RetryFailed();
  } else {
    pending_.clear();
    if (linked) *linked = std::move(*r);
  }
  if (r && module_) {
    // Before any constructor runs: __tvm_ffi__library_ctx and registered context symbols.
    writing_context_ = true;
    runtime::InitContextSymbols(static_cast<TVMFFIObject*>(module_));
    writing_context_ = false;
  }
  RunPendingInits();
  if (!r) {
    try {
      ThrowLLVMError(r.takeError(), ErrorKind::kLink, "library '" + name_ + "'", &reported);
    } catch (const JitError& e) {
      if (pending_.empty() || e.missing_symbols().empty()) throw;
      throw JitError(e.kind(), std::string(e.what()) +
                                   " (the objects that failed to link stay added: add what "
                                   "defines the missing symbols, then link again)")
          .WithMissingSymbols(e.missing_symbols());
    }
  }
}

void Library::RetryFailed() {
  // ORC leaves the symbols of a failed materialization in an error state for good. Find the
  // objects that failed (a lookup of their symbols fails), remove them with their resource
  // tracker, and add them again unlinked: a later add of the missing definitions followed by
  // link()/lookup then succeeds. Objects that did link stay linked.
  auto& es = session_->jit().getExecutionSession();
  std::vector<PendingObject> failed;
  for (auto& o : pending_) {
    llvm::orc::SymbolLookupSet set;
    for (auto& n : o.names) set.add(n, llvm::orc::SymbolLookupFlags::WeaklyReferencedSymbol);
    auto probe = es.lookup({{jd_, JITDylibLookupFlags::MatchAllSymbols}}, std::move(set));
    if (probe) continue;
    llvm::consumeError(probe.takeError());
    failed.push_back(std::move(o));
  }
  session_->TakeReportedErrors();  // the probes report the same failures again
  pending_.clear();
  for (auto& o : failed) {
    if (auto err = o.tracker->remove()) {
      llvm::consumeError(std::move(err));
      continue;  // cannot retry this one; its symbols stay failed
    }
    o.tracker = nullptr;
    auto copy = llvm::MemoryBuffer::getMemBufferCopy(o.bytes->getBuffer(), o.id);
    try {
      AddPending(std::move(o), std::move(copy));
    } catch (const JitError&) {
    }
  }
}

void Library::Link() {
  std::lock_guard<std::recursive_mutex> api_lock(api_mu_);
  CheckAlive();
  CheckNotFailed();
  LinkPending();
  RunPendingInits();
}

unsigned Library::ObjectSeq(const std::string& graph_name) {
  std::lock_guard<std::mutex> lock(init_mu_);
  auto it = object_seq_.find(graph_name);
  return it == object_seq_.end() ? 0 : it->second;
}

void Library::RecordInitFini(std::vector<InitFiniEntry> entries) {
  if (!session_->options().run_initializers) return;  // fuzz harness: never run object code
  std::lock_guard<std::mutex> lock(init_mu_);
  for (auto& e : entries) {
    if (e.kind == InitFiniSectionName::kInitArray || e.kind == InitFiniSectionName::kCtors)
      pending_inits_.push_back(e);
    else
      finis_.push_back(e);
  }
}

namespace {
// Position key: forward for .init_array/.dtors, backward for .ctors/.fini_array (the way
// the dynamic loader walks them).
bool Before(const InitFiniEntry& a, const InitFiniEntry& b) {
  if (a.kind != b.kind) return a.kind < b.kind;
  if (a.priority != b.priority) return a.priority < b.priority;
  auto ka = std::make_tuple(a.object_seq, a.section_index, a.offset);
  auto kb = std::make_tuple(b.object_seq, b.section_index, b.offset);
  bool backward = a.kind == InitFiniSectionName::kCtors || a.kind == InitFiniSectionName::kFiniArray;
  return backward ? kb < ka : ka < kb;
}
}  // namespace

void Library::RunPendingInits() {
  if (writing_context_) return;
  std::vector<InitFiniEntry> todo;
  {
    std::lock_guard<std::mutex> lock(init_mu_);
    todo.swap(pending_inits_);
  }
  if (todo.empty()) return;
  std::stable_sort(todo.begin(), todo.end(), Before);
  // Registrations made by the constructors belong to this library (runtime/global_registry.h).
  runtime::ScopedGlobalOwner owner(owner_id_);
  runtime::ErrorInfo raised;
  for (auto& e : todo) {
    // A stale error left in the slot must not be blamed on this initializer.
    runtime::TakeRaisedError(&raised);
    try {
      e.fn();  // no lock held: a constructor may call back into the JIT
    } catch (const std::exception& ex) {
      runtime::TakeRaisedError(&raised);
      Fail(JitError(ErrorKind::kLink,
                    "library '" + name_ + "': a static initializer threw: " + ex.what(),
                    "RuntimeError", ex.what()));
    } catch (...) {
      runtime::TakeRaisedError(&raised);
      Fail(JitError(ErrorKind::kLink,
                    "library '" + name_ + "': a static initializer threw a non-std exception"));
    }
    // TVM_FFI_STATIC_INIT_BLOCK stores what its body threw in the raised-error slot.
    if (runtime::TakeRaisedError(&raised)) {
      const std::string kind = raised.kind.empty() ? "RuntimeError" : raised.kind;
      Fail(JitError(ErrorKind::kLink,
                    "library '" + name_ + "': a static initializer raised " + kind + ": " +
                        raised.message,
                    kind, raised.message));
    }
  }
}

void Library::Fail(const JitError& err) {
  {
    std::lock_guard<std::mutex> lock(init_mu_);
    if (!failure_) failure_ = std::make_shared<JitError>(err);
    pending_inits_.clear();
  }
  throw err;
}

void Library::CheckNotFailed() const {
  std::shared_ptr<JitError> f;
  {
    std::lock_guard<std::mutex> lock(const_cast<std::mutex&>(init_mu_));
    f = failure_;
  }
  if (!f) return;
  throw JitError(f->kind(),
                 std::string(f->what()) +
                     " (the library is unusable after a failed load; create a new library)",
                 f->ffi_kind(), f->ffi_message());
}

bool Library::MayDefine(const llvm::orc::SymbolStringPtr& name) const {
  return defined_.count(name) || *name == "__dso_handle" || ArchivesDefine(*name);
}

// Links what is pending, runs new constructors and returns the symbol's address, or nullptr
// when `symbol` is not defined (within `match`) and `required` is false.
void* Library::LookupImpl(const std::string& symbol, JITDylibLookupFlags match, bool required) {
  std::lock_guard<std::recursive_mutex> api_lock(api_mu_);
  CheckAlive();
  CheckNotFailed();
  auto& es = session_->jit().getExecutionSession();
  auto name = es.intern(symbol);
  bool defined;
  auto own = defined_.find(name);
  if (own != defined_.end()) {
    // An added object's symbol: its flags are known (what lookupFlags would answer).
    defined = match == JITDylibLookupFlags::MatchAllSymbols || own->second.isExported();
  } else if (MayDefine(name)) {
    llvm::orc::SymbolLookupSet set(name, llvm::orc::SymbolLookupFlags::WeaklyReferencedSymbol);
    auto flags = es.lookupFlags(llvm::orc::LookupKind::Static, {{jd_, match}}, set);
    if (!flags) ThrowLLVMError(flags.takeError(), ErrorKind::kInternal, "library '" + name_ + "'");
    defined = !flags->empty();
  } else {
    defined = false;
  }
  if (!defined) {
    if (!required) return nullptr;
    throw JitError(ErrorKind::kSymbolNotFound,
                   "library '" + name_ + "' does not export '" + symbol + "'");
  }
  llvm::orc::SymbolMap linked;
  LinkPending(&linked);
  // The link just made resolved it (the first lookup of a library): no second query.
  if (auto it = linked.find(name); it != linked.end() && defined) {
    RunPendingInits();
    return it->second.getAddress().toPtr<void*>();
  }
  session_->TakeReportedErrors();
  auto sym = es.lookup({{jd_, match}}, name);
  RunPendingInits();
  if (!sym) {
    ReportedErrors reported = session_->TakeReportedErrors();
    ThrowLLVMError(sym.takeError(), ErrorKind::kLink, "library '" + name_ + "'", &reported);
  }
  return sym->getAddress().toPtr<void*>();
}

void* Library::LookupOptional(const std::string& symbol) {
  return LookupImpl(symbol, JITDylibLookupFlags::MatchAllSymbols, /*required=*/false);
}

void* Library::Lookup(const std::string& symbol) {
  return LookupImpl(symbol, JITDylibLookupFlags::MatchExportedSymbolsOnly, /*required=*/true);
}

void Library::RunFinalizers() {
  std::vector<InitFiniEntry> todo;
  {
    std::lock_guard<std::mutex> lock(init_mu_);
    if (finalized_) return;
    finalized_ = true;
    todo.swap(finis_);
    pending_inits_.clear();
  }
  std::stable_sort(todo.begin(), todo.end(), Before);
  for (auto& e : todo) {
    try {
      e.fn();
    } catch (...) {
      // A finaliser must not throw; there is nobody to report it to.
    }
  }
  // Then what C++ registered with __cxa_atexit (global destructors), newest first, as
  // __cxa_finalize does for a shared object.
  void* dso = dso_handle_.load();
  if (!dso) return;  // never linked: nothing could register with it
  auto records = UnregisterDso(dso);
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    try {
      it->fn(it->arg);
    } catch (...) {
    }
  }
}

void Library::RunFinalizersAtExit() {
  if (!disposed()) RunFinalizers();
}

void Library::ReleaseBookkeeping() {
  // A disposed Library object lives on while JS wrappers (the library, its functions) wait
  // for their finalizers, which N-API runs from the event loop: a synchronous loop of
  // create/add/call/dispose cycles keeps every one of them. Keep only what the disposed
  // state needs (name, ids), so that is a few hundred bytes and not per-object tables.
  std::lock_guard<std::mutex> lock(init_mu_);
  std::unordered_map<std::string, unsigned>().swap(object_seq_);
  std::vector<InitFiniEntry>().swap(pending_inits_);
  std::vector<InitFiniEntry>().swap(finis_);
  failure_.reset();
  std::vector<std::weak_ptr<Library>>().swap(dependents_);
}

void Library::Dispose() {
  std::lock_guard<std::recursive_mutex> api_lock(api_mu_);
  if (disposed()) return;
  // Libraries that link against this one would be left with dangling references.
  auto dependents = std::move(dependents_);
  for (auto& w : dependents) {
    auto d = w.lock();
    if (!d || d->disposed()) continue;
    if (std::find_if(d->link_libs_.begin(), d->link_libs_.end(),
                     [this](const std::shared_ptr<Library>& l) { return l.get() == this; }) !=
        d->link_libs_.end())
      d->Dispose();
  }
  state_.fetch_or(kDisposed);
  // Interned names must die before the ExecutionSession's string pool does.
  std::vector<PendingObject>().swap(pending_);
  llvm::DenseMap<llvm::orc::SymbolStringPtr, llvm::JITSymbolFlags>().swap(defined_);
  // Global functions this library registered point into its code: unregister them (the
  // registry restores older generations' entries) before its destructors run.
  runtime::RemoveOwnedGlobals(owner_id_);
  RunFinalizers();  // no-op for a library whose Init failed (nothing recorded)
  if (module_) {
    TVMFFIObjectDecRef(module_);  // may release the last keep-alive of this library
    module_ = nullptr;
  }
  session_->Forget(this);
  // Unmap now, or -- while Function objects its constructors created, or its ffi.Module
  // (and so Functions made from it), are still referenced -- when the last one goes. The
  // libraries it links against stay mapped as long as it does.
  std::vector<uint64_t> deps;
  for (auto& l : link_libs_) deps.push_back(l->owner_id_);
  for (uint64_t d : deps) runtime::RetainOwner(d);
  std::shared_ptr<Session> session = session_;
  llvm::orc::JITDylib* jd = jd_;
  llvm::orc::JITDylib* shared_jd = shared_jd_;
  std::shared_ptr<SharedHandles> shared = std::move(shared_);
  uint64_t owner = owner_id_;
  std::string name = name_;
  auto unmap = [session, jd, shared_jd, owner, deps, shared, name]() mutable {
    // Reflection entries (getters, methods, creators) point into the code about to go.
    runtime::RemoveOwnedTypeRegistrations(owner, name);
    session->RemoveDylib(jd, owner);
    if (shared_jd) session->RemoveDylib(shared_jd, owner);
    shared.reset();  // dlclose once the code that calls into the .so is unmapped
    for (uint64_t d : deps) runtime::ReleaseOwner(d);
  };
  link_libs_.clear();
  link_libs_.shrink_to_fit();
  ReleaseBookkeeping();
  if (runtime::DeferUntilReleased(owner_id_, unmap)) {
    // If the session ends first the hook is dropped unrun: the session then keeps the
    // handles until its memory is freed.
    session_->NoteDeferred(owner_id_, name_, std::move(shared));
    return;
  }
  shared.reset();
  unmap();
}

}  // namespace orcjit::jit
