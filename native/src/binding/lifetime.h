// Library pins: JS wrappers of values that came out of a library's code (objects, functions,
// tensors) hold a Pin, and a library disposed while pinned is only marked: its finalizers
// run and its memory is freed when the last pin is released (the values' deleters point
// into that code). Function handles from getFunction do not pin; they just check the flag.
#pragma once
#include <atomic>
#include <functional>
#include <memory>

namespace orcjit::jit {
class Library;
class Session;
}

namespace orcjit::binding {

struct LibraryPin {
  std::shared_ptr<jit::Library> lib;
  bool dispose_requested = false;
  ~LibraryPin();
};
using Pin = std::shared_ptr<LibraryPin>;

/// The pin of `lib` (shared by every value that came out of it); created on first use.
Pin PinLibrary(const std::shared_ptr<jit::Library>& lib);

/// Dispose `lib` now if nothing pins it, else when the last pin goes. True if deferred.
bool RequestDispose(const std::shared_ptr<jit::Library>& lib);

/// True once dispose was requested for `lib` or its session (whether or not it already ran).
bool DisposeRequested(const jit::Library* lib);

/// Dispose `session` now if none of its libraries is pinned, else when the last pin goes
/// (disposing a session frees every library at once). True if deferred.
bool RequestSessionDispose(const std::shared_ptr<jit::Session>& session);
bool SessionDisposeRequested(const jit::Session* session);

/// Runs `release` now, or -- while a JS callback runs on this thread, i.e. JIT code that may
/// use what it releases is on the stack -- from a setImmediate once the event loop is back.
void AfterCallbacks(std::function<void()> release);

/// Number of libraries with a deferred dispose (fast check for the call path).
extern std::atomic<int> g_deferred_disposals;

/// False on a thread whose JS environment is gone (its teardown began) or that never ran
/// one: pins and values dropped there release nothing (exit path; the addon's cleanup
/// disposes the sessions). Per environment, so a worker exiting does not affect the others.
bool JsThreadAlive();

}  // namespace orcjit::binding
