// Force-included (-include) into sanitizer builds that link Debian's non-ASan LLVM archives.
// LLVM's headers see __has_feature(address_sanitizer) and make their inline BumpPtrAllocator
// poison fresh slabs, but the allocation calls inside the uninstrumented archives never
// unpoison them: a false "use-after-poison" in LinkGraph::allocateContent. Turning LLVM's
// manual poisoning off keeps ASan's real checks (heap/stack/globals) intact.
#pragma once
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define __asan_poison_memory_region(p, s) ((void)(p), (void)(s))
#define __asan_unpoison_memory_region(p, s) ((void)(p), (void)(s))
#endif
#endif
