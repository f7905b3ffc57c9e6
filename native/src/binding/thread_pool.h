// The toolkit's own worker threads for async calls (binding/async_call.h): kernels run here,
// not on libuv's pool (4 threads shared with fs and DNS work, which long kernels would starve).
#pragma once
#include <cstddef>
#include <functional>

namespace orcjit::binding {

/// Runs `task` on a pool thread (FIFO). Starts the pool on first use.
void PoolSubmit(std::function<void()> task);

/// Pool size: set by setAsyncThreads before the first async call, else ORCJIT_THREADS, else
/// the number of cores. Returns the size in effect.
size_t PoolSize();
/// Sets the size before the pool starts; false (nothing changed) once it runs.
bool SetPoolSize(size_t n);

/// True when an idle worker is spinning for the next task (it takes a task submitted now
/// within ~1 us; a hint: it may stop at any moment).
bool PoolHasSpinner();

/// True on a pool thread.
bool OnPoolThread();

}  // namespace orcjit::binding
