// Dependency discovery: Make-syntax depfiles (gcc/clang `-MMD -MF`, nvcc) and MSVC `/showIncludes`.
import { isAbsolute, resolve } from "node:path";

/**
 * Parses a Make-syntax depfile and returns the prerequisites of the first rule
 * (the source itself included; the caller removes it). Handles `\`-newline continuations,
 * `\ ` escaped spaces, `$$`, and Windows drive letters in the target.
 */
export function parseMakeDepfile(text: string, cwd = process.cwd()): string[] {
  const joined = text.replace(/\\\r?\n/g, " ");
  // Separator: the first ':' followed by whitespace/end that is not a drive letter colon.
  let sep = -1;
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] !== ":") continue;
    const next = joined[i + 1];
    const isDrive = i >= 1 && /[A-Za-z]/.test(joined[i - 1]!) && (i === 1 || /\s/.test(joined[i - 2]!)) && (next === "\\" || next === "/");
    if (!isDrive && (next === undefined || /\s/.test(next))) {
      sep = i;
      break;
    }
  }
  if (sep < 0) return [];
  const rest = joined.slice(sep + 1).split(/\r?\n/)[0] ?? "";
  const deps: string[] = [];
  let cur = "";
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === "\\" && (rest[i + 1] === " " || rest[i + 1] === "#" || rest[i + 1] === "\\" && rest[i + 2] === " ")) {
      cur += rest[i + 1] === "\\" ? "\\" : rest[i + 1];
      i++;
    } else if (c === "$" && rest[i + 1] === "$") {
      cur += "$";
      i++;
    } else if (/\s/.test(c)) {
      if (cur) deps.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  if (cur) deps.push(cur);
  return deps.map((d) => (isAbsolute(d) || /^[A-Za-z]:[\\/]/.test(d) ? d : resolve(cwd, d)));
}

const SHOW_INCLUDES = /^Note: including file:\s*(.*)$/;

/** Splits MSVC/clang-cl `/showIncludes` output into included headers and the remaining output. */
export function parseShowIncludes(output: string): { deps: string[]; rest: string } {
  const deps: string[] = [];
  const rest: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = SHOW_INCLUDES.exec(line);
    if (m) deps.push(m[1]!.trim());
    else rest.push(line);
  }
  return { deps: [...new Set(deps)], rest: rest.join("\n") };
}
