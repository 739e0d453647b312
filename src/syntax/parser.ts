// Entry points of the parser: whole files, single expressions, and decoding file bytes.
// Parsing never throws: every problem becomes a positioned diagnostic (spec §6).

import type { Expr, File, Pos } from "./ast.ts";
import type { Diagnostic } from "./diag.ts";
import { endPosition } from "./chars.ts";
import { parseBody } from "./parse_body.ts";
import { parseExpr } from "./parse_expr.ts";
import { ParseState } from "./parse_state.ts";

export { MAX_DEPTH, MAX_ERRORS } from "./parse_state.ts";

/** Parses a whole file; the AST is only meaningful when `diagnostics` is empty. */
export function parseFile(name: string, source: string): { file: File; diagnostics: Diagnostic[] } {
  const p = new ParseState(name, source);
  const body = parseBody(p, "EOF");
  const file: File = {
    kind: "file", name, body, comments: p.comments,
    start: { offset: 0, line: 1, col: 1 }, end: endPosition(source),
  };
  return { file, diagnostics: p.diagnostics };
}

/** Parses one expression (e.g. `a.b + 1`); `expr` is present only when there were no errors. */
export function parseExpression(source: string): { expr?: Expr; diagnostics: Diagnostic[] } {
  const p = new ParseState("", source);
  const expr = parseExpr(p);
  if (p.tok.kind !== "TERMINATOR" && p.tok.kind !== "EOF") p.error(`expected TERMINATOR, got ${p.tok.kind}`);
  else if (p.tok.kind === "TERMINATOR") {
    p.next();
    if (p.kind() !== "EOF") p.error(`expected EOF, got ${p.kind()}`);
  }
  return p.diagnostics.length === 0 ? { expr, diagnostics: [] } : { diagnostics: p.diagnostics };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes file bytes as UTF-8 (dropping a leading byte order mark); non-UTF-8 input gives an
 * `invalid UTF-8 in file` diagnostic at the first bad byte instead of text.
 */
export function decodeSource(name: string, bytes: Uint8Array): { text?: string; diagnostics: Diagnostic[] } {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: strictUtf8.decode(body), diagnostics: [] };
  } catch {
    const start = findInvalidUtf8(body);
    const end = { offset: start.offset + 1, line: start.line, col: start.col + 1 };
    return { diagnostics: [{ severity: "error", file: name, start, end, message: "invalid UTF-8 in file" }] };
  }
}

/** Position (in terms of the text decoded so far) of the first byte that is not valid UTF-8. */
export function findInvalidUtf8(bytes: Uint8Array): Pos {
  let line = 1, col = 1, offset = 0;
  for (let i = 0; i < bytes.length;) {
    const size = sequenceLength(bytes, i);
    if (size === 0) return { offset, line, col };
    if (bytes[i] === 0x0a) {
      line++;
      col = 1;
    } else col++;
    offset += size === 4 ? 2 : 1; // four-byte sequences are surrogate pairs in UTF-16
    i += size;
  }
  return endPosition(new TextDecoder().decode(bytes)); // only if the decoder and this scan disagree
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when it is malformed. */
function sequenceLength(b: Uint8Array, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return 1;
  let size: number, min = 0x80, max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) size = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    size = 3;
    if (lead === 0xe0) min = 0xa0; // overlong
    if (lead === 0xed) max = 0x9f; // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    size = 4;
    if (lead === 0xf0) min = 0x90; // overlong
    if (lead === 0xf4) max = 0x8f; // beyond U+10FFFF
  } else return 0;
  for (let k = 1; k < size; k++) {
    const c = b[i + k];
    if (c === undefined) return 0;
    if (k === 1 ? c < min || c > max : (c & 0xc0) !== 0x80) return 0;
  }
  return size;
}
