#include "jit/crash_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace orcjit::jit {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
struct sigaction g_previous[NSIG];  // written once, before our handler is installed

// One active guarded call on this thread; nested guards (a kernel calling JS calling a
// kernel) form a stack. initial-exec: reading it from the signal handler must not allocate.
struct GuardFrame {
  // __builtin_setjmp's buffer (frame pointer, resume address, stack pointer): far cheaper
  // than sigsetjmp's, which is what keeps the guard off the call-overhead budget. The
  // compiler saves every callee-saved register around the function that sets it.
  void* jb[5];
  GuardFrame* prev;
  CrashInfo info;
};
__attribute__((tls_model("initial-exec"))) thread_local GuardFrame* t_top = nullptr;
__attribute__((tls_model("initial-exec"))) thread_local bool t_ready = false;
__attribute__((tls_model("initial-exec"))) thread_local CrashInfo t_last_crash;

// JIT memory ranges, readable without locks from the handler. Reservations are large
// (NearImageMapper::DefaultGranularity), so a few slots suffice; a full table only means
// faults in the extra ranges are not contained.
constexpr size_t kMaxRanges = 1024;
std::atomic<uintptr_t> g_lo[kMaxRanges];
std::atomic<uintptr_t> g_hi[kMaxRanges];
std::atomic<size_t> g_used{0};  // high-water mark of slots ever used
std::mutex g_ranges_mu;         // writers only

std::atomic<int> g_enabled{-1};  // -1: not read from the environment yet

uintptr_t FaultPc(void* uc) {
  auto* ctx = static_cast<ucontext_t*>(uc);
#if defined(__x86_64__)
  return static_cast<uintptr_t>(ctx->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<uintptr_t>(ctx->uc_mcontext.pc);
#else
  (void)ctx;
  return 0;
#endif
}

/// Passes a fault we do not contain to whoever handled it before us, as if we were not there.
void Chain(int sig, siginfo_t* si, void* uc) {
  const struct sigaction& old = g_previous[sig];
  if (old.sa_flags & SA_SIGINFO) {
    if (old.sa_sigaction) {
      old.sa_sigaction(sig, si, uc);
      return;
    }
  } else if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
    old.sa_handler(sig);
    return;
  }
  // Default (or ignored, which the kernel overrides for synchronous faults): restore it and
  // re-raise, delivered when this handler returns. Returning alone would not do for int3,
  // whose PC is already past the instruction.
  signal(sig, SIG_DFL);
  raise(sig);
}

void Handler(int sig, siginfo_t* si, void* uc) {
  GuardFrame* f = t_top;
  uintptr_t pc = FaultPc(uc);
  if (f && si->si_code > 0 && InJitMemory(pc)) {
    f->info.signal = sig;
    f->info.code = si->si_code;
    f->info.address = reinterpret_cast<uintptr_t>(si->si_addr);
    f->info.pc = pc;
    t_top = f->prev;
    // The jump buffer does not hold the signal mask (saving it costs a syscall per call):
    // unblock the signal the kernel blocked for this handler ourselves. Leaving the handler
    // by a jump off the alternate stack is what siglongjmp does too.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    __builtin_longjmp(f->jb, 1);
  }
  Chain(sig, si, uc);
}

void InstallHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : kSignals) {
      struct sigaction sa;
      std::memset(&sa, 0, sizeof sa);
      sa.sa_sigaction = Handler;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
      sigaction(sig, &sa, &g_previous[sig]);
    }
  });
}

/// A stack overflow inside a kernel leaves no stack to run the handler on: give each
/// guarded thread an alternate signal stack unless it has one. Freed at thread exit.
struct AltStack {
  void* mem = nullptr;
  size_t size = 0;
  ~AltStack() {
    if (!mem) return;
    stack_t ss;
    std::memset(&ss, 0, sizeof ss);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
    munmap(mem, size);
  }
};
thread_local AltStack t_altstack;

[[gnu::noinline]] void SetUpThread() {
  InstallHandlers();
  stack_t old;
  if (sigaltstack(nullptr, &old) == 0 && (old.ss_flags & SS_DISABLE)) {
    size_t size = 64 * 1024;
    void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem != MAP_FAILED) {
      stack_t ss;
      ss.ss_sp = mem;
      ss.ss_size = size;
      ss.ss_flags = 0;
      if (sigaltstack(&ss, nullptr) == 0) {
        t_altstack.mem = mem;
        t_altstack.size = size;
      } else {
        munmap(mem, size);
      }
    }
  }
  t_ready = true;
}

}  // namespace

int GuardedSafeCall(TVMFFISafeCallType fn, void* self, const TVMFFIAny* args, int32_t n,
                    TVMFFIAny* result) {
  if (__builtin_expect(!t_ready, 0)) SetUpThread();
  GuardFrame frame;
  frame.prev = t_top;
  if (__builtin_setjmp(frame.jb) != 0) {
    // Back from the handler, which already popped this frame.
    t_last_crash = frame.info;
    return kCrashed;
  }
  t_top = &frame;
  int rc;
  try {
    rc = fn(self, args, n, result);
  } catch (...) {
    t_top = frame.prev;
    throw;
  }
  t_top = frame.prev;
  return rc;
}

const CrashInfo& LastCrash() { return t_last_crash; }

void AddJitRange(uintptr_t base, size_t size) {
  std::lock_guard<std::mutex> lock(g_ranges_mu);
  size_t used = g_used.load(std::memory_order_relaxed);
  for (size_t i = 0; i < kMaxRanges; ++i) {
    if (g_lo[i].load(std::memory_order_relaxed) != 0) continue;
    g_hi[i].store(base + size, std::memory_order_relaxed);
    g_lo[i].store(base, std::memory_order_release);
    if (i >= used) g_used.store(i + 1, std::memory_order_release);
    return;
  }
}

void RemoveJitRange(uintptr_t base) {
  std::lock_guard<std::mutex> lock(g_ranges_mu);
  size_t used = g_used.load(std::memory_order_relaxed);
  for (size_t i = 0; i < used; ++i) {
    if (g_lo[i].load(std::memory_order_relaxed) != base) continue;
    g_lo[i].store(0, std::memory_order_release);
    g_hi[i].store(0, std::memory_order_relaxed);
  }
}

bool InJitMemory(uintptr_t pc) {
  size_t used = g_used.load(std::memory_order_acquire);
  for (size_t i = 0; i < used; ++i) {
    uintptr_t lo = g_lo[i].load(std::memory_order_acquire);
    if (lo != 0 && pc >= lo && pc < g_hi[i].load(std::memory_order_relaxed)) return true;
  }
  return false;
}

const char* SignalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    default: return "signal";
  }
}

bool CrashGuardEnabled() {
  int v = g_enabled.load(std::memory_order_relaxed);
  if (__builtin_expect(v < 0, 0)) {
    const char* env = std::getenv("ORCJIT_CRASH_GUARD");
    v = (env && std::strcmp(env, "0") == 0) ? 0 : 1;
    g_enabled.store(v, std::memory_order_relaxed);
  }
  return v != 0;
}

void SetCrashGuardEnabled(bool on) { g_enabled.store(on ? 1 : 0, std::memory_order_relaxed); }

}  // namespace orcjit::jit
