// Public, hand-written contract shared by every layer: positions and diagnostics.

/** A position in a user's file (1-based line and column). */
export interface Location {
  file: string;
  line: number;
  column: number;
}

/** One message from a compiler, a manifest validator or the linker. */
export interface Diagnostic {
  severity: "error" | "warning" | "note";
  message: string;
  /** Where it points, when known. */
  location?: Location;
  /** Extra lines the tool printed with it (source excerpt, caret line, notes). */
  detail?: string;
}

/** Formats a diagnostic the way compilers do: `file:line:col: error: text`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : "";
  return `${where}${d.severity}: ${d.message}`;
}
