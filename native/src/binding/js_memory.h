// JS memory that native code reads: the engine's extents of views, and pinning.
//
// Rule (docs/values.md, "JS memory lent to native code"): native code may keep a pointer
// into JS memory only while that memory cannot move or shrink.
//  - Extents (buffer, byteOffset, byteLength) always come from the engine (N-API), never
//    from a view's JS properties, which any object, subclass or prototype can override.
//  - A Tensor over JS memory pins its ArrayBuffer for good (markAsUntransferable: a later
//    transfer copies, Node 20, or throws DataCloneError, Node >= 21, instead of moving the
//    memory), so C++ that stores the tensor never sees the memory freed. Resizable
//    ArrayBuffers are refused (resize() can shrink the memory under the tensor).
//  - A typed array passed as a call argument is a borrowed view for the call. Only JS can
//    detach or shrink it, and JS runs during a call only inside a JS callback: the callback
//    first pins the buffers of the views lent by the calls in flight (LentViews), and refuses
//    to run if one of them is resizable.
#pragma once
#include <napi.h>

#include "binding/addon_state.h"

namespace orcjit::binding {

/// Views lent to native code by one JS -> C++ call, while it runs (a stack per thread).
/// Construct with argv == nullptr when the call has no typed-array argument: then it is
/// inline and costs nothing (the call path's number-only calls). `st` is the Addon of the
/// calling JS thread when the caller has it at hand (binding/function.cc keeps it per
/// function), which saves the thread-local lookup of Addon::Current().
class LentViews {
 public:
  LentViews(const napi_value* argv, size_t argc, const char* fn_name) {
    if (argv) Push(nullptr, argv, argc, fn_name);
  }
  LentViews(Addon* st, const napi_value* argv, size_t argc, const char* fn_name) {
    if (!argv) return;
    if (!st) {
      Push(nullptr, argv, argc, fn_name);
      return;
    }
    st_ = st;
    prev_ = st->lent;
    argv_ = argv;
    argc_ = argc;
    fn_name_ = fn_name;
    pinned_ = false;
    st->lent = this;
  }
  ~LentViews() {
    if (st_) st_->lent = prev_;
  }
  LentViews(const LentViews&) = delete;
  LentViews& operator=(const LentViews&) = delete;

 private:
  friend bool PinLentViews(Addon* st, const char* callback_name);
  // st == nullptr: Addon::Current(). Sets every field below but st_.
  void Push(Addon* st, const napi_value* argv, size_t argc, const char* fn_name);
  Addon* st_ = nullptr;  // set (non-null) only while this frame is on the Addon's stack
  LentViews* prev_;
  const napi_value* argv_;
  size_t argc_;
  const char* fn_name_;
  bool pinned_;
};

/// Before a JS callback runs on this thread: pins the buffers of every view lent by the calls
/// in flight. False (with the TVM-FFI error raised) if one cannot be pinned (resizable).
bool PinLentViews(Addon* st, const char* callback_name);

/// Pins `array_buffer` (see above). False if it is resizable (cannot be pinned).
bool PinArrayBuffer(napi_env env, napi_value array_buffer);

/// Exports: viewInfo(x) -> { buffer, byteOffset, byteLength, type, detached, shared } | null.
void InitJsMemory(Napi::Env env, Napi::Object values);

}  // namespace orcjit::binding
