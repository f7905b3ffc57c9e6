// Queries over a resolved manifest's library graph, used by the project layer and watch mode.
import type { ResolvedLibrary, ResolvedManifest } from "./types.js";

/** The library called `name`, if any. */
export function findLibrary(manifest: ResolvedManifest, name: string): ResolvedLibrary | undefined {
  return manifest.libraries.find((l) => l.name === name);
}

/**
 * `names` plus every library that (transitively) links against one of them, in load order:
 * what must be re-linked when `names` change.
 */
export function withDependents(manifest: ResolvedManifest, names: Iterable<string>): string[] {
  const affected = new Set(names);
  for (const name of manifest.loadOrder) {
    const lib = findLibrary(manifest, name);
    if (lib && lib.linkOrder.some((d) => affected.has(d))) affected.add(name);
  }
  return manifest.loadOrder.filter((n) => affected.has(n));
}

/** Every file the manifest reads: itself, sources and prebuilt objects (absolute paths). */
export function manifestInputs(manifest: ResolvedManifest): string[] {
  const files = new Set<string>([manifest.file]);
  for (const lib of manifest.libraries) {
    for (const s of lib.sources) files.add(s.path);
    for (const o of lib.objects) files.add(o);
  }
  return [...files];
}
