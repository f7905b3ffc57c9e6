// INTERIM seam until src/jit lands: the slice of the JIT API the project layer uses, typed
// structurally, and the default session created through a dynamic import so the tree
// type-checks before the JIT exists. Replace with `import { ExecutionSession } from "../jit/index.js"`.
export interface DynamicLibrary {
  add(objectPathOrBytes: string | Uint8Array): unknown;
  setLinkOrder(libraries: DynamicLibrary[]): void;
  getFunction(name: string): (...args: unknown[]) => unknown;
  dispose(): void;
}

export interface ExecutionSession {
  createLibrary(name: string): DynamicLibrary;
  dispose(): void;
}

const jitModule = "../jit/index.js";

export async function createSession(): Promise<ExecutionSession> {
  const jit = (await import(jitModule)) as { ExecutionSession: new () => ExecutionSession };
  return new jit.ExecutionSession();
}
