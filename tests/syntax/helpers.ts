// Helpers for the syntax tests: compact views of diagnostics and ASTs.

import type { Expr, Stmt } from "../../src/syntax/ast.ts";
import type { Diagnostic } from "../../src/syntax/diag.ts";
import { parseExpression, parseFile } from "../../src/syntax/parser.ts";

/** `line:col: message` for each diagnostic. */
export function describe(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.start.line}:${d.start.col}: ${d.message}`);
}

/** Diagnostics of parsing `src` as a file, as `line:col: message`. */
export function errorsOf(src: string): string[] {
  return describe(parseFile("test.alloy", src).diagnostics);
}

const POSITION_KEYS = new Set(["start", "end", "namePos", "labelPos", "lcurly", "rcurly"]);

/** A deep copy of an AST without positions, for comparing trees parsed from different text. */
export function withoutPositions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutPositions);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (!POSITION_KEYS.has(k)) out[k] = withoutPositions(v);
  }
  return out;
}

/** Lisp-like rendering of an expression that makes precedence and associativity visible. */
export function sexpr(e: Expr): string {
  switch (e.kind) {
    case "literal":
      return e.raw;
    case "identifier":
      return e.name;
    case "access":
      return `(. ${sexpr(e.value)} ${e.name.name})`;
    case "index":
      return `([] ${sexpr(e.value)} ${sexpr(e.index)})`;
    case "call":
      return `(call ${[e.value, ...e.args].map(sexpr).join(" ")})`;
    case "unary":
      return `(${e.op} ${sexpr(e.value)})`;
    case "binary":
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case "paren":
      return `(paren ${sexpr(e.inner)})`;
    case "array":
      return `[${e.elements.map(sexpr).join(" ")}]`;
    case "object":
      return `{${e.fields.map((f) => `${f.quoted ? JSON.stringify(f.name) : f.name}=${sexpr(f.value)}`).join(" ")}}`;
  }
}

/** Parses an expression that must be valid and renders it with `sexpr`. */
export function exprOf(src: string): string {
  const { expr, diagnostics } = parseExpression(src);
  if (expr === undefined) throw new Error(`unexpected errors: ${describe(diagnostics).join("; ")}`);
  return sexpr(expr);
}

/** The statements of a file that must parse without errors. */
export function bodyOf(src: string): Stmt[] {
  const { file, diagnostics } = parseFile("test.alloy", src);
  if (diagnostics.length > 0) throw new Error(`unexpected errors: ${describe(diagnostics).join("; ")}`);
  return file.body;
}
