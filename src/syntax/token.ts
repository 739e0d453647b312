// Token kinds of the Alloy configuration language (spec §2). A kind is spelled the way Alloy
// prints it in diagnostics: named kinds in capitals (IDENT, TERMINATOR, ...) and operators and
// punctuation as their own text, so `expected ${kind}, got ${kind}` reads like Alloy's messages.

import type { Pos } from "./ast.ts";

export type OperatorKind =
  | "||" | "&&" | "!"
  | "="
  | "==" | "!=" | "<" | "<=" | ">" | ">="
  | "+" | "-" | "*" | "/" | "%" | "^"
  | "{" | "}" | "(" | ")" | "[" | "]" | "," | ".";

export type TokenKind =
  | "ILLEGAL"
  | "EOF"
  | "COMMENT"
  | "IDENT"
  | "NUMBER"
  | "FLOAT"
  | "STRING"
  | "BOOL"
  | "NULL"
  | "TERMINATOR"
  | OperatorKind;

export interface Token {
  kind: TokenKind;
  start: Pos;
  end: Pos;
  /** Source text of the token (for TERMINATOR: "\n", for EOF: ""). */
  text: string;
  /** Decoded value of a STRING token (escapes applied). */
  value?: string;
}

/** Kinds whose source text Alloy keeps as the token's literal (used in recovery paths). */
const LITERAL_KINDS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  "IDENT", "NUMBER", "FLOAT", "STRING", "BOOL", "NULL", "ILLEGAL", "COMMENT",
]);

/** Whether the token carries literal text (identifiers, numbers, strings, keywords). */
export function hasLiteral(kind: TokenKind): boolean {
  return LITERAL_KINDS.has(kind);
}

/** Binary operator precedence (spec §3); 0 for tokens that are not binary operators. */
export function binaryPrecedence(kind: TokenKind): number {
  switch (kind) {
    case "||":
      return 1;
    case "&&":
      return 2;
    case "==": case "!=": case "<": case "<=": case ">": case ">=":
      return 3;
    case "+": case "-":
      return 4;
    case "*": case "/": case "%":
      return 5;
    case "^":
      return 6;
    default:
      return 0;
  }
}

/** Classifies a scanned identifier: `true`/`false` are BOOL, `null` is NULL. */
export function keywordKind(word: string): "IDENT" | "BOOL" | "NULL" {
  if (word === "true" || word === "false") return "BOOL";
  if (word === "null") return "NULL";
  return "IDENT";
}
