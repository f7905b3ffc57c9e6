import type { Diagnostic } from "../../index.js";
import { printDiagnostic, type Streams } from "../output.js";

export function printWarnings(diags: Diagnostic[], s: Streams): void {
  for (const d of diags) printDiagnostic(d, s);
}
