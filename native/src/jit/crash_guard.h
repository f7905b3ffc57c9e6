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

/// Calls fn(self, args, n, result). Returns fn's result, or kCrashed when fn faulted in JIT
/// code (details: LastCrash()). C++ exceptions from fn propagate unchanged.
int GuardedSafeCall(TVMFFISafeCallType fn, void* self, const TVMFFIAny* args, int32_t n,
                    TVMFFIAny* result);

/// The fault of this thread's last kCrashed.
const CrashInfo& LastCrash();

/// JIT memory, as far as the signal handler is concerned (near_memory.cc).
void AddJitRange(uintptr_t base, size_t size);
void RemoveJitRange(uintptr_t base);
bool InJitMemory(uintptr_t pc);

/// "SIGSEGV" etc.
const char* SignalName(int sig);

/// Whether calls are guarded: ORCJIT_CRASH_GUARD=0 turns containment off (default on).
bool CrashGuardEnabled();
void SetCrashGuardEnabled(bool on);

}  // namespace orcjit::jit
