// A generation: the next JIT libraries of some libraries of a project, linked and checked but
// not yet serving calls. `Project.prepare(names)` makes one; `commit()` swaps it in (the stable
// handles switch to it, the replaced libraries are retired), `discard()` drops it and the
// serving generation stays. rebuildLibraries, refresh, reload and the watcher all swap code
// this way, and nothing else does.
import { SymbolNotFoundError } from "../errors.js";
import type { DynamicLibrary, ExecutionSession } from "../jit/index.js";
import type { CompiledObject } from "../compiler/index.js";
import type { ResolvedLibrary } from "../manifest/index.js";
import type { AsyncFFIFunction } from "../values/types.js";
import type { FunctionHandles, HandleState } from "./handles.js";
import { inManifestTerms } from "./manifest-terms.js";

/** What a generation reads and swaps of a project library (ProjectLibrary). */
export interface GenerationSlot {
  readonly name: string;
  readonly config: ResolvedLibrary;
  readonly objects: CompiledObject[];
  _dylib: DynamicLibrary | undefined;
  generation: number;
}

/** What linking a generation needs of its project. */
export interface GenerationContext {
  readonly session: ExecutionSession;
  readonly manifestFile: string;
  slot(name: string): GenerationSlot;
  readonly handles: FunctionHandles;
  /** Called once when the generation is committed or discarded. */
  settled(g: Generation): void;
}

export class Generation {
  #state: "pending" | "committed" | "discarded" = "pending";

  /** @internal Use Project.prepare(). */
  constructor(
    private readonly context: GenerationContext,
    private readonly fresh: ReadonlyMap<string, DynamicLibrary>,
    private readonly staged: ReadonlyMap<HandleState, AsyncFFIFunction>,
  ) {}

  /** Libraries this generation links anew, in load order. */
  get libraries(): string[] {
    return [...this.fresh.keys()];
  }

  /** "pending" until commit() or discard(). */
  get state(): "pending" | "committed" | "discarded" {
    return this.#state;
  }

  /**
   * The function `name` of `library` as this generation would serve it (the new code for a
   * library it relinks, else the serving code), to try before committing. It belongs to that
   * JIT library: after a discard(), or once a later generation retires it, it throws DisposedError.
   */
  getFunction(library: string, name: string): AsyncFFIFunction {
    this.#check("getFunction");
    const dylib = this.fresh.get(library) ?? this.context.slot(library)._dylib;
    if (!dylib) throw new SymbolNotFoundError(`library '${library}' is not loaded`);
    try {
      return dylib.getFunction(name);
    } catch (e) {
      throw inManifestTerms(e, library, this.context.manifestFile);
    }
  }

  /** Swaps this generation in: handles call it from now on; the replaced libraries are disposed (after a running call). */
  commit(): void {
    this.#check("commit");
    this.#state = "committed";
    const retired: DynamicLibrary[] = [];
    for (const [name, dylib] of this.fresh) {
      const slot = this.context.slot(name);
      if (slot._dylib) retired.push(slot._dylib);
      slot._dylib = dylib;
      slot.generation++;
    }
    // handles switch before the old code goes away
    for (const [state, impl] of this.staged) state.impl = impl;
    this.context.handles.retire(retired);
    this.context.settled(this);
  }

  /** Disposes the new libraries; the serving generation stays. Idempotent; a no-op after commit(). */
  discard(): void {
    if (this.#state !== "pending") return;
    this.#state = "discarded";
    for (const d of [...this.fresh.values()].reverse()) d.dispose();
    this.context.settled(this);
  }

  #check(what: string): void {
    if (this.#state !== "pending") throw new Error(`Generation.${what}(): the generation was already ${this.#state}`);
  }
}

/**
 * Links a new generation of `names` (already in load order, dependents included): one JIT
 * library each, against the new ones of its link order. Then looks up every function the
 * manifest declares and every function a handle was taken for — ORC links lazily, so this is
 * what makes a link error or a missing function fail here, before anything serves the new
 * code — which also runs the new static constructors. On failure the new libraries are
 * disposed and the error is thrown.
 */
export function linkGeneration(context: GenerationContext, names: string[]): Generation {
  const fresh = new Map<string, DynamicLibrary>();
  const staged = new Map<HandleState, AsyncFFIFunction>();
  const current = (n: string): DynamicLibrary => {
    const d = fresh.get(n) ?? context.slot(n)._dylib;
    if (!d) throw new Error(`library '${n}' is linked against before it is loaded`);
    return d;
  };
  try {
    for (const name of names) {
      const slot = context.slot(name);
      // Display name per generation ("k", "k#2", ...), derived from the counter; the session
      // keeps JIT names unique itself, so a name reused after a failed link is harmless.
      const dylib = context.session.createLibrary(slot.generation === 0 ? name : `${name}#${slot.generation + 1}`, { debug: slot.config.debug === true });
      fresh.set(name, dylib);
      if (slot.config.linkOrder.length > 0) dylib.setLinkOrder(slot.config.linkOrder.map(current));
      for (const so of slot.config.sharedLibraries) dylib.addSharedLibrary(so);
      for (const o of slot.objects) dylib.add(o.objectPath);
      for (const o of slot.config.objects) dylib.add(o);
    }
    for (const name of names) {
      const dylib = fresh.get(name)!;
      for (const fn of context.slot(name).config.functions) {
        let address;
        try {
          address = dylib.symbolAddress(`__tvm_ffi_${fn}`);
        } catch (e) {
          throw inManifestTerms(e, name, context.manifestFile);
        }
        if (address === null) {
          throw new SymbolNotFoundError(`library '${name}' does not define function '${fn}' listed in ${context.manifestFile}`);
        }
      }
    }
    // A handle pins its function: the new generation must export it.
    for (const state of context.handles.all()) {
      const dylib = fresh.get(state.library);
      if (!dylib) continue;
      try {
        staged.set(state, dylib.getFunction(state.name));
      } catch (e) {
        if (e instanceof SymbolNotFoundError) {
          throw new SymbolNotFoundError(
            `the new generation of library '${state.library}' does not export '${state.name}', which a function handle calls: ${e.message}`,
            { cause: e },
          );
        }
        throw inManifestTerms(e, state.library, context.manifestFile);
      }
    }
  } catch (e) {
    for (const d of [...fresh.values()].reverse()) d.dispose();
    throw e;
  }
  return new Generation(context, fresh, staged);
}
