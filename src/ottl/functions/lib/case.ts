// Case conversion for ConvertCase / ToSnakeCase / ToCamelCase / ToLowerCase / ToUpperCase
// (ottl.md §5.3). Upstream uses github.com/iancoleman/strcase, which works on ASCII bytes only;
// the rules below reproduce it so that metric names come out byte-identical.

/** The case names ConvertCase accepts; anything else is a configuration error. */
export const CASE_NAMES = ["lower", "upper", "snake", "camel"] as const;

/** One of CASE_NAMES. */
export type CaseName = (typeof CASE_NAMES)[number];

/** True when `name` is a case ConvertCase knows. */
export function isCaseName(name: string): name is CaseName {
  return (CASE_NAMES as readonly string[]).includes(name);
}

/** Converts `s` to the given case. */
export function convertCase(s: string, to: CaseName): string {
  if (s === "") return s;
  switch (to) {
    case "lower":
      return s.toLowerCase();
    case "upper":
      return s.toUpperCase();
    case "snake":
      return toSnake(s);
    case "camel":
      return toCamel(s);
  }
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSeparator = (c: number): boolean => c === 32 || c === 95 || c === 45 || c === 46; // space _ - .

/** Go strings.TrimSpace for the ASCII whitespace strcase cares about (plus Unicode spaces JS knows). */
function trimSpace(s: string): string {
  return s.trim();
}

/** strcase.ToSnake: `myMetric` → `my_metric`, `JSONData` → `json_data`, `id1` → `id_1`. */
export function toSnake(input: string): string {
  const s = trimSpace(input);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const cap = isUpper(c);
    const low = isLower(c);
    const num = isDigit(c);
    const ch = cap ? String.fromCharCode(c + 32) : s[i];
    if (i + 1 < s.length) {
      const n = s.charCodeAt(i + 1);
      const nCap = isUpper(n);
      const nLow = isLower(n);
      const nNum = isDigit(n);
      // A word ends where the kind of character changes (letter case or digit).
      if ((cap && (nLow || nNum)) || (low && (nCap || nNum)) || (num && (nCap || nLow))) {
        // The last capital of an acronym starts the next word: JSONData → json_data.
        if (cap && nLow && i > 0 && isUpper(s.charCodeAt(i - 1))) out += "_";
        out += ch;
        if (low || num || nNum) out += "_";
        continue;
      }
    }
    out += isSeparator(c) ? "_" : ch;
  }
  return out;
}

/**
 * strcase.ToCamel: `my_metric` → `MyMetric`, `JSONData` → `Jsondata`. Like upstream it keeps only
 * ASCII letters and digits; separators and every other character (non-ASCII included) are dropped.
 */
export function toCamel(input: string): string {
  const s = trimSpace(input);
  let out = "";
  let capNext = true;
  let prevCap = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const cap = isUpper(c);
    const low = isLower(c);
    let v = c;
    if (capNext) {
      if (low) v = c - 32;
    } else if (prevCap && cap) {
      v = c + 32; // the tail of an acronym is lowered: ID → Id
    }
    prevCap = cap;
    if (cap || low) {
      out += String.fromCharCode(v);
      capNext = false;
    } else if (isDigit(c)) {
      out += s[i];
      capNext = true;
    } else {
      capNext = isSeparator(c);
    }
  }
  return out;
}
