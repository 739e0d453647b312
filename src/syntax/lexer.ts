// The scanner (spec §2): turns source text into tokens, inserting Go-style TERMINATOR tokens at
// line ends, decoding string escapes and keeping comments as tokens for the printer.

import type { Pos } from "./ast.ts";
import type { Diagnostic } from "./diag.ts";
import { formatCodePoint, isDecimal, isIdentPart, isLetter } from "./chars.ts";
import type { Token, TokenKind } from "./token.ts";
import { keywordKind } from "./token.ts";

/** Receives every lexical error; `start`/`end` bound the offending text. */
export type LexErrorHandler = (start: Pos, end: Pos, message: string) => void;

const EOF = -1;
const lossyUtf8 = new TextDecoder("utf-8");

/** Accumulates a string value where `\NNN`/`\xNN` escapes contribute raw UTF-8 bytes. */
class StringValue {
  private text = "";
  private bytes: number[] = [];

  addText(s: string): void {
    if (s === "") return; // keeps pending bytes together across adjacent escapes
    if (this.bytes.length > 0) this.flushBytes();
    this.text += s;
  }

  addByte(b: number): void {
    this.bytes.push(b);
  }

  finish(): string {
    if (this.bytes.length > 0) this.flushBytes();
    return this.text;
  }

  // Invalid byte sequences become U+FFFD: JS strings cannot hold raw bytes the way Go's can.
  private flushBytes(): void {
    this.text += lossyUtf8.decode(new Uint8Array(this.bytes));
    this.bytes = [];
  }
}

const SIMPLE_ESCAPES: Record<number, string> = {
  97: "\x07", 98: "\b", 102: "\f", 110: "\n", 114: "\r", 116: "\t", 118: "\v", 92: "\\", 34: '"',
};

/** Scans one source text; call `next()` until it returns an EOF token. */
export class Lexer {
  private readonly src: string;
  private readonly onError: LexErrorHandler;
  private i = 0;
  private line = 1;
  private col = 1;
  /** Whether the next newline (or EOF) becomes a TERMINATOR (spec §2, "Terminators"). */
  private insertTerm = false;

  constructor(src: string, onError: LexErrorHandler) {
    this.src = src;
    this.onError = onError;
    if (src.charCodeAt(0) === 0xfeff) this.i = 1; // a leading byte order mark is ignored
  }

  /** Current position. */
  pos(): Pos {
    return { offset: this.i, line: this.line, col: this.col };
  }

  /** Scans and returns the next token (comments included). */
  next(): Token {
    this.skipWhitespace();
    const start = this.pos();
    const c = this.peek();
    if (c !== EOF && isLetter(c)) return this.scanIdent(start);
    if (isDecimal(c) || (c === 46 && isDecimal(this.src.charCodeAt(this.i + 1)))) return this.scanNumber(start);
    if (c === EOF) {
      if (!this.insertTerm) return this.make("EOF", start, "");
      this.insertTerm = false;
      return this.make("TERMINATOR", start, "\n");
    }
    if (c === 47 && this.isCommentStart()) return this.scanCommentOrTerminator(start);
    this.advance();
    return this.scanOperator(c, start);
  }

  private scanOperator(c: number, start: Pos): Token {
    switch (c) {
      case 10:
        this.insertTerm = false; // only reachable when a terminator is due
        return { kind: "TERMINATOR", start, end: { offset: start.offset + 1, line: start.line, col: start.col + 1 }, text: "\n" };
      case 39:
        this.error(start, start, "illegal single-quoted string; use double quotes");
        return this.scanString("ILLEGAL", start, 39, true);
      case 34:
        return this.scanString("STRING", start, 34, true);
      case 96:
        return this.scanString("STRING", start, 96, false);
      case 124:
        return this.scanDouble(start, 124, "||");
      case 38:
        return this.scanDouble(start, 38, "&&");
      case 33:
        return this.operator(this.take(61) ? "!=" : "!", start);
      case 61:
        return this.operator(this.take(61) ? "==" : "=", start);
      case 60:
        return this.operator(this.take(61) ? "<=" : "<", start);
      case 62:
        return this.operator(this.take(61) ? ">=" : ">", start);
      case 41: case 93: case 125:
        this.insertTerm = true;
        return this.make(String.fromCharCode(c) as TokenKind, start, String.fromCharCode(c));
      case 43: case 45: case 42: case 47: case 37: case 94: case 123: case 40: case 91: case 44: case 46:
        return this.operator(String.fromCharCode(c) as TokenKind, start);
      default:
        return this.scanIllegal(c, start);
    }
  }

