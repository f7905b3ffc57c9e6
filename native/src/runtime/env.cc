// Env C API: per-thread device streams, host hooks (TVMFFIEnvRegisterCAPI / CheckSignals) and
// the once-init handles for DSLs.
#include "runtime/env.h"

#include <tvm/ffi/extra/c_env_api.h>

#include <map>
#include <mutex>
#include <utility>

#include "runtime/error.h"

namespace orcjit::runtime {
namespace {

std::mutex& EnvMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

std::map<std::string, void*>& EnvCAPITable() {
  static auto* table = new std::map<std::string, void*>();
  return *table;
}

// Streams are per thread (like CUDA's current-stream notion), keyed by (device type, id).
std::map<std::pair<int32_t, int32_t>, void*>& ThreadStreams() {
  thread_local std::map<std::pair<int32_t, int32_t>, void*> streams;
  return streams;
}

// Shared by init and deinit; recursive because an init function may init other handles.
std::recursive_mutex& OnceMutex() {
  static auto* mu = new std::recursive_mutex();
  return *mu;
}

}  // namespace

void* EnvCAPI(const std::string& name) {
  std::lock_guard<std::mutex> lock(EnvMutex());
  auto it = EnvCAPITable().find(name);
  return it == EnvCAPITable().end() ? nullptr : it->second;
}

}  // namespace orcjit::runtime

using namespace orcjit::runtime;

extern "C" {

TVM_FFI_DLL int TVMFFIEnvSetStream(int32_t device_type, int32_t device_id,
                                   TVMFFIStreamHandle stream,
                                   TVMFFIStreamHandle* opt_out_original_stream) {
  ORCJIT_API_BEGIN();
  auto& slot = ThreadStreams()[{device_type, device_id}];
  if (opt_out_original_stream) *opt_out_original_stream = slot;
  slot = stream;
  ORCJIT_API_END();
}

TVM_FFI_DLL TVMFFIStreamHandle TVMFFIEnvGetStream(int32_t device_type, int32_t device_id) {
  auto& streams = ThreadStreams();
  auto it = streams.find({device_type, device_id});
  return it == streams.end() ? nullptr : it->second;
}

TVM_FFI_DLL int TVMFFIEnvCheckSignals(void) {
  // The host may register an `int (*)(void)` hook under this name (Python registers
  // PyErr_CheckSignals); without one there is nothing to check.
  auto hook = reinterpret_cast<int (*)(void)>(EnvCAPI("TVMFFIEnvCheckSignals"));
  if (!hook) hook = reinterpret_cast<int (*)(void)>(EnvCAPI("PyErr_CheckSignals"));
  return hook ? hook() : 0;
}

TVM_FFI_DLL int TVMFFIEnvRegisterCAPI(const char* name, void* symbol) {
  ORCJIT_API_BEGIN();
  std::lock_guard<std::mutex> lock(EnvMutex());
  EnvCAPITable()[name] = symbol;
  ORCJIT_API_END();
}

TVM_FFI_DLL int TVMFFIHandleInitOnce(void** handle_addr, int (*init_func)(void** result)) {
  // Fast path without the lock once initialized.
  if (__atomic_load_n(handle_addr, __ATOMIC_ACQUIRE) != nullptr) return 0;
  std::lock_guard<std::recursive_mutex> lock(OnceMutex());
  if (*handle_addr != nullptr) return 0;
  void* result = nullptr;
  int rc = init_func(&result);
  if (rc != 0) return rc;
  __atomic_store_n(handle_addr, result, __ATOMIC_RELEASE);
  return 0;
}

TVM_FFI_DLL int TVMFFIHandleDeinitOnce(void** handle_addr, int (*deinit_func)(void* handle)) {
  std::lock_guard<std::recursive_mutex> lock(OnceMutex());
  void* h = *handle_addr;
  if (h == nullptr) return 0;
  int rc = deinit_func(h);
  if (rc != 0) return rc;
  __atomic_store_n(handle_addr, nullptr, __ATOMIC_RELEASE);
  return 0;
}

}  // extern "C"
