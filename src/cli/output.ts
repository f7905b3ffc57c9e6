// Shared CLI output: exit codes, error reporting, the build progress display, JSON output.
import { isAbsolute, relative } from "node:path";
import { inspect } from "node:util";
import { InterruptedError } from "./interrupt.js";
import {
  CompileError,
  FFIError,
  formatDiagnostic,
  ManifestError,
  OrcJitError,
  type Diagnostic,
  type ProjectBuildProgress,
  type ProjectBuildResult,
} from "../index.js";

export const EXIT_OK = 0;
/** A manifest, compile, link or call error: the user's input is wrong. */
export const EXIT_USER = 1;
/** Bad command line. */
export const EXIT_USAGE = 2;
/** A bug or an unexpected failure in orcjit itself (EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** A command-line mistake the parser cannot catch (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface Streams {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

export const processStreams: Streams = { out: process.stdout, err: process.stderr, env: process.env };

/** True when the stream is an interactive terminal and we are not under CI. */
export function isInteractive(stream: Streams["err"], env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "0" && env.CI.toLowerCase() !== "false";
  return stream.isTTY === true && !ci && env.TERM !== "dumb";
}

function color(env: NodeJS.ProcessEnv, stream: Streams["err"]): (code: string, text: string) => string {
  const on = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb";
  return (code, text) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
}

/** A diagnostic whose file is shown relative to the working directory when it is below it. */
export function relativeToCwd(d: Diagnostic): Diagnostic {
  if (!d.location || !isAbsolute(d.location.file)) return d;
  const rel = relative(process.cwd(), d.location.file);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) return d;
  return { ...d, location: { ...d.location, file: rel } };
}

export function printDiagnostic(diagnostic: Diagnostic, s: Streams): void {
  const d = relativeToCwd(diagnostic);
  const c = color(s.env, s.err);
  const line = formatDiagnostic(d).replace(/(error|warning|note):/, (m) =>
    c(d.severity === "error" ? "1;31" : d.severity === "warning" ? "1;35" : "1;36", m),
  );
  s.err.write(`${line}\n`);
  if (d.detail) s.err.write(`${d.detail.replace(/\n?$/, "\n")}`);
}

/** The JSON shape of an error, for --json. */
export function errorJson(e: unknown): Record<string, unknown> {
  if (e instanceof OrcJitError) {
    const out: Record<string, unknown> = { code: e.code, name: e.name, message: e.message };
    if (e instanceof ManifestError || e instanceof CompileError) out.diagnostics = e.diagnostics;
    if (e instanceof CompileError) out.command = e.command;
    if (e instanceof FFIError) out.kind = e.kind;
    return out;
  }
  if (e instanceof UsageError) return { code: "ORCJIT_USAGE", name: e.name, message: e.message };
  if (e instanceof InterruptedError) return { code: "ORCJIT_INTERRUPTED", name: e.name, message: e.message };
  return { code: "ORCJIT_INTERNAL", name: e instanceof Error ? e.name : "Error", message: String(e instanceof Error ? e.message : e) };
}

/** Prints an error the way a user needs it and returns the exit code it maps to. */
export function reportError(e: unknown, s: Streams, json: boolean): number {
  const code = e instanceof UsageError ? EXIT_USAGE : e instanceof InterruptedError ? e.exitCode : e instanceof OrcJitError ? EXIT_USER : EXIT_INTERNAL;
  if (json) {
    s.out.write(`${JSON.stringify({ ok: false, error: errorJson(e) }, jsonReplacer, 2)}\n`);
    return code;
  }
  if (e instanceof ManifestError || (e instanceof CompileError && e.diagnostics.length > 0)) {
    for (const d of e.diagnostics) printDiagnostic(d, s);
    const n = e.diagnostics.filter((d) => d.severity === "error").length;
    const what = e instanceof ManifestError ? "manifest" : "compilation";
    s.err.write(`orcjit: ${what} failed with ${n} error${n === 1 ? "" : "s"}\n`);
  } else if (e instanceof CompileError) {
    s.err.write(`orcjit: ${e.message}\n${e.log}\n`);
  } else if (e instanceof UsageError || e instanceof InterruptedError) {
    s.err.write(`orcjit: ${e.message}\n`);
  } else if (e instanceof OrcJitError) {
    s.err.write(`orcjit: ${e.name}: ${e.message}\n`);
  } else {
    const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    s.err.write(`orcjit: internal error (please report it): ${text}\n`);
  }
  return code;
}

