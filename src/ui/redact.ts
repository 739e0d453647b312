// The loaded configuration, as the UI shows it: every expression assigned to a secret-typed
// argument is replaced by `(secret)`, and any decoded secret value that still appears literally
// in the text (e.g. passed through a local) is masked too. The UI never shows a secret.

import type { Entry } from "../runtime/controller.ts";
import { CONFIG_BLOCKS } from "../runtime/config_blocks.ts";
import type { Schema, Type } from "../runtime/schema.ts";
import { Secret } from "../runtime/value.ts";
import type { Stmt } from "../syntax/ast.ts";
import { blockName } from "../syntax/ast.ts";
import { parseFile } from "../syntax/parser.ts";

const MASK = "(secret)";

/** Source texts with secrets masked, by file name. */
export function redactSources(sources: Map<string, string>, entries: Entry[]): { name: string; text: string }[] {
  const cuts = new Map<string, [number, number][]>();
  const values = new Set<string>();
  for (const e of entries) {
    const schema = e.def?.args ?? CONFIG_BLOCKS[e.node.name];
    if (schema) secretSpans(e.node.block.body, schema, (a, b) => push(cuts, e.node.file, [a, b]));
    collectSecrets(e.args, values);
  }
  return [...sources].map(([name, text]) => ({ name, text: maskValues(cut(text, cuts.get(name) ?? []), values) }));
}

/** Calls `found(start, end)` for the offsets of every expression assigned to a secret-typed argument. */
export function secretSpans(body: Stmt[], schema: Schema, found: (start: number, end: number) => void): void {
  for (const s of body) {
    if (s.kind === "attribute") {
      const spec = schema.attrs?.[s.name.name];
      if (spec && holdsSecret(spec.type)) found(s.value.start.offset, s.value.end.offset);
    } else {
      const spec = schema.blocks?.[s.name.join(".")];
      if (spec) secretSpans(s.body, spec.schema, found);
    }
  }
}

function holdsSecret(t: Type): boolean {
  if (t.kind === "secret") return true;
  if (t.kind === "list" || t.kind === "map" || t.kind === "located") return holdsSecret(t.of);
  return false;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k) ?? [];
  list.push(v);
  m.set(k, list);
}

/** Replaces the ranges (which never overlap: one per attribute) with the mask. */
function cut(text: string, ranges: [number, number][]): string {
  let out = text;
  for (const [a, b] of [...ranges].sort((x, y) => y[0] - x[0])) out = out.slice(0, a) + MASK + out.slice(b);
  return out;
}

function collectSecrets(v: unknown, out: Set<string>, depth = 0): void {
  if (typeof v !== "object" || v === null || depth > 10) return;
  if (v instanceof Secret) {
    // Very short values would mask unrelated text; those are caught by the span pass.
    if (v.value.length >= 4) out.add(v.value);
    return;
  }
  if (Array.isArray(v)) return v.forEach((x) => collectSecrets(x, out, depth + 1));
  if (Object.getPrototypeOf(v) !== Object.prototype) return;
  for (const x of Object.values(v)) collectSecrets(x, out, depth + 1);
}

function maskValues(text: string, values: Set<string>): string {
  let out = text;
  for (const v of [...values].sort((a, b) => b.length - a.length)) out = out.split(v).join(MASK);
  return out;
}

/**
 * A source text for display in diagnostics snippets: the value of every secret-typed argument
 * (found from the syntax alone, so it works for files that fail to load) becomes `(secret)`.
 * Line breaks inside a masked value are kept, so line numbers in diagnostics still match.
 */
export function maskSecretsInText(name: string, text: string, schemaOf: (blockName: string) => Schema | undefined): string {
  const { file } = parseFile(name, text);
  const spans: [number, number][] = [];
  const visit = (body: Stmt[], top: boolean): void => {
    for (const stmt of body) {
      if (stmt.kind !== "block") continue;
      const n = blockName(stmt);
      // Components declared inside a module definition or a foreach template are blocks too.
      if (n === "declare" || n === "foreach" || n === "template") visit(stmt.body, false);
      const schema = schemaOf(n) ?? (top ? CONFIG_BLOCKS[n] : undefined);
      if (schema) secretSpans(stmt.body, schema, (a, b) => spans.push([a, b]));
    }
  };
  visit(file.body, true);
  let out = text;
  for (const [a, b] of spans.sort((x, y) => y[0] - x[0])) out = out.slice(0, a) + MASK + out.slice(a, b).replace(/[^\n]/g, "") + out.slice(b);
  return out;
}
