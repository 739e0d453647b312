// String converters (ottl.md §5.3 "Strings"): Concat, Split, Substring, ConvertCase and the
// To*Case family, Trim, TrimPrefix, TrimSuffix, HasPrefix, HasSuffix, Format. Offsets and lengths
// are UTF-8 bytes, as upstream's are Go string indexes.

import { type OttlFunction, PList, PMap, defineConverter, fail, opt, toStringLike } from "../../function_api.ts";
import { type CaseName, CASE_NAMES, convertCase, isCaseName } from "../lib/case.ts";
import { goSprintf } from "../lib/gofmt.ts";
import { isAscii, isCharBoundary, utf8Bytes, utf8Decode } from "../lib/utf8.ts";

/** Concat(values[], delimiter): scalars stringified, nil as `<nil>`, maps and lists skipped (E14). */
export const concat = defineConverter({
  name: "Concat",
  params: { vals: "Getter[]", delimiter: "StringGetter" },
  create({ vals, delimiter }) {
    return (tctx) => {
      const sep = delimiter.get(tctx);
      const parts: string[] = [];
      for (const g of vals) {
        const v = g.get(tctx);
        if (v === null) parts.push("<nil>");
        else if (!(v instanceof PMap || v instanceof PList)) parts.push(toStringLike(v) as string);
      }
      return parts.join(sep);
    };
  },
});

/** Go strings.Split: `""` → `[""]`; an empty delimiter splits into characters. */
export function goSplit(s: string, delimiter: string): string[] {
  if (delimiter === "") return [...s];
  return s.split(delimiter);
}

/** Split(target, delimiter): a list of strings (E16). */
export const split = defineConverter({
  name: "Split",
  params: { target: "StringGetter", delimiter: "StringGetter" },
  create: ({ target, delimiter }) => (tctx) => PList.of(goSplit(target.get(tctx), delimiter.get(tctx))),
});

/**
 * Go `s[start:start+length]` on the UTF-8 bytes. With `utf8Safe`, a start inside a character moves
 * to the next character and an end inside one moves back, so no character is split. Without it a
 * split character becomes U+FFFD (a JS string cannot hold the raw bytes Go would keep).
 */
export function byteSubstring(s: string, start: number, length: number, utf8Safe: boolean): string {
  if (start < 0) fail(`invalid start for substring function, ${start} cannot be negative`);
  if (length < 0) fail(`invalid length for substring function, ${length} cannot be negative`);
  const ascii = isAscii(s);
  const bytes = ascii ? undefined : utf8Bytes(s);
  const size = bytes?.length ?? s.length;
  if (start > size || length > size - start) {
    fail(`invalid range for substring function, start(${start})+length(${length}) cannot be greater than the length of target string(${size})`);
  }
  if (bytes === undefined) return s.slice(start, start + length);
  let from = start;
  let to = start + length;
  if (utf8Safe) {
    while (!isCharBoundary(bytes, from)) from++;
    while (to > from && !isCharBoundary(bytes, to)) to--;
    if (to < from) to = from;
  }
  return utf8Decode(bytes.subarray(from, to));
}

/** Substring(target, start, length, Optional[utf8_safe]): byte offsets; out of range → error. */
export const substring = defineConverter({
  name: "Substring",
  params: { target: "StringGetter", start: "IntGetter", length: "IntGetter", utf8_safe: opt("bool") },
  create({ target, start, length, utf8_safe }) {
    const safe = utf8_safe ?? false;
    return (tctx) => {
      const from = start.get(tctx);
      const len = length.get(tctx);
      const s = target.get(tctx);
      // Clamp before converting: anything beyond the string's size fails the range check anyway.
      const clamp = (v: bigint): number => (v > 1n << 52n ? 2 ** 52 : v < -(1n << 52n) ? -(2 ** 52) : Number(v));
      return byteSubstring(s, clamp(from), clamp(len), safe);
    };
  },
});

/** ConvertCase(target, toCase): `lower`, `upper`, `snake`, `camel`; other names fail at load. */
export const convertCaseConverter = defineConverter({
  name: "ConvertCase",
  params: { target: "StringGetter", to_case: "string" },
  create({ target, to_case }, cx) {
    const to: CaseName = isCaseName(to_case) ? to_case : cx.fail("to_case", `invalid case: ${to_case}, allowed cases are: ${CASE_NAMES.join(", ")}`);
    return (tctx) => convertCase(target.get(tctx), to);
  },
});

function caseConverter(name: string, to: CaseName): OttlFunction {
  return defineConverter({
    name,
    params: { target: "StringGetter" },
    create: ({ target }) => (tctx) => convertCase(target.get(tctx), to),
  });
}

/** Go strings.Trim: strips every leading and trailing character that is in `cutset`. */
export function goTrim(s: string, cutset: string): string {
  if (s === "" || cutset === "") return s;
  const set = new Set(cutset);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a] as string)) a++;
  while (b > a && set.has(chars[b - 1] as string)) b--;
  return chars.slice(a, b).join("");
}

/** Trim(target, Optional[replacement]): the second argument is a set of characters (default a space; E16). */
export const trim = defineConverter({
  name: "Trim",
  params: { target: "StringGetter", replacement: opt("string") },
  create({ target, replacement }) {
    const cutset = replacement ?? " ";
    return (tctx) => goTrim(target.get(tctx), cutset);
  },
});

/** TrimPrefix(value, prefix): unchanged when the prefix is absent. */
export const trimPrefix = defineConverter({
  name: "TrimPrefix",
  params: { value: "StringGetter", prefix: "StringGetter" },
  create: ({ value, prefix }) => (tctx) => {
    const s = value.get(tctx);
    const p = prefix.get(tctx);
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
});

/** TrimSuffix(value, suffix): unchanged when the suffix is absent. */
export const trimSuffix = defineConverter({
  name: "TrimSuffix",
  params: { value: "StringGetter", suffix: "StringGetter" },
  create: ({ value, suffix }) => (tctx) => {
    const s = value.get(tctx);
    const x = suffix.get(tctx);
    return x !== "" && s.endsWith(x) ? s.slice(0, s.length - x.length) : s;
  },
});

/** HasPrefix(value, prefix): bool. */
export const hasPrefix = defineConverter({
  name: "HasPrefix",
  params: { value: "StringGetter", prefix: "StringGetter" },
  create: ({ value, prefix }) => (tctx) => value.get(tctx).startsWith(prefix.get(tctx)),
});

/** HasSuffix(value, suffix): bool. */
export const hasSuffix = defineConverter({
  name: "HasSuffix",
  params: { value: "StringGetter", suffix: "StringGetter" },
  create: ({ value, suffix }) => (tctx) => value.get(tctx).endsWith(suffix.get(tctx)),
});

/** Format(formatString, formatArguments[]): Go fmt.Sprintf; mismatches render Go's `%!d(string=x)` markers. */
export const format = defineConverter({
  name: "Format",
  params: { format: "string", vals: "Getter[]" },
  create: ({ format, vals }) => (tctx) => goSprintf(format, vals.map((g) => g.get(tctx))),
});

/** Every converter of this file. */
export const STRING_CONVERTERS: readonly OttlFunction[] = [
  concat,
  split,
  substring,
  convertCaseConverter,
  caseConverter("ToLowerCase", "lower"),
  caseConverter("ToUpperCase", "upper"),
  caseConverter("ToSnakeCase", "snake"),
  caseConverter("ToCamelCase", "camel"),
  trim,
  trimPrefix,
  trimSuffix,
  hasPrefix,
  hasSuffix,
  format,
];
