// Files named by flags whose contents change what the compiler does, yet which no depfile
// lists: response files (`@flags.rsp`, expanded by gcc, clang, nvcc and cl before anything
// else), clang configuration files (`--config=f`, `--config f`) and gcc spec files
// (`-specs=f`). Their contents go into the base key (src/cache/key.ts), so editing one is a
// miss, not a stale hit.
import { dirname, isAbsolute, resolve } from "node:path";
import { CompileError } from "../errors.js";
import { NotRegularFileError, readRegularFileSync } from "../util/fs.js";

const MAX_DEPTH = 8;
const MAX_FILES = 256;

/** The file a flag names (with the next argument when the value is separate), if any. */
function fileOf(flags: readonly string[], k: number): { file: string; kind: string; skip: number } | undefined {
  const f = flags[k]!;
  if (f.startsWith("@") && f.length > 1) return { file: f.slice(1), kind: "response file", skip: 0 };
  let m = /^--config[= ](.+)$/.exec(f);
  if (m) return { file: m[1]!, kind: "clang config file", skip: 0 };
  if (f === "--config" && k + 1 < flags.length) return { file: flags[k + 1]!, kind: "clang config file", skip: 1 };
  m = /^--?specs[= ](.+)$/.exec(f);
  if (m) return { file: m[1]!, kind: "gcc specs file", skip: 0 };
  if ((f === "-specs" || f === "--specs") && k + 1 < flags.length) return { file: flags[k + 1]!, kind: "gcc specs file", skip: 1 };
  return undefined;
}

/** Whitespace-separated words of a response/config file, quotes removed (GNU quoting, approximately). */
function words(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/**
 * Reads every file the flags name (and the files those files name, up to depth 8), in the
 * order found, for the key. A relative name is tried against the working directory and, for a
 * nested one, the naming file's directory (clang resolves config files there). A missing file
 * is keyed as missing (gcc then passes `@name` through literally). A FIFO, device or directory
 * is refused: reading one would block, and it could not give a stable key anyway.
 */
export function flagFilesOf(flags: readonly string[], cwd: string, source: string): Array<{ path: string; text?: Buffer }> {
  const out: Array<{ path: string; text?: Buffer }> = [];
  let count = 0;
  const visit = (list: readonly string[], bases: string[], depth: number): void => {
    for (let k = 0; k < list.length; k++) {
      const ref = fileOf(list, k);
      if (!ref) continue;
      k += ref.skip;
      const candidates = isAbsolute(ref.file) ? [ref.file] : [...new Set(bases.map((b) => resolve(b, ref.file)))];
      for (const path of candidates) {
        if (++count > MAX_FILES) throw refuse(source, `more than ${MAX_FILES} response/config files are named by the flags`);
        let text: Buffer | undefined;
        try {
          text = readRegularFileSync(path);
        } catch (e) {
          if (e instanceof NotRegularFileError) throw refuse(source, `${ref.kind} ${e.message}`);
          out.push({ path });
          continue;
        }
        out.push({ path, text });
        if (depth < MAX_DEPTH) visit(words(text.toString("utf8")), [cwd, dirname(path)], depth + 1);
      }
    }
  };
  visit(flags, [cwd], 0);
  return out;
}

function refuse(source: string, why: string): CompileError {
  return new CompileError([{ severity: "error", message: why, location: { file: source, line: 1, column: 1 } }], [], "");
}
