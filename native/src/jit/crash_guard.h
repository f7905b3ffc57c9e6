// Crash containment: a hardware fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, and a stack
// overflow, handled on an alternate signal stack) raised by JIT code while a guarded call
// runs unwinds that call with a long jump instead of killing the process.
//
// What is guaranteed, and what is not:
//  - The guarded call returns kCrashed with the signal, the faulting address and the PC.
//    Frames between the guard and the fault (the kernel's, and whatever it called) are
//    abandoned: their C++ destructors do not run, locks they held stay held, memory they
//    allocated leaks, and any state the kernel was writing may be half-written. The caller
//    must treat the library as corrupt (binding/function.cc poisons it).
//  - Only faults whose PC lies in JIT memory (a NearImageMapper reservation) on a thread
//    with an active guard, raised by the kernel (si_code > 0, not kill/raise), are
//    contained. Every other fault goes to the handler installed before ours (V8's
//    WebAssembly trap handler, Node's, a user's), or to the default action, unchanged.
//    A fault inside libc called by a kernel (memcpy(NULL, ...)) is NOT contained.
//  - abort() and std::terminate are not contained (SIGABRT is not handled).
// Usable from any thread: the guard stack and the alternate signal stack are per thread.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "tvm/ffi/c_api.h"

namespace orcjit::jit {

struct CrashInfo {
  int signal = 0;
  int code = 0;             // si_code
  uintptr_t address = 0;    // si_addr: the faulting data address (or the PC for SIGILL/SIGFPE)
  uintptr_t pc = 0;         // the instruction that faulted
};

/// GuardedSafeCall's return value when a fault was contained (never a safe-call code).
constexpr int kCrashed = -0x6372;

namespace detail {
// One active guarded call on this thread; nested guards (a kernel calling JS calling a
// kernel) form a stack that the signal handler reads. __thread (plain data, initial-exec):
// no TLS wrapper call, and the handler may read it without allocating.
struct GuardFrame {
#if defined(__x86_64__)
  // The stack pointer inside orcjit_guard_call (crash_guard.cc) once it saved the
  // callee-saved registers: the handler resumes there, at orcjit_guard_resume.
  void* sp;
#else
  // __builtin_setjmp's buffer (frame pointer, resume address, stack pointer): far cheaper
  // than sigsetjmp's. The compiler saves every callee-saved register around the function
  // that sets it.
  void* jb[5];
#endif
  GuardFrame* prev;
  CrashInfo info;
};
extern __thread GuardFrame* t_guard_top __attribute__((tls_model("initial-exec")));
extern __thread bool t_guard_ready __attribute__((tls_model("initial-exec")));
extern __thread CrashInfo t_last_crash __attribute__((tls_model("initial-exec")));
/// The first guarded call of a thread: signal handlers, alternate signal stack.
void SetUpThread();
}  // namespace detail

/// Calls fn(self, args, n, result). Returns fn's result, or kCrashed when fn faulted in JIT
/// code (details: LastCrash()). C++ exceptions from fn propagate unchanged.
#if defined(__x86_64__)
}  // namespace orcjit::jit
extern "C" int orcjit_guard_call(TVMFFISafeCallType fn, void* self, const TVMFFIAny* args,
                                 int32_t n, TVMFFIAny* result, void** sp_slot);
namespace orcjit::jit {
// Inline on x86-64 (every kernel call of the call path goes through it): the register saving
// and the resume point are in orcjit_guard_call, written in assembly (crash_guard.cc).
inline int GuardedSafeCall(TVMFFISafeCallType fn, void* self, const TVMFFIAny* args, int32_t n,
                           TVMFFIAny* result) {
  if (__builtin_expect(!detail::t_guard_ready, 0)) detail::SetUpThread();
  detail::GuardFrame frame;
  frame.prev = detail::t_guard_top;
  frame.info.signal = 0;
  detail::t_guard_top = &frame;
  int rc;
  try {
    rc = orcjit_guard_call(fn, self, args, n, result, &frame.sp);
  } catch (...) {
    detail::t_guard_top = frame.prev;
    throw;
  }
  detail::t_guard_top = frame.prev;  // after a fault the handler already did this
  if (__builtin_expect(frame.info.signal != 0, 0)) {
    detail::t_last_crash = frame.info;
    return kCrashed;
  }
  return rc;
}
#else
int GuardedSafeCall(TVMFFISafeCallType fn, void* self, const TVMFFIAny* args, int32_t n,
                    TVMFFIAny* result);
#endif

/// The fault of this thread's last kCrashed.
const CrashInfo& LastCrash();

/// JIT memory, as far as the signal handler is concerned (near_memory.cc).
void AddJitRange(uintptr_t base, size_t size);
void RemoveJitRange(uintptr_t base);
bool InJitMemory(uintptr_t pc);

/// "SIGSEGV" etc.
const char* SignalName(int sig);

namespace detail {
extern std::atomic<int> g_crash_guard_enabled;  // -1: not read from the environment yet
bool ReadCrashGuardEnabled();
}  // namespace detail

/// Whether calls are guarded: ORCJIT_CRASH_GUARD=0 turns containment off (default on).
/// Inline: every kernel call asks.
inline bool CrashGuardEnabled() {
  int v = detail::g_crash_guard_enabled.load(std::memory_order_relaxed);
  if (__builtin_expect(v > 0, 1)) return true;  // one compare on the call path
  return v < 0 && detail::ReadCrashGuardEnabled();
}
void SetCrashGuardEnabled(bool on);

}  // namespace orcjit::jit
