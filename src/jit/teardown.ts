// Teardown when unreachable: a JIT library that no JS handle reaches any more is disposed
// after garbage collection, as an explicit dispose() would (static destructors run, memory
// returns), on the JS thread that owns it. One mechanism for every library: those of
// ExecutionSession.createLibrary, loadInline and loadModule.
//
// Each DynamicLibrary has one Lease. The DynamicLibrary object and every function handle taken
// from it (and whatever else its owner registers: a Module's functions looked up through the
// module tree) hold one count each; a FinalizationRegistry callback drops a count when its
// handle is collected, and the last one disposes the library. The lease holds only the native
// library, never a handle, so it cannot keep them alive itself.
//
// What JS cannot see is covered natively or by exemptions:
// - values the kernel returned (objects, closures, tensors) and async calls in flight pin the
//   library natively: the dispose is deferred until they go (native/src/binding/lifetime.h);
// - a library in another library's link order holds one count of the dependent's lease
//   until that one goes, so it goes only after its dependents;
// - a library whose ffi.Module escaped to native code (Module.ffiModule) or that registered
//   global functions (reachable by name, like a loaded .so) is never torn down this way.
import type { NativeLibrary } from "../native/binding.js";

/** @internal */
export class Lease {
  count = 0;
  /** Native code may hold the library (its ffi.Module escaped): never torn down by GC. */
  resident = false;
  /** The leases of the libraries in this one's link order: each holds one count of them. */
  #links: Lease[] = [];
  constructor(readonly native: NativeLibrary) {}

  /** This library links against `targets` (replacing the previous link order): they stay while it does. */
  linkTo(targets: Lease[]): void {
    for (const t of targets) ++t.count;
    const old = this.#links;
    this.#links = targets;
    for (const t of old) t.release();
  }

  /** Drops one count; the last one disposes the library, then releases its link order. */
  release(): void {
    if (--this.count > 0) return;
    if (this.resident) {
      residents.add(this);
      return;
    }
    try {
      // A library that registered global functions is reachable by name: it stays, with
      // what it links against.
      if (!this.native.disposed && this.native.ownsGlobals) {
        residents.add(this);
        return;
      }
      if (!this.native.disposed) this.native.dispose();
    } catch {
      // Nobody to report to (like a finalizer); an explicit dispose() reports its errors.
    }
    const links = this.#links;
    this.#links = [];
    for (const t of links) t.release();
  }
}

/**
 * Libraries that stay although no JS handle reaches them. Held here because the native side
 * disposes a library when its last native reference goes (the JS wrapper's finalizer).
 */
const residents = new Set<Lease>();

const registry = new FinalizationRegistry<Lease>((lease) => lease.release());

/** @internal `handle` counts as a live JS handle of the lease's library until it is collected. */
export function holdLease(lease: Lease, handle: object): void {
  ++lease.count;
  registry.register(handle, lease);
}
