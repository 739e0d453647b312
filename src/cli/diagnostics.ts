// Printing diagnostics the same way for validate, run and reload.

import { type Diagnostic, formatLong, sortDiagnostics } from "../syntax/diag.ts";
import type { Source } from "../runtime/controller.ts";

/** All diagnostics in Alloy's long form, sorted by file and position, separated by blank lines. */
export function renderDiagnostics(diags: Diagnostic[], sources: Source[]): string {
  const texts = new Map(sources.map((s) => [s.name, s.text]));
  return sortDiagnostics(diags).map((d) => formatLong(d, texts)).join("\n\n") + "\n";
}
