// Compiler output → structured diagnostics. One parser understands the three output shapes
// we drive: gcc/clang (`file:line:col: error: text`), MSVC/clang-cl/nvcc-EDG
// (`file(line[,col]): error C1234: text`), and tool-level lines (`cc1plus: error: text`).
import type { Diagnostic } from "../types.js";

type Severity = Diagnostic["severity"];

const GCC = /^(.+?):(\d+):(?:(\d+):)?\s+(fatal error|error|warning|note|remark):\s?(.*)$/;
const MSVC = /^(.+?)\((\d+)(?:,(\d+))?\)\s*:\s*(fatal error|error|warning|note|remark)(?:\s+([A-Z]+\d+))?\s*:\s?(.*)$/;
const TOOL = /^([^\s:()]+(?:\.exe)?):\s+(fatal error|error|warning|note)(?:\s+([A-Z]+\d+))?:\s?(.*)$/;
// clang's driver and backend print some errors with no program name or location at all:
// "error: unable to open output file ...", "fatal error: error in backend: IO failure ...".
const BARE = /^(fatal error|error|warning):\s?(.*)$/;
// gcc/clang context lines that belong to the *next* diagnostic.
const CONTEXT = /^(In file included from |\s+from |In function |In member function |In instantiation of |.*: In (function|member function|instantiation|static member function|lambda function|constructor|destructor) |.*: At global scope:|.*: In .*:$)/;

function severityOf(word: string): Severity {
  if (word === "fatal error" || word === "error") return "error";
  if (word === "warning") return "warning";
  return "note";
}

/** Parses everything a compiler printed (stdout and stderr interleaved) into diagnostics. */
export function parseDiagnostics(output: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  let pending: string[] = [];
  let last: Diagnostic | undefined;
  const push = (d: Diagnostic): void => {
    if (pending.length) d.detail = pending.join("\n");
    pending = [];
    out.push(d);
    last = d;
  };
  for (const raw of output.split(/\r?\n/)) {
    // eslint-disable-next-line no-control-regex -- strips ANSI colour codes (ESC [ ... m) a compiler may emit
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "");
    let m: RegExpExecArray | null;
    if ((m = MSVC.exec(line))) {
      const [, file, ln, col, sev, code, msg] = m;
      push({
        severity: severityOf(sev!),
        message: code ? `${code}: ${msg}` : msg!,
        location: { file: file!.trim(), line: Number(ln), column: col ? Number(col) : 1 },
      });
    } else if ((m = GCC.exec(line)) && !/^\s/.test(line)) {
      const [, file, ln, col, sev, msg] = m;
      push({ severity: severityOf(sev!), message: msg!, location: { file: file!, line: Number(ln), column: col ? Number(col) : 1 } });
    } else if ((m = TOOL.exec(line))) {
      const [, , sev, code, msg] = m;
      push({ severity: severityOf(sev!), message: code ? `${code}: ${msg}` : msg! });
    } else if ((m = BARE.exec(line))) {
      push({ severity: severityOf(m[1]!), message: m[2]! });
    } else if (CONTEXT.test(line)) {
      pending.push(line);
    } else if (line.trim() === "" || /^\d+ (errors?|warnings?)( and \d+ (errors?|warnings?))? generated\.$/.test(line)) {
      // separators and summaries
    } else if (last) {
      last.detail = last.detail ? `${last.detail}\n${line}` : line;
    }
  }
  return out;
}

/** Maps every diagnostic location through `map` (used to translate generated files to user sources). */
export function mapDiagnostics(diags: Diagnostic[], map: (file: string, line: number) => { file: string; line: number } | undefined): Diagnostic[] {
  return diags.map((d) => {
    if (!d.location) return d;
    const to = map(d.location.file, d.location.line);
    return to ? { ...d, location: { ...d.location, file: to.file, line: to.line } } : d;
  });
}
