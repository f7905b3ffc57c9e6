#include "jit/session.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <set>

#include "jit/debugger.h"
#include "jit/host_hooks.h"
#include "jit/init_fini.h"
#include "jit/jit_error.h"
#include "jit/llvm_patches/llvm_patches.h"
#include "jit/library.h"
#include "jit/near_memory.h"
#include "jit/perf_map.h"
#include "jit/runtime_archives.h"
#include "llvm/ExecutionEngine/Orc/AbsoluteSymbols.h"
#include "llvm/ExecutionEngine/Orc/EHFrameRegistrationPlugin.h"
#include "llvm/ExecutionEngine/Orc/MapperJITLinkMemoryManager.h"
#include "llvm/ExecutionEngine/Orc/MemoryMapper.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"
#include "runtime/exported_symbols.h"
#include "runtime/global_registry.h"
#include "runtime/type_table.h"

extern "C" int64_t OrcjitDebugLiveObjects(void);  // runtime/object.cc, debug only

namespace orcjit::jit {
namespace {

// Live sessions, so static finalisers of JIT code also run at process exit.
std::mutex& LiveMu() {
  static auto* mu = new std::mutex();
  return *mu;
}
std::set<Session*>& Live() {
  static auto* live = new std::set<Session*>();
  return *live;
}
std::vector<std::weak_ptr<Library>>& ExitLibraries() {
  static auto* libs = new std::vector<std::weak_ptr<Library>>();
  return *libs;
}

std::atomic<bool> g_process_exiting{false};

void RunFinalizersAtProcessExit() {
  g_process_exiting.store(true);
  std::vector<std::weak_ptr<Library>> libs;
  {
    std::lock_guard<std::mutex> lock(LiveMu());
    libs.swap(ExitLibraries());
  }
  // Newest library first, like the dynamic loader's reverse load order.
  for (auto it = libs.rbegin(); it != libs.rend(); ++it)
    if (auto lib = it->lock()) lib->RunFinalizersAtExit();
}

void RegisterForExit(const std::shared_ptr<Library>& lib) {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(RunFinalizersAtProcessExit); });
  std::lock_guard<std::mutex> lock(LiveMu());
  auto& v = ExitLibraries();
  // Drop dead entries now and then so long-running processes do not accumulate them.
  if (v.size() > 64 && (v.size() & (v.size() - 1)) == 0) {
    std::vector<std::weak_ptr<Library>> keep;
    for (auto& w : v)
      if (!w.expired()) keep.push_back(w);
    v.swap(keep);
  }
  v.push_back(lib);
}

}  // namespace

bool ProcessExiting() { return g_process_exiting.load(std::memory_order_relaxed); }

