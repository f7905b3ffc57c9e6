// The bench's only view of the toolkit: the public API from dist/index.js, probed so that a
// figure whose API has not landed yet reports "n/a (waiting for X)" instead of failing the run.
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { NotAvailable } from "./harness.js";
import { ROOT } from "./build.js";

let cached;

/** The public module (dist/index.js), or a NotAvailable naming what is missing. */
export async function api() {
  if (cached) return cached;
  const entry = path.join(ROOT, "dist", "index.js");
  if (!existsSync(entry)) throw new NotAvailable("waiting for dist/index.js: npm run build:ts");
  try {
    cached = await import(pathToFileURL(entry).href);
  } catch (e) {
    throw new NotAvailable(`dist/index.js failed to load: ${e.message.split("\n")[0]}`);
  }
  return cached;
}

export async function need(...names) {
  const m = await api();
  const missing = names.filter((n) => m[n] === undefined);
  if (missing.length) throw new NotAvailable(`waiting for ${missing.join(", ")} in src/index.ts`);
  return m;
}

/** A session with one library holding `objects`; returns { session, lib, fn(name) }. */
export async function loadObjects(objects, name = "bench") {
  const { ExecutionSession } = await need("ExecutionSession");
  const session = new ExecutionSession();
  const lib = createLibrary(session, name);
  for (const o of objects) await lib.add(o);
  return { session, lib, fn: (n) => getFunction(lib, n) };
}

export function createLibrary(session, name) {
  if (typeof session.createLibrary !== "function") throw new NotAvailable("waiting for ExecutionSession.createLibrary");
  return session.createLibrary(name);
}

export function getFunction(lib, name) {
  if (typeof lib.getFunction !== "function") throw new NotAvailable("waiting for DynamicLibrary.getFunction");
  const f = lib.getFunction(name);
  if (typeof f !== "function") throw new NotAvailable(`getFunction(${name}) did not return a function`);
  return f;
}

/** Unloads a library by whichever method the API offers. */
export function removeLibrary(session, lib) {
  for (const m of ["remove", "dispose", "unload", "close"]) {
    if (typeof lib[m] === "function") return lib[m]();
  }
  for (const m of ["removeLibrary", "remove"]) {
    if (typeof session[m] === "function") return session[m](lib);
  }
  throw new NotAvailable("waiting for a way to remove a library (DynamicLibrary.remove/dispose)");
}

export function disposeSession(session) {
  for (const m of ["dispose", "close", "shutdown"]) {
    if (typeof session[m] === "function") return session[m]();
  }
}
