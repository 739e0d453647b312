// JSON as Go's encoding/json reads and writes it, since Alloy's JSON functions are that
// package: decoding reports Go's syntax error texts (the same on every runtime, unlike
// JSON.parse), and encoding sorts object keys and escapes <, > and & as Go does.

import { Capsule, Func, Secret, ValueError, typeOf } from "../value.ts";
import type { ObjectValue, Value } from "../value.ts";

/** Parses JSON text; throws ValueError with encoding/json's message on bad input. */
export function parseJson(text: string): Value {
  const p = new JsonParser(text);
  p.skipSpace();
  const v = p.value();
  p.skipSpace();
  if (p.pos < text.length) throw p.unexpected("after top-level value");
  return v;
}

/** Serialises a value as Go's json.Marshal would (compact, keys sorted, HTML-safe escapes). */
export function stringifyJson(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return encodeNumber(v);
  if (typeof v === "string") return encodeString(v);
  if (v instanceof Secret) return encodeString(v.toJSON());
  if (v instanceof Capsule || v instanceof Func) {
    throw new ValueError(`json: unsupported type: ${typeOf(v)}`);
  }
  if (Array.isArray(v)) return `[${v.map(stringifyJson).join(",")}]`;
  const obj = v as ObjectValue;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${encodeString(k)}:${stringifyJson(obj[k]!)}`).join(",")}}`;
}

/** Sets a key without tripping over `__proto__`, which plain assignment would treat specially. */
export function setKey(obj: ObjectValue, key: string, v: Value): void {
  Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
}

function encodeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new ValueError(`json: unsupported value: ${Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf"}`);
  // JavaScript switches to exponent form at the same thresholds Go's encoder uses
  // (below 1e-6 and from 1e21) and prints the same shortest digits.
  return String(n);
}

function encodeString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || ch === "<" || ch === ">" || ch === "&" || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, "0")}`;
    } else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd"; // lone surrogate: not valid UTF-8
    else out += ch;
  }
  return `${out}"`;
}

class JsonParser {
  pos = 0;

  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && " \t\r\n".includes(this.text[this.pos]!)) this.pos++;
  }

  value(): Value {
    const c = this.peek();
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    if (c === "t") return this.literal("true", true);
    if (c === "f") return this.literal("false", false);
    if (c === "n") return this.literal("null", null);
    throw this.unexpected("looking for beginning of value");
  }

  private object(): ObjectValue {
    const obj: ObjectValue = {};
    this.pos++; // {
    this.skipSpace();
    if (this.peek() === "}") {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() !== '"') {
        throw this.unexpected("looking for beginning of object key string");
      }
      const key = this.string();
      this.skipSpace();
      if (this.peek() !== ":") throw this.unexpected("after object key");
      this.pos++;
      this.skipSpace();
      setKey(obj, key, this.value());
      this.skipSpace();
      const next = this.peek();
      this.pos++;
      if (next === "}") return obj;
      if (next !== ",") {
        this.pos--;
        throw this.unexpected("after object key:value pair");
      }
    }
  }

  private array(): Value[] {
    const list: Value[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.peek() === "]") {
      this.pos++;
      return list;
    }
    for (;;) {
      this.skipSpace();
      list.push(this.value());
      this.skipSpace();
      const next = this.peek();
      this.pos++;
      if (next === "]") return list;
      if (next !== ",") {
        this.pos--;
        throw this.unexpected("after array element");
      }
    }
  }

  private string(): string {
    this.pos++; // opening quote
    let out = "";
    for (;;) {
      const c = this.peek();
      this.pos++;
      if (c === '"') return out;
      if (c === "\\") out += this.escape();
      else if (c.charCodeAt(0) < 0x20) {
        this.pos--;
        throw this.unexpected("in string literal");
      } else out += c;
    }
  }

  private escape(): string {
    const c = this.peek();
    this.pos++;
    const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
    if (c in simple) return simple[c]!;
    if (c !== "u") {
      this.pos--;
      throw this.unexpected("in string escape code");
    }
    const hi = this.hex4();
    if (hi < 0xd800 || hi > 0xdfff) return String.fromCharCode(hi);
    // A surrogate pair needs both halves; Go substitutes U+FFFD for a lone half.
    if (hi <= 0xdbff && this.text.startsWith("\\u", this.pos)) {
      const save = this.pos;
      this.pos += 2;
      const lo = this.hex4();
      if (lo >= 0xdc00 && lo <= 0xdfff) return String.fromCharCode(hi, lo);
      this.pos = save;
    }
    return "\ufffd";
  }

  private hex4(): number {
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.peek();
      const d = parseInt(c, 16);
      if (Number.isNaN(d)) throw this.unexpected("in \\u hexadecimal character escape");
      n = n * 16 + d;
      this.pos++;
    }
    return n;
  }

  private number(): number {
    const start = this.pos;
    if (this.text[this.pos] === "-") {
      this.pos++;
      const c = this.peek();
      if (!(c >= "0" && c <= "9")) throw this.unexpected("in numeric literal");
    }
    if (this.text[this.pos] === "0") this.pos++;
    else this.digits();
    if (this.text[this.pos] === ".") {
      this.pos++;
      const c = this.peek();
      if (!(c >= "0" && c <= "9")) throw this.unexpected("after decimal point in numeric literal");
      this.digits();
    }
    if (this.text[this.pos] === "e" || this.text[this.pos] === "E") {
      this.pos++;
      if (this.text[this.pos] === "+" || this.text[this.pos] === "-") this.pos++;
      const c = this.peek();
      if (!(c >= "0" && c <= "9")) throw this.unexpected("in exponent of numeric literal");
      this.digits();
    }
    return Number(this.text.slice(start, this.pos));
  }

  private digits(): void {
    while (this.pos < this.text.length && this.text[this.pos]! >= "0" && this.text[this.pos]! <= "9") this.pos++;
  }

  private literal(word: string, v: Value): Value {
    for (let i = 0; i < word.length; i++) {
      const c = this.peek();
      if (c !== word[i]) throw this.unexpected(`in literal ${word} (expecting '${word[i]}')`);
      this.pos++;
    }
    return v;
  }

  /** The character at the cursor; running out of input is Go's "unexpected end". */
  private peek(): string {
    if (this.pos >= this.text.length) throw new ValueError("unexpected end of JSON input");
    return this.text[this.pos]!;
  }

  unexpected(context: string): ValueError {
    return new ValueError(`invalid character ${quoteByte(this.text.codePointAt(this.pos)!)} ${context}`);
  }
}

/**
 * encoding/json names the offending byte: the first byte of its UTF-8 encoding, shown as the
 * Latin-1 character with that value and quoted like a Go rune.
 */
function quoteByte(codePoint: number): string {
  const first = new TextEncoder().encode(String.fromCodePoint(codePoint))[0]!;
  if (first === 0x27) return "'\\''";
  if (first === 0x22) return `'"'`;
  const escapes: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 0x5c: "\\\\" };
  if (escapes[first]) return `'${escapes[first]}'`;
  if (first < 0x20 || first === 0x7f) return `'\\x${first.toString(16).padStart(2, "0")}'`;
  if (first >= 0x80 && first < 0xa0) return `'\\u00${first.toString(16)}'`;
  if (first === 0xa0 || first === 0xad) return `'\\u00${first.toString(16)}'`; // not printable in Go
  return `'${String.fromCharCode(first)}'`;
}
