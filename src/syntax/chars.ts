// Character classes and quoting helpers shared by the lexer, parser and printer.

import type { Pos } from "./ast.ts";
import { keywordKind } from "./token.ts";

const LETTER = /^\p{L}$/u;
const DECIMAL = /^\p{Nd}$/u;
// Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** A code point that may start an identifier: a Unicode letter or `_`. */
export function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) || cp === 95;
  return LETTER.test(String.fromCodePoint(cp));
}

/** A code point that may continue an identifier after its first letter. */
export function isIdentPart(cp: number): boolean {
  if (cp < 0x80) return isLetter(cp) || (cp >= 48 && cp <= 57);
  return LETTER.test(String.fromCodePoint(cp)) || DECIMAL.test(String.fromCodePoint(cp));
}

/** An ASCII decimal digit (numbers only use these). */
export function isDecimal(cp: number): boolean {
  return cp >= 48 && cp <= 57;
}

/** Whether `s` scans as exactly one identifier (keywords `true`/`false`/`null` do not count). */
export function isValidIdentifier(s: string): boolean {
  let first = true;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (first ? !isLetter(cp) : !isIdentPart(cp)) return false;
    first = false;
  }
  return !first && keywordKind(s) === "IDENT";
}

/** Go's `%#U`: `U+0040 '@'`, or just `U+0007` for characters that do not print. */
export function formatCodePoint(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  const ch = String.fromCodePoint(cp);
  return PRINTABLE.test(ch) ? `${hex} '${ch}'` : hex;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
  "\\": "\\\\", '"': '\\"',
};

/** Quotes `s` as a double-quoted Alloy string, escaping what would not print (like Go's %q). */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd"; // lone surrogate: not representable
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

/** The position just past the last character of `source`. */
export function endPosition(source: string): Pos {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset: source.length, line, col: 1 + countCodePoints(source, lineStart, source.length) };
}

/** Number of code points in `s.slice(from, to)` (a surrogate pair counts once). */
export function countCodePoints(s: string, from = 0, to = s.length): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === from) n++;
    else {
      const prev = s.charCodeAt(i - 1);
      if (prev < 0xd800 || prev > 0xdbff) n++;
    }
  }
  return n;
}
