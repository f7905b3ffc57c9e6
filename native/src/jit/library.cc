#include "jit/library.h"

#include <algorithm>

#include "jit/jit_error.h"
#include "jit/session.h"
#include "runtime/module.h"
#include "llvm/ExecutionEngine/JITLink/JITLink.h"
#include "llvm/ExecutionEngine/Orc/ObjectFileInterface.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"
#include "llvm/TargetParser/SubtargetFeature.h"

namespace orcjit::jit {

using llvm::orc::JITDylibLookupFlags;

Library::Library(std::shared_ptr<Session> session, llvm::orc::JITDylib* jd, std::string name)
    : session_(std::move(session)), jd_(jd), name_(std::move(name)) {}

Library::~Library() {
  try {
    Dispose();
  } catch (...) {
  }
}

void Library::Init() {
  using namespace llvm::jitlink;
  auto& es = session_->jit().getExecutionSession();
  // A per-library __dso_handle that lives in JIT memory: objects reach it PC-relative
  // (hidden symbol), and its address tags this library's __cxa_atexit registrations.
  auto g = std::make_unique<LinkGraph>("<__dso_handle of " + name_ + ">", es.getSymbolStringPool(),
                                       session_->triple(), llvm::SubtargetFeatures(),
                                       getGenericEdgeKindName);
  auto& sec = g->createSection("__orcjit_dso_handle", llvm::orc::MemProt(unsigned(llvm::orc::MemProt::Read) | unsigned(llvm::orc::MemProt::Write)));
  auto& block = g->createZeroFillBlock(sec, 8, llvm::orc::ExecutorAddr(), 8, 0);
  g->addDefinedSymbol(block, 0, "__dso_handle", 8, Linkage::Strong, Scope::Hidden, false, true);
  auto& layer = static_cast<llvm::orc::ObjectLinkingLayer&>(session_->jit().getObjLinkingLayer());
  JIT_LLVM_CALL(layer.add(*jd_, std::move(g)), ErrorKind::kInternal, "library '" + name_ + "'");
  ApplyLinkOrder();
  auto sym = es.lookup({{jd_, JITDylibLookupFlags::MatchAllSymbols}}, es.intern("__dso_handle"));
  if (!sym) ThrowLLVMError(sym.takeError(), ErrorKind::kInternal, "library '" + name_ + "'");
  dso_handle_ = sym->getAddress().toPtr<void*>();
  RegisterDso(dso_handle_);
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
      {});
}

void Library::CheckAlive() const {
  if (disposed_)
    throw JitError(ErrorKind::kDisposed, "library '" + name_ + "' has been disposed");
  if (session_->disposed())
    throw JitError(ErrorKind::kDisposed,
                   "the ExecutionSession of library '" + name_ + "' has been disposed");
}

void Library::ApplyLinkOrder() {
  llvm::orc::JITDylibSearchOrder order;
  for (auto& l : link_libs_) order.push_back({l->jd_, JITDylibLookupFlags::MatchExportedSymbolsOnly});
  order.push_back({&session_->runtime_dylib(), JITDylibLookupFlags::MatchExportedSymbolsOnly});
  order.push_back({&session_->process_dylib(), JITDylibLookupFlags::MatchExportedSymbolsOnly});
  jd_->setLinkOrder(std::move(order), /*LinkAgainstThisJITDylibFirst=*/true);
}

void Library::SetLinkOrder(const std::vector<std::shared_ptr<Library>>& libs) {
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
  for (auto& l : next) l->dependents_.push_back(weak_from_this());
  link_libs_ = std::move(next);
  ApplyLinkOrder();
}

void Library::AddObject(llvm::StringRef bytes, const std::string& display_name) {
  CheckAlive();
  std::string id = display_name;
  {
    std::lock_guard<std::mutex> lock(init_mu_);
    for (int n = 2; object_seq_.count(id); ++n) id = display_name + " (" + std::to_string(n) + ")";
  }
  auto buffer = PrepareObject(bytes, id, session_->triple());
  {
    std::lock_guard<std::mutex> lock(init_mu_);
    object_seq_[id] = next_object_seq_++;
  }
  std::string context = "library '" + name_ + "', object '" + id + "'";
  auto& es = session_->jit().getExecutionSession();
  auto iface = Unwrap(llvm::orc::getObjectFileInterface(es, buffer->getMemBufferRef()),
                      ErrorKind::kObjectFile, context);
  std::vector<llvm::orc::SymbolStringPtr> names;
  for (auto& kv : iface.SymbolFlags) names.push_back(kv.first);
  JIT_LLVM_CALL(session_->jit().getObjLinkingLayer().add(*jd_, std::move(buffer), std::move(iface)),
                ErrorKind::kObjectFile, context);
  unlinked_.insert(unlinked_.end(), names.begin(), names.end());
}

