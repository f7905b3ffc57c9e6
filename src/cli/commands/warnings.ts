import { formatDiagnostic, type Diagnostic } from "../../index.js";
import type { Streams } from "../output.js";

export function printWarnings(diags: Diagnostic[], s: Streams): void {
  for (const d of diags) {
    s.err.write(`${formatDiagnostic(d)}\n`);
    if (d.detail) s.err.write(d.detail.replace(/\n?$/, "\n"));
  }
}
