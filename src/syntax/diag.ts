// Positioned diagnostics: every configuration problem is reported as `file:line:col: message`,
// and a whole list of them is reported at once (style: Alloy's syntax/diag).

import type { Pos, Span } from "./ast.ts";

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** File name as given by the user; "" when the source has no file. */
  file: string;
  start: Pos;
  end: Pos;
  message: string;
  /** Extra lines printed after the snippet (e.g. "did you mean …"). */
  hint?: string;
}

/** An error that carries one or more diagnostics. */
export class DiagnosticsError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatShort).join("\n"));
    this.name = "DiagnosticsError";
    this.diagnostics = diagnostics;
  }
}

/** Builds an error diagnostic covering `span` in `file`. */
export function diag(file: string, span: Span, message: string, severity: Severity = "error"): Diagnostic {
  return { severity, file, start: span.start, end: span.end, message };
}

/** `file:line:col: message` (one line, no source snippet). */
export function formatShort(d: Diagnostic): string {
  const where = d.file === "" ? `${d.start.line}:${d.start.col}` : `${d.file}:${d.start.line}:${d.start.col}`;
  return `${where}: ${d.message}`;
}

/** Diagnostics sorted by file, then position; stable for equal positions. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) =>
    a.file === b.file ? a.start.offset - b.start.offset : a.file < b.file ? -1 : 1,
  );
}

/**
 * Alloy's long form: a header line, then the offending line with its neighbours and carets
 * under the range. `sources` maps file names to their text.
 */
export function formatLong(d: Diagnostic, sources: Map<string, string>): string {
  const label = d.severity === "error" ? "Error" : "Warning";
  const header = `${label}: ${formatShort(d)}`;
  const text = sources.get(d.file);
  if (text === undefined) return d.hint ? `${header}\n${d.hint}` : header;
  const lines = text.split("\n");
  const first = d.start.line;
  const last = Math.max(first, d.end.line);
  const from = Math.max(1, first - 1);
  const to = Math.min(lines.length, last + 1);
  const width = String(to).length;
  const out: string[] = [header, ""];
  for (let n = from; n <= to; n++) {
    const line = (lines[n - 1] ?? "").replace(/\r$/, "");
    out.push(`${String(n).padEnd(width)} | ${line}`);
    if (n === first && first === last) {
      const startCol = d.start.col;
      const endCol = Math.max(d.end.col, startCol + 1);
      out.push(`${" ".repeat(width)} | ${" ".repeat(startCol - 1)}${"^".repeat(endCol - startCol)}`);
    } else if (n === first) {
      out.push(`${" ".repeat(width)} |  ${"_".repeat(Math.max(0, d.start.col - 1))}^`);
    } else if (n === last && last > first) {
      out.push(`${" ".repeat(width)} | |${"_".repeat(Math.max(0, d.end.col - 2))}^`);
    }
  }
  if (d.hint) out.push("", d.hint);
  return out.join("\n");
}
