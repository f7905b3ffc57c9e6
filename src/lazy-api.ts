// The project and watch parts of the public API, loaded on first use. A fresh process that
// only calls loadInline (or the JIT/values API) never runs project or watch code, yet
// importing it costs every start: ≈ 60 kB of the bundle to compile and evaluate (≈ 12 M of the
// ≈ 180 M instructions of `import "tvm-ffi-orcjit"`; README "Start-up").
// The async entry points (loadProject, watchProject, writeProjectTypes) import the real
// modules on their first call; the classes are stand-ins for the real ones: `instanceof`
// answers for the real class, and once it is loaded `new` and static properties forward to
// it. Instances only come from the real classes (loadProject/watchProject make them), so
// before the first load nothing is an instance. esbuild puts the real modules in a chunk of
// their own (scripts/bundle.mjs).
import type * as ProjectApi from "./project/index.js";
import type * as WatchApi from "./watch/index.js";

let projectApi: typeof ProjectApi | undefined;
let watchApi: typeof WatchApi | undefined;

async function loadProjectApi(): Promise<typeof ProjectApi> {
  return (projectApi ??= await import("./project/index.js"));
}

async function loadWatchApi(): Promise<typeof WatchApi> {
  await loadProjectApi(); // watch imports project: its classes are loaded with it
  return (watchApi ??= await import("./watch/index.js"));
}

type AnyClass = abstract new (...args: never[]) => object;

/** A stand-in for the class `real()` returns once its module is loaded by `loadedBy`. */
function lazyClass<C extends AnyClass>(name: string, loadedBy: string, real: () => C | undefined): C {
  const target = function () {} as unknown as C;
  Object.defineProperty(target, "name", { value: name });
  const loaded = (): new (...args: unknown[]) => object => {
    const c = real();
    if (c === undefined) {
      throw new TypeError(`${name} is not loaded yet: ${loadedBy} makes its instances and loads it on first use (call that first)`);
    }
    return c as unknown as new (...args: unknown[]) => object;
  };
  const proxy: C = new Proxy(target, {
    get(t, key, receiver) {
      if (key === Symbol.hasInstance) return (x: unknown) => { const c = real(); return c !== undefined && x instanceof c; };
      const c = real();
      return c !== undefined && key !== "name" ? Reflect.get(c, key) : Reflect.get(t, key, receiver);
    },
    has: (t, key) => Reflect.has(real() ?? t, key),
    construct: (_t, args, newTarget) => Reflect.construct(loaded(), args, newTarget === proxy ? loaded() : newTarget),
    apply: () => {
      throw new TypeError(`Class constructor ${name} cannot be invoked without 'new'`);
    },
  });
  return proxy;
}

export type Project = ProjectApi.Project;
export const Project = lazyClass("Project", "loadProject()", () => projectApi?.Project);
export type ProjectLibrary<N extends string = string> = ProjectApi.ProjectLibrary<N>;
export const ProjectLibrary = lazyClass("ProjectLibrary", "loadProject()", () => projectApi?.ProjectLibrary);
export type Generation = ProjectApi.Generation;
export const Generation = lazyClass("Generation", "loadProject()", () => projectApi?.Generation);
export type ProjectWatcher = WatchApi.ProjectWatcher;
export const ProjectWatcher = lazyClass("ProjectWatcher", "watchProject()", () => watchApi?.ProjectWatcher);
export type WatchedLibrary = WatchApi.WatchedLibrary;
export const WatchedLibrary = lazyClass("WatchedLibrary", "watchProject()", () => watchApi?.WatchedLibrary);

export async function loadProject(...args: Parameters<typeof ProjectApi.loadProject>): ReturnType<typeof ProjectApi.loadProject> {
  return (await loadProjectApi()).loadProject(...args);
}

export async function writeProjectTypes(...args: Parameters<typeof ProjectApi.writeProjectTypes>): ReturnType<typeof ProjectApi.writeProjectTypes> {
  return (await loadProjectApi()).writeProjectTypes(...args);
}

export async function watchProject(...args: Parameters<typeof WatchApi.watchProject>): ReturnType<typeof WatchApi.watchProject> {
  return (await loadWatchApi()).watchProject(...args);
}