  private scanIllegal(c: number, start: Pos): Token {
    // NUL and stray byte order marks were already reported by advance().
    if (c !== 0 && c !== 0xfeff) this.error(start, this.pos(), `illegal character ${formatCodePoint(c)}`);
    return this.make("ILLEGAL", start, this.src.slice(start.offset, this.i)); // keeps insertTerm as is
  }

  private operator(kind: TokenKind, start: Pos): Token {
    this.insertTerm = false;
    return this.make(kind, start, kind);
  }

  private scanDouble(start: Pos, ch: number, kind: "||" | "&&"): Token {
    if (!this.take(ch)) {
      const at = this.pos();
      this.error(at, at, `missing second ${String.fromCharCode(ch)} in ${kind}`);
    }
    return this.operator(kind, start);
  }

  private scanIdent(start: Pos): Token {
    this.advance();
    for (let c = this.peek(); c !== EOF && isIdentPart(c); c = this.peek()) this.advance();
    const text = this.src.slice(start.offset, this.i);
    this.insertTerm = true;
    return this.make(keywordKind(text), start, text);
  }

  private scanNumber(start: Pos): Token {
    let kind: TokenKind = "NUMBER";
    if (this.peek() !== 46) this.digits();
    if (this.peek() === 46) {
      kind = "FLOAT";
      this.advance();
      this.digits();
    }
    const e = this.peek();
    if (e === 101 || e === 69) {
      kind = "FLOAT";
      this.advance();
      const sign = this.peek();
      if (sign === 43 || sign === 45) this.advance();
      if (this.digits() === 0) this.error(start, this.pos(), "exponent has no digits");
    }
    this.insertTerm = true;
    return this.make(kind, start, this.src.slice(start.offset, this.i));
  }

  private digits(): number {
    let n = 0;
    while (isDecimal(this.peek())) {
      this.advance();
      n++;
    }
    return n;
  }

  /** Scans a quoted string whose opening quote was consumed; `escapes` is false for raw strings. */
  private scanString(kind: TokenKind, start: Pos, quote: number, escapes: boolean): Token {
    const value = new StringValue();
    let segment = this.i;
    for (;;) {
      const c = this.peek();
      if (c === EOF || (escapes && c === 10)) {
        value.addText(this.src.slice(segment, this.i));
        this.error(start, this.pos(), "string literal not terminated");
        break;
      }
      if (c === quote) {
        value.addText(this.src.slice(segment, this.i));
        this.advance();
        break;
      }
      if (escapes && c === 92) {
        value.addText(this.src.slice(segment, this.i));
        this.advance();
        this.scanEscape(value);
        segment = this.i;
        continue;
      }
      this.advance();
    }
    this.insertTerm = true;
    const token = this.make(kind, start, this.src.slice(start.offset, this.i));
    token.value = value.finish();
    return token;
  }

