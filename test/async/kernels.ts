// Kernels of the async tests (loadInline C++): slow ones poll TVMFFIEnvCheckSignals like real
// long-running kernels do.
export const ASYNC_KERNELS = String.raw`
#include <tvm/ffi/extra/c_env_api.h>
#include <chrono>
#include <functional>
#include <thread>

namespace {
void Poll() {
  if (TVMFFIEnvCheckSignals() != 0) throw ::tvm::ffi::details::MoveFromSafeCallRaised();
}
void WorkFor(int64_t ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    Poll();
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}
tvm::ffi::Optional<tvm::ffi::Function> g_kept;
}  // namespace

int64_t add(int64_t a, int64_t b) { return a + b; }
void noop() {}
int64_t work_ms(int64_t ms) { WorkFor(ms); return ms; }
int64_t sleep_blind(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); return ms; }
double sum_after(tvm::ffi::TensorView x, int64_t ms) {
  WorkFor(ms);
  double s = 0;
  for (int64_t i = 0; i < x->shape[0]; ++i) s += static_cast<const double*>(x->data)[i];
  return s;
}
void fill_after(tvm::ffi::TensorView x, double v, int64_t ms) {
  WorkFor(ms);
  for (int64_t i = 0; i < x->shape[0]; ++i) static_cast<double*>(x->data)[i] = v;
}
int64_t call_each(tvm::ffi::Function f, int64_t n) {
  int64_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += f(i).cast<int64_t>();
  return s;
}
void keep(tvm::ffi::Function f) { g_kept = f; }
tvm::ffi::String call_kept_on_thread() {
  std::string out;
  std::thread th([&] {
    try {
      (*g_kept)(1);
      out = "ok";
    } catch (const tvm::ffi::Error& e) {
      out = std::string(e.kind()) + ": " + e.message();
    }
  });
  th.join();
  return out;
}
void forget() { g_kept = tvm::ffi::Optional<tvm::ffi::Function>(); }
int64_t fail(int64_t x) { TVM_FFI_THROW(ValueError) << "bad value " << x; }
int64_t thread_tag() { return static_cast<int64_t>(std::hash<std::thread::id>()(std::this_thread::get_id()) & 0xffffff); }
`;

export const ASYNC_FUNCTIONS = [
  "add", "noop", "work_ms", "sleep_blind", "sum_after", "fill_after", "call_each", "keep",
  "call_kept_on_thread", "forget", "fail", "thread_tag",
];
