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

// One active guarded call on this thread (detail::GuardFrame, crash_guard.h); nested guards
// (a kernel calling JS calling a kernel) form a stack.
using detail::GuardFrame;
using detail::t_guard_top;
using detail::t_guard_ready;
using detail::t_last_crash;

// JIT memory ranges, readable without locks from the handler. Reservations are large
// (NearImageMapper::DefaultGranularity), so a few slots suffice; a full table only means
// faults in the extra ranges are not contained.
constexpr size_t kMaxRanges = 1024;
std::atomic<uintptr_t> g_lo[kMaxRanges];
std::atomic<uintptr_t> g_hi[kMaxRanges];
std::atomic<size_t> g_used{0};  // high-water mark of slots ever used
std::mutex g_ranges_mu;         // writers only


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

}  // namespace
}  // namespace orcjit::jit

#if defined(__x86_64__)
// orcjit_guard_call(fn, self, args, n, result, &frame->sp): saves the callee-saved registers,
// stores the stack pointer in frame->sp and calls fn(self, args, n, result). A contained fault
// does not jump out of the handler: the handler rewrites the interrupted context to continue
// at orcjit_guard_resume with that stack pointer, and returns. sigreturn then restores the
// signal mask and leaves the alternate stack as for any handler, and orcjit_guard_resume
// restores the registers and returns kCrashed. That is a dozen instructions per call
// (__builtin_setjmp in a C++ wrapper cost about 45), and the CFI lets C++ exceptions from fn
// unwind through it.
extern "C" char orcjit_guard_resume[];
asm(R"(
  .text
  .p2align 4
  .globl orcjit_guard_call
  .hidden orcjit_guard_call
  .type orcjit_guard_call, @function
orcjit_guard_call:
  .cfi_startproc
  push %rbp
  .cfi_def_cfa_offset 16
  .cfi_offset %rbp, -16
  push %rbx
  .cfi_def_cfa_offset 24
  .cfi_offset %rbx, -24
  push %r12
  .cfi_def_cfa_offset 32
  .cfi_offset %r12, -32
  push %r13
  .cfi_def_cfa_offset 40
  .cfi_offset %r13, -40
  push %r14
  .cfi_def_cfa_offset 48
  .cfi_offset %r14, -48
  push %r15
  .cfi_def_cfa_offset 56
  .cfi_offset %r15, -56
  sub $8, %rsp
  .cfi_def_cfa_offset 64
  mov %rsp, (%r9)
  mov %rdi, %rax
  mov %rsi, %rdi
  mov %rdx, %rsi
  mov %ecx, %edx
  mov %r8, %rcx
  call *%rax
  .cfi_remember_state
.Lorcjit_guard_out:
  add $8, %rsp
  .cfi_def_cfa_offset 56
  pop %r15
  .cfi_def_cfa_offset 48
  pop %r14
  .cfi_def_cfa_offset 40
  pop %r13
  .cfi_def_cfa_offset 32
  pop %r12
  .cfi_def_cfa_offset 24
  pop %rbx
  .cfi_def_cfa_offset 16
  pop %rbp
  .cfi_def_cfa_offset 8
  ret
  .cfi_restore_state
  .globl orcjit_guard_resume
  .hidden orcjit_guard_resume
orcjit_guard_resume:
  mov $-0x6372, %eax
  jmp .Lorcjit_guard_out
  .cfi_endproc
  .size orcjit_guard_call, .-orcjit_guard_call
)");
#endif

namespace orcjit::jit {
namespace {

void Handler(int sig, siginfo_t* si, void* uc) {
  GuardFrame* f = t_guard_top;
  uintptr_t pc = FaultPc(uc);
  if (f && si->si_code > 0 && InJitMemory(pc)) {
    f->info.signal = sig;
    f->info.code = si->si_code;
    f->info.address = reinterpret_cast<uintptr_t>(si->si_addr);
    f->info.pc = pc;
    t_guard_top = f->prev;
#if defined(__x86_64__)
    // Continue at orcjit_guard_resume on the guarded call's stack (see above).
    auto* ctx = static_cast<ucontext_t*>(uc);
    ctx->uc_mcontext.gregs[REG_RSP] = reinterpret_cast<greg_t>(f->sp);
    ctx->uc_mcontext.gregs[REG_RIP] = reinterpret_cast<greg_t>(orcjit_guard_resume);
    return;
#else
    // The jump buffer does not hold the signal mask (saving it costs a syscall per call):
    // unblock the signal the kernel blocked for this handler ourselves. Leaving the handler
    // by a jump off the alternate stack is what siglongjmp does too.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    __builtin_longjmp(f->jb, 1);
#endif
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

}  // namespace

namespace detail {
__thread GuardFrame* t_guard_top = nullptr;
__thread bool t_guard_ready = false;
__thread CrashInfo t_last_crash;

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
  t_guard_ready = true;
}

}  // namespace detail

#if !defined(__x86_64__)
int GuardedSafeCall(TVMFFISafeCallType fn, void* self, const TVMFFIAny* args, int32_t n,
                    TVMFFIAny* result) {
  if (__builtin_expect(!t_guard_ready, 0)) detail::SetUpThread();
  GuardFrame frame;
  frame.prev = t_guard_top;
  if (__builtin_setjmp(frame.jb) != 0) {
    // Back from the handler, which already popped this frame.
    t_last_crash = frame.info;
    return kCrashed;
  }
  t_guard_top = &frame;
  int rc;
  try {
    rc = fn(self, args, n, result);
  } catch (...) {
    t_guard_top = frame.prev;
    throw;
  }
  t_guard_top = frame.prev;
  return rc;
}
#endif

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

namespace detail {
std::atomic<int> g_crash_guard_enabled{-1};

bool ReadCrashGuardEnabled() {
  const char* env = std::getenv("ORCJIT_CRASH_GUARD");
  int v = (env && std::strcmp(env, "0") == 0) ? 0 : 1;
  int expected = -1;  // SetCrashGuardEnabled may have run first: it wins
  g_crash_guard_enabled.compare_exchange_strong(expected, v, std::memory_order_relaxed);
  return g_crash_guard_enabled.load(std::memory_order_relaxed) != 0;
}
}  // namespace detail

void SetCrashGuardEnabled(bool on) {
  detail::g_crash_guard_enabled.store(on ? 1 : 0, std::memory_order_relaxed);
}

}  // namespace orcjit::jit