  /** Decodes one escape after its backslash; on error stops before the offending character. */
  private scanEscape(value: StringValue): void {
    const at = this.pos();
    const c = this.peek();
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      this.advance();
      value.addText(simple);
      return;
    }
    let digits: number, base: number, max: number;
    if (c >= 48 && c <= 55) [digits, base, max] = [3, 8, 255];
    else if (c === 120) [digits, base, max] = [2, 16, 255];
    else if (c === 117) [digits, base, max] = [4, 16, 0x10ffff];
    else if (c === 85) [digits, base, max] = [8, 16, 0x10ffff];
    else {
      this.error(at, this.pos(), c === EOF ? "escape sequence not terminated" : "unknown escape sequence");
      return;
    }
    if (base === 16) this.advance(); // octal escapes have no letter to skip
    let x = 0;
    for (; digits > 0; digits--) {
      const d = digitValue(this.peek());
      if (d >= base) {
        const ch = this.peek();
        const msg = ch === EOF ? "escape sequence not terminated" : `illegal character ${formatCodePoint(ch)} in escape sequence`;
        this.error(at, this.pos(), msg);
        return;
      }
      x = x * base + d;
      this.advance();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) {
      this.error(at, this.pos(), "escape sequence is invalid Unicode code point");
      value.addText("\ufffd");
    } else if (max === 255) value.addByte(x);
    else value.addText(String.fromCodePoint(x));
  }

  private isCommentStart(): boolean {
    const n = this.src.charCodeAt(this.i + 1);
    return n === 47 || n === 42;
  }

  /** A comment, or the TERMINATOR that is due before it when the comment runs to the line end. */
  private scanCommentOrTerminator(start: Pos): Token {
    if (this.insertTerm && this.commentReachesLineEnd()) {
      this.insertTerm = false;
      return { kind: "TERMINATOR", start, end: start, text: "\n" };
    }
    this.advance();
    if (this.peek() === 47) {
      while (this.i < this.src.length && this.src.charCodeAt(this.i) !== 10) this.advance();
    } else {
      this.advance();
      for (;;) {
        if (this.i >= this.src.length) {
          this.error(start, this.pos(), "block comment not terminated");
          break;
        }
        const c = this.src.charCodeAt(this.i);
        this.advance();
        if (c === 42 && this.src.charCodeAt(this.i) === 47) {
          this.advance();
          break;
        }
      }
    }
    this.insertTerm = false;
    const raw = this.src.slice(start.offset, this.i);
    return this.make("COMMENT", start, raw.includes("\r") ? raw.replaceAll("\r", "") : raw);
  }

  /** Looks ahead (without moving) over the comments starting here: do they reach a newline or EOF? */
  private commentReachesLineEnd(): boolean {
    const s = this.src;
    let k = this.i;
    for (;;) {
      const n = s.charCodeAt(k + 1);
      if (n === 47) return true;
      if (n !== 42) return false;
      k += 2;
      while (k < s.length) {
        const c = s.charCodeAt(k++);
        if (c === 10) return true;
        if (c === 42 && s.charCodeAt(k) === 47) {
          k++;
          break;
        }
      }
      while (k < s.length && isBlank(s.charCodeAt(k))) k++;
      if (k >= s.length || s.charCodeAt(k) === 10) return true;
      if (s.charCodeAt(k) !== 47) return false;
    }
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.src.charCodeAt(this.i);
      if (isBlank(c) || (c === 10 && !this.insertTerm)) this.advance();
      else return;
    }
  }

  /** The code point at the current position, or EOF. */
  private peek(): number {
    if (this.i >= this.src.length) return EOF;
    return this.src.codePointAt(this.i)!;
  }

  private take(c: number): boolean {
    if (this.src.charCodeAt(this.i) !== c) return false;
    this.advance();
    return true;
  }

  /** Moves past one code point, tracking line and column; reports NUL and stray BOMs. */
  private advance(): void {
    const c = this.src.charCodeAt(this.i);
    if (c === 10) {
      this.i++;
      this.line++;
      this.col = 1;
      return;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = this.src.charCodeAt(this.i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        this.i += 2;
        this.col++;
        return;
      }
    }
    if (c === 0) this.error(this.pos(), this.pos(), "illegal character NUL");
    else if (c === 0xfeff) this.error(this.pos(), this.pos(), "illegal byte order mark");
    this.i++;
    this.col++;
  }

  private make(kind: TokenKind, start: Pos, text: string): Token {
    return { kind, start, end: this.pos(), text };
  }

  private error(start: Pos, end: Pos, message: string): void {
    // Zero-width ranges still get one caret in formatted output.
    const stop = end.offset > start.offset ? end : { offset: start.offset + 1, line: start.line, col: start.col + 1 };
    this.onError(start, stop, message);
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 97 + 10;
  return 16; // larger than any digit in bases 8 and 16
}

/** Scans all of `source` (for tests and tools): every token up to and including EOF. */
export function tokenize(source: string, file = ""): { tokens: Token[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lexer = new Lexer(source, (start, end, message) => {
    diagnostics.push({ severity: "error", file, start, end, message });
  });
  const tokens: Token[] = [];
  for (;;) {
    const t = lexer.next();
    tokens.push(t);
    if (t.kind === "EOF") return { tokens, diagnostics };
  }
}