void Library::LinkPending() {
  if (unlinked_.empty()) return;
  auto names = std::move(unlinked_);
  unlinked_.clear();
  llvm::orc::SymbolLookupSet set;
  for (auto& n : names) set.add(n, llvm::orc::SymbolLookupFlags::WeaklyReferencedSymbol);
  auto& es = session_->jit().getExecutionSession();
  session_->TakeReportedErrors();
  auto r = es.lookup({{jd_, JITDylibLookupFlags::MatchAllSymbols}}, std::move(set));
  if (r && module_) {
    // Before any constructor runs: __tvm_ffi__library_ctx and registered context symbols.
    writing_context_ = true;
    runtime::InitContextSymbols(static_cast<TVMFFIObject*>(module_));
    writing_context_ = false;
  }
  RunPendingInits();
  if (!r) {
    ReportedErrors reported = session_->TakeReportedErrors();
    ThrowLLVMError(r.takeError(), ErrorKind::kLink, "library '" + name_ + "'", &reported);
  }
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
  for (auto& e : todo) {
    try {
      e.fn();  // no lock held: a constructor may call back into the JIT
    } catch (const std::exception& ex) {
      throw JitError(ErrorKind::kLink,
                     "library '" + name_ + "': a static initializer threw: " + ex.what());
    } catch (...) {
      throw JitError(ErrorKind::kLink,
                     "library '" + name_ + "': a static initializer threw a non-std exception");
    }
  }
}

void* Library::LookupOptional(const std::string& symbol) {
  CheckAlive();
  auto& es = session_->jit().getExecutionSession();
  auto name = es.intern(symbol);
  llvm::orc::SymbolLookupSet set(name, llvm::orc::SymbolLookupFlags::WeaklyReferencedSymbol);
  auto flags = es.lookupFlags(llvm::orc::LookupKind::Static,
                              {{jd_, JITDylibLookupFlags::MatchAllSymbols}}, set);
  if (!flags) ThrowLLVMError(flags.takeError(), ErrorKind::kInternal, "library '" + name_ + "'");
  if (flags->empty()) return nullptr;
  LinkPending();
  session_->TakeReportedErrors();
  auto sym = es.lookup({{jd_, JITDylibLookupFlags::MatchAllSymbols}}, name);
  RunPendingInits();
  if (!sym) {
    ReportedErrors reported = session_->TakeReportedErrors();
    ThrowLLVMError(sym.takeError(), ErrorKind::kLink, "library '" + name_ + "'", &reported);
  }
  return sym->getAddress().toPtr<void*>();
}

void* Library::Lookup(const std::string& symbol) {
  CheckAlive();
  auto& es = session_->jit().getExecutionSession();
  auto name = es.intern(symbol);
  llvm::orc::SymbolLookupSet set(name, llvm::orc::SymbolLookupFlags::WeaklyReferencedSymbol);
  auto flags = es.lookupFlags(llvm::orc::LookupKind::Static,
                              {{jd_, JITDylibLookupFlags::MatchExportedSymbolsOnly}}, set);
  if (!flags) ThrowLLVMError(flags.takeError(), ErrorKind::kInternal, "library '" + name_ + "'");
  if (flags->empty())
    throw JitError(ErrorKind::kSymbolNotFound,
                   "library '" + name_ + "' does not export '" + symbol + "'");
  LinkPending();
  session_->TakeReportedErrors();
  auto sym = es.lookup({{jd_, JITDylibLookupFlags::MatchExportedSymbolsOnly}}, name);
  RunPendingInits();
  if (!sym) {
    ReportedErrors reported = session_->TakeReportedErrors();
    ThrowLLVMError(sym.takeError(), ErrorKind::kLink, "library '" + name_ + "'", &reported);
  }
  return sym->getAddress().toPtr<void*>();
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
  auto records = UnregisterDso(dso_handle_);
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    try {
      it->fn(it->arg);
    } catch (...) {
    }
  }
}

void Library::RunFinalizersAtExit() {
  if (!disposed_) RunFinalizers();
}

void Library::Dispose() {
  if (disposed_) return;
  // Libraries that link against this one would be left with dangling references.
  auto dependents = std::move(dependents_);
  for (auto& w : dependents) {
    auto d = w.lock();
    if (!d || d->disposed_) continue;
    if (std::find_if(d->link_libs_.begin(), d->link_libs_.end(),
                     [this](const std::shared_ptr<Library>& l) { return l.get() == this; }) !=
        d->link_libs_.end())
      d->Dispose();
  }
  disposed_ = true;
  // Interned names must die before the ExecutionSession's string pool does.
  unlinked_.clear();
  unlinked_.shrink_to_fit();
  if (dso_handle_) RunFinalizers();
  if (module_) {
    TVMFFIObjectDecRef(module_);
    module_ = nullptr;
  }
  session_->Forget(this);
  if (session_->jit_) {
    if (auto err = session_->jit().getExecutionSession().removeJITDylib(*jd_))
      llvm::consumeError(std::move(err));
  }
  link_libs_.clear();
}

}  // namespace orcjit::jit
