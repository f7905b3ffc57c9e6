// The watcher's function handles. Once the project is loaded, each forwards to the project's own
// stable handle (src/project/handles.ts), which follows every generation swap; before the first
// load (waitForFix) it throws ORCJIT_NOT_LOADED. A contained kernel crash through a handle is
// also reported as a watch `error` event.
import { NativeCrashError, OrcJitError, SymbolNotFoundError } from "../errors.js";
import { settle, type Project, type StableFunction } from "../project/index.js";
import type { CallOptions } from "../values/async.js";
import type { FFIResult, FFIValue } from "../values/types.js";

interface WatchHandle {
  readonly library: string;
  readonly name: string;
  /** The project's handle, once loaded. */
  target: StableFunction | undefined;
  /** What a call throws without a target. */
  missing: () => Error;
}

export class WatchHandles {
  #handles = new Map<string, WatchHandle & { handle: StableFunction }>();

  constructor(
    private readonly notLoaded: () => Error,
    private readonly onCrash: (e: NativeCrashError) => void,
  ) {}

  /**
   * The (cached) handle of `library.name`. With a loaded `project` the function is resolved
   * now (throws SymbolNotFoundError / an unknown library); before the first load it is unchecked.
   */
  get(library: string, name: string, project: Project | undefined): StableFunction {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("getFunction(name): 'name' must be a non-empty string");
    const key = `${library}\0${name}`;
    const existing = this.#handles.get(key);
    if (existing) return existing.handle;
    const h: WatchHandle = { library, name, target: project?.library(library).getFunction(name), missing: this.notLoaded };
    const call = (...args: FFIValue[]): FFIResult => {
      const target = h.target;
      if (!target) throw h.missing();
      try {
        return target(...args);
      } catch (e) {
        // A contained kernel crash (docs/debugging.md) is also a watch error: the watcher
        // keeps running and the next good edit loads a fresh generation.
        if (e instanceof NativeCrashError && e.signal !== undefined) this.onCrash(e);
        throw e;
      }
    };
    Object.defineProperties(call, {
      name: { value: name },
      library: { value: library, enumerable: true },
      functionName: { value: name, enumerable: true },
    });
    // handle.async calls the newest generation; before the first load it rejects like a call throws
    const target = (): StableFunction => {
      if (!h.target) throw h.missing();
      return h.target;
    };
    // fn.exact (declared int results) of the newest generation, through the project handle's
    // (counted) exact, with the same crash reporting as a call
    const exactOf = (): StableFunction => {
      const ex = target().exact as StableFunction | undefined;
      if (!ex) throw new TypeError(`'${library}.${name}' has no exact form now: its newest generation declares no int result`);
      return ex;
    };
    const exact = (...args: FFIValue[]): FFIResult => {
      try {
        return exactOf()(...args);
      } catch (e) {
        if (e instanceof NativeCrashError && e.signal !== undefined) this.onCrash(e);
        throw e;
      }
    };
    Object.defineProperties(exact, {
      signature: { get: () => h.target?.exact?.signature },
      async: { value: (...args: FFIValue[]) => settle(() => exactOf().async(...args)) },
      with: { value: (options: CallOptions) => Object.freeze({ async: (...args: FFIValue[]) => settle(() => exactOf().with(options).async(...args)) }) },
    });
    Object.defineProperties(call, {
      async: { value: (...args: FFIValue[]) => settle(() => target().async(...args)) },
      with: { value: (options: CallOptions) => Object.freeze({ async: (...args: FFIValue[]) => settle(() => target().with(options).async(...args)) }) },
      // the newest generation's metadata (it may change with a reload; undefined before the first load)
      signature: { get: () => h.target?.signature },
      doc: { get: () => h.target?.doc },
      signatureError: { get: () => h.target?.signatureError },
      exact: { get: () => (h.target?.exact ? exact : undefined) },
    });
    const handle = call as unknown as StableFunction;
    this.#handles.set(key, Object.assign(h, { handle }));
    return handle;
  }

  /**
   * The first load: points every handle at `project`'s. A handle whose function the project
   * lacks fails the load (SymbolNotFoundError); one on a library the manifest does not have
   * throws ORCJIT_UNKNOWN_LIBRARY when called.
   */
  attach(project: Project): void {
    for (const h of this.#handles.values()) {
      if (!project.libraryNames.includes(h.library)) {
        const message = `no library '${h.library}' in ${project.file}; libraries: ${project.libraryNames.join(", ")}`;
        h.missing = () => new OrcJitError("ORCJIT_UNKNOWN_LIBRARY", message);
        continue;
      }
      try {
        h.target = project.library(h.library).getFunction(h.name);
      } catch (e) {
        if (!(e instanceof SymbolNotFoundError)) throw e;
        throw new SymbolNotFoundError(`library '${h.library}' does not export '${h.name}', which a watched handle calls: ${e.message}`, { cause: e });
      }
    }
  }

  /** After a reload: handles on a library the manifest has added since the first load start calling it (best effort). */
  adopt(project: Project): void {
    for (const h of this.#handles.values()) {
      if (h.target || !project.libraryNames.includes(h.library)) continue;
      try {
        h.target = project.library(h.library).getFunction(h.name);
      } catch {
        // the library lacks the function: the handle keeps throwing what it threw
      }
    }
  }
}

/** What a WatchedLibrary asks of its watcher. */
interface HandleSource {
  readonly loaded: boolean;
  readonly project: Project;
  _handle(library: string, name: string): StableFunction;
}

/** One library of a watched project. */
export class WatchedLibrary {
  /** @internal */
  constructor(
    private readonly watcher: HandleSource,
    readonly name: string,
  ) {}

  /** How many times this library has been linked (0 before the first load). */
  get generation(): number {
    return this.watcher.loaded ? this.watcher.project.library(this.name).generation : 0;
  }

  /**
   * A stable handle on the exported function `name`: it calls the newest generation. While
   * a handle exists, a new generation that does not export the function is rejected (the
   * old one keeps serving). Throws SymbolNotFoundError if the current generation lacks it.
   * Before the first load (`waitForFix`) the handle is returned unchecked and throws
   * ORCJIT_NOT_LOADED when called; the first load requires its function.
   */
  getFunction(name: string): StableFunction {
    return this.watcher._handle(this.name, name);
  }
}
