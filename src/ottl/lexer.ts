// The OTTL lexer (ottl.md §1.1). Upstream tokenizes with an ordered rule list where the first
// matching rule wins; we keep its number rules (a sign directly before digits belongs to the
// literal, a float needs `.digit`) so accepted texts are the same, and lex identifiers as one
// token classified later by the parser. Offsets are UTF-16 positions in the statement text.

import { OttlCompileError } from "./errors.ts";

/** Token kinds. */
export type TokenKind =
  | "bytes"
  | "float"
  | "int"
  | "string"
  | "ident"
  | "cmp"
  | "add"
  | "mul"
  | "="
  | "=>"
  | "("
  | ")"
  | "{"
  | "}"
  | "["
  | "]"
  | ":"
  | ","
  | "."
  | "eof";

/** One token: its kind, source text and [start, end) offsets; `value` holds decoded literals. */
export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  value?: string | bigint | number | Uint8Array;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Splits a statement into tokens; throws OttlCompileError (with offset) on a lexical error. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const tok = lexOne(src, i);
    tokens.push(tok);
    i = tok.end;
  }
  tokens.push({ kind: "eof", text: "", start: src.length, end: src.length });
  return tokens;
}

const BYTES_RE = /0x[a-fA-F0-9]+/y;
const FLOAT_RE = /[-+]?\d*\.\d+(?:[eE][-+]?\d+)?/y;
const INT_RE = /[-+]?\d+/y;
const IDENT_RE = /[A-Za-z][A-Za-z0-9_]*/y;

function sticky(re: RegExp, src: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(src);
  return m ? m[0] : undefined;
}

function lexOne(src: string, at: number): Token {
  const make = (kind: TokenKind, text: string, value?: Token["value"]): Token => ({ kind, text, start: at, end: at + text.length, value });
  const bytes = sticky(BYTES_RE, src, at);
  if (bytes !== undefined) return make("bytes", bytes, decodeHex(bytes, at));
  const float = sticky(FLOAT_RE, src, at);
  if (float !== undefined) {
    afterNumber(src, at + float.length, float);
    return make("float", float, Number(float));
  }
  const int = sticky(INT_RE, src, at);
  if (int !== undefined) {
    afterNumber(src, at + int.length, int);
    const v = BigInt(int);
    if (v < INT64_MIN || v > INT64_MAX) throw new OttlCompileError(`integer literal ${int} does not fit in 64 bits`, at);
    return make("int", int, v);
  }
  const c = src[at]!;
  if (c === '"') return lexString(src, at);
  const ident = sticky(IDENT_RE, src, at);
  if (ident !== undefined) return make("ident", ident);
  const two = src.slice(at, at + 2);
  if (two === "==" || two === "!=" || two === ">=" || two === "<=") return make("cmp", two);
  if (two === "=>") return make("=>", two);
  switch (c) {
    case ">":
    case "<":
      return make("cmp", c);
    case "+":
    case "-":
      return make("add", c);
    case "*":
    case "/":
      return make("mul", c);
    case "=":
    case "(":
    case ")":
    case "{":
    case "}":
    case "[":
    case "]":
    case ":":
    case ",":
    case ".":
      return make(c, c);
  }
  if (c === "'") throw new OttlCompileError("strings must use double quotes", at);
  if (c === "`") throw new OttlCompileError("backtick strings are Alloy syntax, not OTTL; use double quotes inside the statement", at);
  throw new OttlCompileError(`unexpected character ${JSON.stringify(String.fromCodePoint(src.codePointAt(at)!))}`, at);
}

/** `1.` and `1e3` are not numbers upstream; say so instead of failing later with an odd token. */
function afterNumber(src: string, end: number, text: string): void {
  const next = src[end];
  if (next === "." && !/\d/.test(src[end + 1] ?? "")) throw new OttlCompileError(`invalid number ${text}.: a float needs a digit after the dot (${text}.0)`, end - text.length);
  if (next === "e" || next === "E") throw new OttlCompileError(`invalid number ${text}${next}…: exponents need a dot (${text}.0e…)`, end - text.length);
  if (next !== undefined && /[A-Za-z_]/.test(next) && !/^[-+]?0$/.test(text)) {
    throw new OttlCompileError(`invalid number ${text}${next}…`, end - text.length);
  }
}

function decodeHex(text: string, at: number): Uint8Array {
  const hex = text.slice(2);
  if (hex.length % 2 !== 0) throw new OttlCompileError(`byte literal ${text} has an odd number of hex digits`, at);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"' };
const utf8 = new TextDecoder("utf-8");

/** A double-quoted string unquoted with Go's rules (ottl.md §1.5). */
function lexString(src: string, at: number): Token {
  let out = "";
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) out += utf8.decode(new Uint8Array(bytes));
    bytes = [];
  };
  let i = at + 1;
  for (;;) {
    if (i >= src.length) throw new OttlCompileError("unterminated string literal: missing closing \"", at);
    const c = src[i]!;
    if (c === '"') break;
    if (c === "\n") throw new OttlCompileError("unterminated string literal: a raw newline is not allowed in a string (write \\n)", at);
    if (c !== "\\") {
      flush();
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    if (e === undefined) throw new OttlCompileError("unterminated string literal: missing closing \"", at);
    if (SIMPLE_ESCAPES[e] !== undefined) {
      flush();
      out += SIMPLE_ESCAPES[e];
      i += 2;
      continue;
    }
    const numeric = numericEscape(src, i);
    if (numeric.byte !== undefined) bytes.push(numeric.byte);
    else {
      flush();
      out += String.fromCodePoint(numeric.codePoint!);
    }
    i = numeric.end;
  }
  flush();
  const end = i + 1;
  return { kind: "string", text: src.slice(at, end), start: at, end, value: out };
}

/** `\xHH`, `\ooo` (one byte each), `\uHHHH`, `\UHHHHHHHH` (a code point); anything else is an error. */
function numericEscape(src: string, i: number): { byte?: number; codePoint?: number; end: number } {
  const e = src[i + 1]!;
  const spec: Record<string, [number, number]> = { x: [2, 16], u: [4, 16], U: [8, 16] };
  let digits: number;
  let base: number;
  let start = i + 2;
  if (/[0-7]/.test(e)) {
    [digits, base, start] = [3, 8, i + 1];
  } else if (spec[e]) {
    [digits, base] = spec[e]!;
  } else {
    const hint = /[dDsSwWbB.()[\]{}*+?|^$]/.test(e) ? ` (a regex backslash must be doubled: "\\\\${e}")` : "";
    throw new OttlCompileError(`invalid escape sequence \\${e} in string literal${hint}`, i);
  }
  const text = src.slice(start, start + digits);
  const re = base === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/;
  if (text.length < digits || !re.test(text)) throw new OttlCompileError(`invalid escape sequence \\${src.slice(i + 1, start + digits)} in string literal`, i);
  const n = parseInt(text, base);
  const end = start + digits;
  if (e === "x" || base === 8) {
    if (n > 255) throw new OttlCompileError(`octal escape value > 255: \\${text}`, i);
    return { byte: n, end };
  }
  if (n > 0x10ffff || (n >= 0xd800 && n < 0xe000)) throw new OttlCompileError(`escape sequence \\${e}${text} is not a valid Unicode code point`, i);
  return { codePoint: n, end };
}