std::shared_ptr<Session> Session::Create(const SessionOptions& options) {
  using namespace llvm::orc;
  std::shared_ptr<Session> s(new Session());
  s->options_ = options;
  // JIT memory near the executable image (near_memory.h), reserved in chunks of `reserve`.
  size_t reserve = options.reserve_bytes ? options.reserve_bytes : NearImageMapper::DefaultGranularity();
  s->memmgr_ = std::make_unique<MapperJITLinkMemoryManager>(reserve, std::make_unique<NearImageMapper>());
  LLJITBuilder builder;
  builder.setPlatformSetUp(setUpInactivePlatform);
  auto* memmgr = s->memmgr_.get();
  Session* raw = s.get();
  builder.setObjectLinkingLayerCreator(
      [memmgr, raw](ExecutionSession& es) -> llvm::Expected<std::unique_ptr<ObjectLayer>> {
        auto layer = std::make_unique<ObjectLinkingLayer>(es, *memmgr);
        auto eh = EHFrameRegistrationPlugin::Create(es);
        if (!eh) return eh.takeError();
        layer->addPlugin(std::move(*eh));
        AddLlvmPatches(*layer);  // jit/llvm_patches/README.md
        layer->addPlugin(std::make_shared<InitFiniPlugin>(raw));
        // [i15] names JIT functions for crash reports and the perf map (perf_map.h)
        layer->addPlugin(std::make_shared<JitSymbolsPlugin>());
        // [j15] GDB JIT interface registration of debug libraries' objects (debugger.h)
        layer->addPlugin(std::make_shared<DebuggerPlugin>(raw));
        return std::unique_ptr<ObjectLayer>(std::move(layer));
      });
  s->jit_ = Unwrap(builder.create(), ErrorKind::kInternal, "cannot create the LLVM JIT");
  auto& es = s->jit_->getExecutionSession();
  es.setErrorReporter([raw](llvm::Error err) {
    std::lock_guard<std::mutex> lock(raw->reported_mu_);
    CollectErrors(std::move(err), &raw->reported_);
    // Bound the backlog if nobody collects it.
    if (raw->reported_.messages.size() > 64) raw->reported_.messages.erase(raw->reported_.messages.begin());
    if (raw->reported_.missing.size() > 256) raw->reported_.missing.erase(raw->reported_.missing.begin());
  });
  s->process_jd_ = s->jit_->getProcessSymbolsJITDylib().get();
  if (!s->process_jd_) throw JitError(ErrorKind::kInternal, "LLJIT has no process-symbols library");
  s->runtime_jd_ = &es.createBareJITDylib("<tvm-ffi runtime>");

  SymbolMap symbols;
  auto flags = llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable;
  size_t count = 0;
  const runtime::ExportedSymbol* table = runtime::ExportedSymbols(&count);
  for (size_t i = 0; i < count; ++i) {
    if (!table[i].name || !table[i].address) continue;
    symbols[es.intern(table[i].name)] = {ExecutorAddr::fromPtr(table[i].address), flags};
  }
  symbols[es.intern("__cxa_atexit")] = {ExecutorAddr::fromPtr(&OrcjitCxaAtexit), flags};
  symbols[es.intern("__cxa_at_quick_exit")] = {ExecutorAddr::fromPtr(&OrcjitCxaAtQuickExit), flags};
  symbols[es.intern("__register_atfork")] = {ExecutorAddr::fromPtr(&OrcjitRegisterAtfork), flags};
  // Not TVM-FFI ABI: live runtime-object count, for leak tests (test/reliability/refcount).
  symbols[es.intern("OrcjitDebugLiveObjects")] = {ExecutorAddr::fromPtr(&OrcjitDebugLiveObjects), flags};
  JIT_LLVM_CALL(s->runtime_jd_->define(absoluteSymbols(std::move(symbols))), ErrorKind::kInternal,
                "cannot define the runtime symbols");
  s->runtime_jd_->addGenerator(MakeLibatomicGenerator());  // __atomic_* (runtime_archives.h)
  {
    std::lock_guard<std::mutex> lock(LiveMu());
    Live().insert(raw);
  }
  return s;
}

Session::~Session() {
  Dispose();
  std::lock_guard<std::mutex> lock(LiveMu());
  Live().erase(this);
}

std::shared_ptr<Library> Session::CreateLibrary(const std::string& name) {
  std::shared_ptr<Library> lib;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (disposed_) throw JitError(ErrorKind::kDisposed, "the ExecutionSession has been disposed");
    unsigned id = ++next_id_;
    std::string shown = name.empty() ? "lib" + std::to_string(id) : name;
    // JITDylib names must be unique in an ExecutionSession; the user-facing name need not be.
    auto& jd = jit_->getExecutionSession().createBareJITDylib(shown + "#" + std::to_string(id));
    lib.reset(new Library(shared_from_this(), &jd, shown));
    by_jd_[&jd] = lib.get();
    libraries_.push_back(lib);
    if (libraries_.size() > 32 && (libraries_.size() & (libraries_.size() - 1)) == 0) {
      std::vector<std::weak_ptr<Library>> keep;
      for (auto& w : libraries_)
        if (!w.expired()) keep.push_back(w);
      libraries_.swap(keep);
    }
  }
  try {
    lib->Init();
  } catch (...) {
    lib->Dispose();
    throw;
  }
  RegisterForExit(lib);
  return lib;
}

