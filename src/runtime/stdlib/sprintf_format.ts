// The low-level half of the Sprintf port (Go's fmt/format.go): flags, padding, and the
// rendering of one integer, float or string under those flags. sprintf.ts decides which of
// these to call for an operand.

import { formatFloat } from "./gofloat.ts";
import { canBackquote, isPrint, quote, quoteRune } from "./goquote.ts";

/** The flags, width and precision of one verb. */
export interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** %#v: Go-syntax output (sharp moved here so it does not also mean "alternate form"). */
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

const MAX_RUNE = 0x10ffff;

/** Flags with nothing set. */
export function clearFlags(): Flags {
  return {
    plus: false, minus: false, sharp: false, space: false, zero: false, sharpV: false,
    wid: 0, widPresent: false, prec: 0, precPresent: false,
  };
}

/** An output buffer plus the flags of the verb being printed. */
export class Formatter {
  out = "";
  f: Flags = clearFlags();

  /** An integer in base 2, 8, 10 or 16 (%b %o %O %d %x %X). */
  integer(n: number, base: number, verb: string, upper: boolean): void {
    const f = this.f;
    const negative = n < 0;
    const magnitude = BigInt(Math.abs(n));
    // Two ways to ask for leading zeros: %.3d or %03d; an explicit precision wins.
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && magnitude === 0n) {
        this.withoutZero(() => this.writePadding(f.wid)); // %.0d of 0 prints nothing
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid - (negative || f.plus || f.space ? 1 : 0);
    }
    let text = magnitude.toString(base);
    if (upper) text = text.toUpperCase();
    if (text.length < prec) text = "0".repeat(prec - text.length) + text;
    if (f.sharp) {
      if (base === 2) text = `0b${text}`;
      else if (base === 8 && text[0] !== "0") text = `0${text}`;
      else if (base === 16) text = `0${upper ? "X" : "x"}${text}`;
    }
    if (verb === "O") text = `0o${text}`;
    if (negative) text = `-${text}`;
    else if (f.plus) text = `+${text}`;
    else if (f.space) text = ` ${text}`;
    this.withoutZero(() => this.pad(text));
  }

  /** %c: the character with that code point. */
  char(n: number): void {
    this.pad(String.fromCodePoint(runeOf(n)));
  }

  /** %q of an integer: a quoted Go character literal. */
  quotedChar(n: number): void {
    this.pad(quoteRune(runeOf(n), this.f.plus));
  }

  /** %U: "U+1F600", with %#U also the character itself. */
  unicode(n: number): void {
    const u = BigInt.asUintN(64, BigInt(n));
    const digits = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
    let text = `U+${u.toString(16).toUpperCase().padStart(digits, "0")}`;
    if (this.f.sharp && u <= BigInt(MAX_RUNE) && isPrint(Number(u))) {
      text += ` '${String.fromCodePoint(Number(u))}'`;
    }
    this.withoutZero(() => this.pad(text));
  }

  /** A float through strconv, then Go's sign, %# and zero-padding rules. */
  float(x: number, verb: string, prec: number): void {
    const f = this.f;
    if (f.precPresent) prec = f.prec;
    let num = formatFloat(x, verb, prec);
    if (num[0] !== "-" && num[0] !== "+") num = `+${num}`;
    if (f.space && num[0] === "+" && !f.plus) num = ` ${num.slice(1)}`;
    if (num[1] === "I" || num[1] === "N") {
      // Infinities and NaN are never zero padded; NaN shows a sign only when asked for.
      if (num[1] === "N" && !f.space && !f.plus) num = num.slice(1);
      this.withoutZero(() => this.pad(num));
      return;
    }
    if (f.sharp && verb !== "b") num = keepDecimalPoint(num, verb, prec);
    if (f.plus || num[0] !== "+") {
      // Zero padding goes between the sign and the digits.
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.out += num[0];
        this.writePadding(f.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  /** %s and %v of a string. */
  str(s: string): void {
    this.pad(this.truncate(s));
  }

  /** %q of a string (%#q backquoted when possible, %+q ASCII only). */
  quoted(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad(`\`${s}\``);
    else this.pad(quote(s, this.f.plus));
  }

  /** %x and %X of a string: hex of the UTF-8 bytes; precision limits bytes, not runes. */
  hex(s: string, upper: boolean): void {
    const f = this.f;
    const digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    let bytes = new TextEncoder().encode(s);
    if (f.precPresent && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
    if (bytes.length === 0) {
      if (f.widPresent) this.writePadding(f.wid);
      return;
    }
    const prefix = f.sharp ? (upper ? "0X" : "0x") : "";
    const parts = Array.from(bytes, (b) => digits[b >> 4]! + digits[b & 15]!);
    const text = f.space ? parts.map((p) => prefix + p).join(" ") : prefix + parts.join("");
    const padding = f.widPresent ? f.wid - text.length : 0;
    if (!f.minus) this.writePadding(padding);
    this.out += text;
    if (f.minus) this.writePadding(padding);
  }

  /** Writes `s`, padded to the width (counted in code points) on the left, or right with `-`. */
  pad(s: string): void {
    const f = this.f;
    if (!f.widPresent || f.wid === 0) {
      this.out += s;
      return;
    }
    const width = f.wid - runeCount(s);
    if (f.minus) {
      this.out += s;
      this.writePadding(width);
    } else {
      this.writePadding(width);
      this.out += s;
    }
  }

  /** Runs `fn` against an empty buffer and returns what it wrote. */
  capture(fn: () => void): string {
    const saved = this.out;
    this.out = "";
    fn();
    const written = this.out;
    this.out = saved;
    return written;
  }

  private truncate(s: string): string {
    if (!this.f.precPresent) return s;
    return Array.from(s).slice(0, this.f.prec).join("");
  }

  private writePadding(n: number): void {
    if (n > 0) this.out += (this.f.zero && !this.f.minus ? "0" : " ").repeat(n);
  }

  private withoutZero(fn: () => void): void {
    const zero = this.f.zero;
    this.f.zero = false;
    fn();
    this.f.zero = zero;
  }
}

/** Go's fmt keeps a trailing "." and the zeros %#g would otherwise drop. */
function keepDecimalPoint(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === "v" || verb === "g" || verb === "G" || verb === "x") digits = prec === -1 ? 6 : prec;
  let tail = "";
  let body = num;
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < body.length; i++) {
    const c = body[i]!;
    if (c === ".") hasPoint = true;
    else if (c === "p" || c === "P" || ((c === "e" || c === "E") && verb !== "x" && verb !== "X")) {
      tail = body.slice(i);
      body = body.slice(0, i);
      break;
    } else {
      if (c !== "0") sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  if (!hasPoint) {
    if (body.length === 2 && body[1] === "0") digits--; // a lone 0 counts once
    body += ".";
  }
  if (digits > 0) body += "0".repeat(digits);
  return body + tail;
}

/** The rune an integer converts to; Go substitutes U+FFFD for anything that is not one. */
function runeOf(n: number): number {
  if (n < 0 || n > MAX_RUNE || (n >= 0xd800 && n <= 0xdfff)) return 0xfffd;
  return n;
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
