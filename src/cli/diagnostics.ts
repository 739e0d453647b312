// Printing diagnostics the same way for validate, run and reload.

import { type Diagnostic, formatLong, sortDiagnostics } from "../syntax/diag.ts";
import type { Source } from "../runtime/controller.ts";
import { builtinRegistry } from "../components/all.ts";
import { maskSecretsInText } from "../ui/redact.ts";

/**
 * All diagnostics in Alloy's long form, sorted by file and position, separated by blank lines.
 * The source snippets never show the value of a secret-typed argument.
 */
export function renderDiagnostics(diags: Diagnostic[], sources: Source[]): string {
  const registry = builtinRegistry();
  const schemaOf = (name: string) => registry.get(name)?.args;
  const texts = new Map(sources.map((s) => [s.name, maskSecretsInText(s.name, s.text, schemaOf)]));
  return sortDiagnostics(diags).map((d) => formatLong(d, texts)).join("\n\n") + "\n";
}