/** JSON.stringify replacer: bigint → decimal string, typed arrays → arrays. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** How `orcjit run` prints a returned value (not JSON mode). */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return inspect(value, { depth: 4, colors: false });
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

export function buildSummary(r: ProjectBuildResult): string {
  const libs = r.libraries.length;
  return `built ${libs} librar${libs === 1 ? "y" : "ies"} (${r.total} file${r.total === 1 ? "" : "s"}: ${r.compiled} compiled, ${r.cached} cached) in ${formatMs(r.durationMs)}`;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Build progress. On an interactive terminal: a live block (files being compiled, counts,
 * cache hits, elapsed time) redrawn in place, with one permanent line per finished file.
 * Otherwise (pipe, CI=1): one plain line per finished file. `transient` clears the block and
 * prints nothing permanent (used by `run`), and plain mode then prints nothing at all.
 */
export class ProgressDisplay {
  private readonly tty: boolean;
  private readonly running = new Map<number, ProjectBuildProgress>();
  private done = 0;
  private cached = 0;
  private compiled = 0;
  private failed = 0;
  private total = 0;
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();
  private readonly c: (code: string, text: string) => string;

  constructor(
    private readonly s: Streams,
    private readonly transient = false,
  ) {
    // A terminal that reports no width (0 columns: some CI pseudo-terminals, editor shells)
    // cannot be redrawn in place (lines would wrap unpredictably, or be clipped to nothing):
    // plain lines there.
    const columns = s.err.columns;
    this.tty = isInteractive(s.err, s.env) && typeof columns === "number" && columns > 0;
    this.c = color(s.env, s.err);
  }

  readonly onProgress = (e: ProjectBuildProgress): void => {
    this.total = e.total;
    const label = `${e.library}: ${e.relativePath}`;
    if (e.kind === "start") {
      this.running.set(e.index, e);
      if (this.tty) {
        this.timer ??= setInterval(() => this.redraw(), 100).unref();
        this.redraw();
      }
      return;
    }
    this.running.delete(e.index);
    this.done++;
    if (e.kind === "cached") this.cached++;
    else if (e.kind === "compiled") this.compiled++;
    else this.failed++;
    const took = e.durationMs !== undefined ? ` (${formatMs(e.durationMs)})` : "";
    const status =
      e.kind === "cached" ? this.c("2", "cached  ") : e.kind === "compiled" ? this.c("32", "compiled") : this.c("31", "FAILED  ");
    const line = `[${this.done}/${e.total}] ${status} ${label}${took}`;
    if (this.tty) this.redraw(this.transient ? undefined : line);
    else if (!this.transient) this.s.err.write(`${line}\n`);
  };

  private redraw(permanent?: string): void {
    const width = Math.max(20, (this.s.err.columns ?? 80) - 1);
    const clip = (t: string): string => (t.length > width ? `${t.slice(0, width - 1)}…` : t);
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A\r\x1b[0J` : "";
    if (permanent) out += `${permanent}\n`;
    const lines: string[] = [];
    this.frame = (this.frame + 1) % SPINNER.length;
    const elapsed = formatMs(performance.now() - this.started);
    const shown = [...this.running.values()].slice(0, 6);
    for (const r of shown) lines.push(clip(`  ${this.c("36", SPINNER[this.frame]!)} ${r.library}: ${r.relativePath}`));
    if (this.running.size > shown.length) lines.push(`  … and ${this.running.size - shown.length} more`);
    lines.push(
      clip(
        `${this.c("1", `[${this.done}/${this.total}]`)} ${this.compiled} compiled, ${this.cached} cached${this.failed ? `, ${this.failed} failed` : ""} · ${elapsed}`,
      ),
    );
    out += `${lines.join("\n")}\n`;
    this.drawn = lines.length;
    this.s.err.write(out);
  }

  /** Removes the live block (call once, when the build ends either way). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.drawn > 0) this.s.err.write(`\x1b[${this.drawn}A\r\x1b[0J`);
    this.drawn = 0;
  }
}