Library* Session::FindLibrary(llvm::orc::JITDylib& jd) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_jd_.find(&jd);
  return it == by_jd_.end() ? nullptr : it->second;
}

ReportedErrors Session::TakeReportedErrors() {
  std::lock_guard<std::mutex> lock(reported_mu_);
  ReportedErrors out = std::move(reported_);
  reported_ = ReportedErrors();
  return out;
}

size_t Session::library_count() {
  std::lock_guard<std::mutex> lock(mu_);
  return by_jd_.size();
}

size_t Session::deferred_count() {
  std::lock_guard<std::mutex> lock(unmap_mu_);
  return deferred_.size();
}

void Session::NoteDeferred(uint64_t owner, const std::string& name,
                           std::shared_ptr<void> keep) {
  std::lock_guard<std::mutex> lock(unmap_mu_);
  if (!jit_) return;
  deferred_.push_back(owner);
  deferred_names_[owner] = name;
  if (keep) deferred_keep_[owner] = std::move(keep);
}

void Session::RemoveDylib(llvm::orc::JITDylib* jd, uint64_t owner) {
  bool teardown = false;
  {
    std::lock_guard<std::mutex> lock(unmap_mu_);
    auto it = std::find(deferred_.begin(), deferred_.end(), owner);
    if (it != deferred_.end()) deferred_.erase(it);
    deferred_names_.erase(owner);
    if (!jit_) return;
    auto& es = jit_->getExecutionSession();
    if (auto err = es.removeJITDylib(*jd)) llvm::consumeError(std::move(err));
    deferred_keep_.erase(owner);
    // The string pool keeps every name ever interned until asked: names only the removed
    // library used (its symbols, ORC's per-object "$.<object>.__inits.<n>" init symbols) would
    // otherwise accumulate, a few hundred bytes per library cycle.
    es.getSymbolStringPool()->clearDeadEntries();
    teardown = teardown_pending_ && deferred_.empty();
    if (teardown) teardown_pending_ = false;
  }
  // The session was disposed while this library was referenced: it was the last one.
  if (teardown) Teardown();
}

void Session::Forget(Library* lib) {
  std::lock_guard<std::mutex> lock(mu_);
  by_jd_.erase(&lib->dylib());
}

void Session::Dispose() {
  std::vector<std::shared_ptr<Library>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (disposed_) return;
    disposed_ = true;
    for (auto& w : libraries_)
      if (auto l = w.lock()) live.push_back(l);
    libraries_.clear();
  }
  // Newest first: a library can only link against libraries created before it... or after,
  // so Library::Dispose also disposes its dependents first.
  for (auto it = live.rbegin(); it != live.rend(); ++it) (*it)->Dispose();
  // Libraries still mapped because something references their code (an object held by
  // native code, a global function another worker thread is calling) keep the JIT alive:
  // the last one to go tears it down (RemoveDylib). Freeing them here would leave those
  // references pointing at unmapped code.
  {
    std::lock_guard<std::mutex> lock(unmap_mu_);
    if (!deferred_.empty()) {
      teardown_pending_ = true;
      return;
    }
  }
  Teardown();
}

void Session::Teardown() {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unordered_map<uint64_t, std::shared_ptr<void>> keep;
  {
    std::lock_guard<std::mutex> lock(unmap_mu_);
    jit = std::move(jit_);
    keep.swap(deferred_keep_);
  }
  jit.reset();  // ends the ORC session: frees what is left of the JIT memory
  memmgr_.reset();
  keep.clear();  // then dlclose what deferred libraries still held
}

}  // namespace orcjit::jit
