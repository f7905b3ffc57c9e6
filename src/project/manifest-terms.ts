// Errors in the words of a project's user: manifest keys, not JIT API calls.
import { LinkError } from "../errors.js";

/**
 * A LinkError as the JIT words it suggests API calls (setLinkOrder, addSharedLibrary); a
 * project's user edits manifest keys instead: say `linkOrder` / `sharedLibraries` of the
 * library, in the manifest. Anything else is returned as it is.
 */
export function inManifestTerms(e: unknown, library: string, manifestFile: string): unknown {
  if (!(e instanceof LinkError) || !e.message.includes("setLinkOrder")) return e;
  const message = e.message.replace(
    /add the defining object, a library via setLinkOrder or a \.so via addSharedLibrary/,
    `add the defining source or object to library '${library}', a library to its \`linkOrder\` or a .so to its \`sharedLibraries\` in ${manifestFile}`,
  );
  if (message === e.message) return e;
  const out = new LinkError(message, { cause: e });
  for (const k of ["ffiKind", "ffiMessage"] as const) if (e[k] !== undefined) Object.defineProperty(out, k, { value: e[k], enumerable: true });
  return out;
}
