// Go's number rules in one place: strconv parsing and the scalar conversions that the *Like
// getters (ottl.md §1.7) and the Int/Double/Bool converters (§5.3) share. Each returns null when
// Go would return an error, so callers decide between nil and an error.

import type { Value } from "./values.ts";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** strconv.ParseInt(s, 10, 64): optional sign and decimal digits only; out of range → null. */
export function parseGoInt10(s: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** Digit value of a character in bases up to 36, or 99. */
function digitValue(c: string): number {
  const code = c.toLowerCase().charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 97 + 10;
  return 99;
}

/**
 * strconv.ParseInt(s, base, 64). Base 0 honours the 0b/0o/0x/0 prefixes and `_` separators;
 * returns null for syntax or range errors. The caller validates the base (0 or 2–36).
 */
export function parseGoIntBase(input: string, base: number): bigint | null {
  let s = input;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "") return null;
  const base0 = base === 0;
  let prefixed = false;
  if (base0) {
    base = 10;
    if (s[0] === "0") {
      const p = s[1]?.toLowerCase();
      if (s.length >= 3 && (p === "b" || p === "o" || p === "x")) {
        base = p === "b" ? 2 : p === "o" ? 8 : 16;
        s = s.slice(2);
        prefixed = true;
      } else {
        base = 8;
        s = s.slice(1);
        prefixed = true;
        if (s === "") return 0n; // "0" itself
      }
    }
  }
  if (base0 && s.includes("_") && !underscoresOk(s, prefixed)) return null;
  let v = 0n;
  let digits = 0;
  const b = BigInt(base);
  for (const c of s) {
    if (c === "_" && base0) continue;
    const d = digitValue(c);
    if (d >= base) return null;
    v = v * b + BigInt(d);
    digits++;
  }
  if (digits === 0) return null;
  if (neg) v = -v;
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** Go's underscoreOK for the digits after a base prefix: `_` only between digits (or right after the prefix). */
function underscoresOk(digits: string, prefixed: boolean): boolean {
  let prevDigit = prefixed; // "0x_1" is fine in Go: the prefix counts as a digit
  for (let i = 0; i < digits.length; i++) {
    if (digits[i] === "_") {
      if (!prevDigit) return false;
      prevDigit = false;
    } else prevDigit = true;
  }
  return prevDigit;
}

const DECIMAL_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64): decimal, hex (`0x1p-2`), inf/infinity/nan, `_` separators; overflow → null. */
export function parseGoFloat(s: string): number | null {
  const special = SPECIAL_FLOAT.exec(s);
  if (special) {
    if ((special[2] as string).toLowerCase() === "nan") return special[1] === "" ? NaN : null;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  const hex = /^[+-]?0[xX]/.test(s);
  if (s.includes("_") && !floatUnderscoresOk(s, hex)) return null;
  const plain = s.replaceAll("_", "");
  if (!hex) {
    if (!DECIMAL_FLOAT.test(plain)) return null;
    const f = Number(plain);
    return Number.isFinite(f) ? f : null; // Go reports ErrRange for 1e400
  }
  const m = HEX_FLOAT.exec(plain);
  return m ? parseHexFloat(m) : null;
}

/** Go's underscoreOK: every `_` sits between two digits (a base prefix counts as a digit). */
function floatUnderscoresOk(s: string, hex: boolean): boolean {
  const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
  const body = s.replace(/^[+-]/, "");
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== "_") continue;
    const afterPrefix = hex && i === 2;
    if (!(afterPrefix || digit.test(body[i - 1] ?? "")) || !digit.test(body[i + 1] ?? "")) return false;
  }
  return true;
}

function parseHexFloat(m: RegExpExecArray): number | null {
  const intPart = m[2] ?? "";
  const fracPart = m[3] ?? "";
  if (intPart === "" && fracPart === "") return null;
  let v = 0;
  for (const c of intPart) v = v * 16 + digitValue(c);
  let scale = 1 / 16;
  for (const c of fracPart) {
    v += digitValue(c) * scale;
    scale /= 16;
  }
  const f = v * 2 ** Number(m[4]);
  if (!Number.isFinite(f)) return null;
  return m[1] === "-" ? -f : f;
}

const TRUE_STRINGS = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE_STRINGS = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** strconv.ParseBool: `1 t T true TRUE True` / `0 f F false FALSE False`, else null. */
export function parseGoBool(s: string): boolean | null {
  if (TRUE_STRINGS.has(s)) return true;
  if (FALSE_STRINGS.has(s)) return false;
  return null;
}

/** Go `int64(f)` for finite values in range (truncation toward zero); null otherwise. */
export function truncateToInt64(f: number): bigint | null {
  if (!Number.isFinite(f)) return null;
  const v = BigInt(Math.trunc(f));
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** The values the number conversions accept: the scalar kinds. */
export type Scalar = string | number | bigint | boolean;

export function isScalar(v: Value): v is Scalar {
  const k = typeof v;
  return k === "string" || k === "number" || k === "bigint" || k === "boolean";
}

/** To int64: floats truncated toward zero, bools 1/0, decimal strings; null where Go fails. */
export function scalarToInt(v: Scalar): bigint | null {
  switch (typeof v) {
    case "bigint":
      return v;
    case "number":
      return truncateToInt64(v);
    case "boolean":
      return v ? 1n : 0n;
    default:
      return parseGoInt10(v);
  }
}

/** To float64: ints widened, bools 1/0, strings by strconv.ParseFloat; null where Go fails. */
export function scalarToDouble(v: Scalar): number | null {
  switch (typeof v) {
    case "number":
      return v;
    case "bigint":
      return Number(v);
    case "boolean":
      return v ? 1 : 0;
    default:
      return parseGoFloat(v);
  }
}

/** To bool: numbers non-zero, strings by strconv.ParseBool; null where Go fails. */
export function scalarToBool(v: Scalar): boolean | null {
  switch (typeof v) {
    case "boolean":
      return v;
    case "bigint":
      return v !== 0n;
    case "number":
      return v !== 0;
    default:
      return parseGoBool(v);
  }
}
