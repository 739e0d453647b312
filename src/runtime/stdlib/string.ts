// The `string` namespace (spec §7). Each function mirrors the Go function Alloy binds it to
// (fmt.Sprintf, strings.Join, strings.Split, …), including Go's edge cases: splitting on ""
// yields code points, trim takes a set of characters, trim_space uses Go's notion of space.

import { arrayArg, expectAtLeast, expectCount, stringArg, toStringValue } from "./args.ts";
import type { Impl } from "./args.ts";
import { sprintf } from "./sprintf.ts";

/** string.format: Go's fmt.Sprintf. */
export const format: Impl = (name, args) => {
  expectAtLeast(name, args, 1);
  return sprintf(stringArg(name, args, 0), args.slice(1));
};

/** string.join: joins a list of strings with a separator. */
export const join: Impl = (name, args) => {
  expectCount(name, args, 2);
  const list = arrayArg(name, args, 0).map((el, i) => toStringValue(name, el, `argument 1 element ${i}`));
  return list.join(stringArg(name, args, 1));
};

/** string.split: splits around every separator; an empty separator splits into code points. */
export const split: Impl = (name, args) => {
  expectCount(name, args, 2);
  const s = stringArg(name, args, 0);
  const sep = stringArg(name, args, 1);
  return sep === "" ? Array.from(s) : s.split(sep);
};

/** string.replace: replaces every occurrence; an empty `old` inserts between code points. */
export const replace: Impl = (name, args) => {
  expectCount(name, args, 3);
  const [s, old, replacement] = [0, 1, 2].map((i) => stringArg(name, args, i)) as [string, string, string];
  if (old !== "") return s.split(old).join(replacement);
  return replacement + Array.from(s).map((ch) => ch + replacement).join("");
};

/** string.to_lower: Unicode lower case, one code point for one code point as in Go. */
export const toLower: Impl = (name, args) => {
  expectCount(name, args, 1);
  return mapCase(stringArg(name, args, 0), (ch) => ch.toLowerCase());
};

/** string.to_upper: Unicode upper case, one code point for one code point as in Go. */
export const toUpper: Impl = (name, args) => {
  expectCount(name, args, 1);
  return mapCase(stringArg(name, args, 0), (ch) => ch.toUpperCase());
};

/** string.trim: removes leading and trailing code points that appear in the cutset. */
export const trim: Impl = (name, args) => {
  expectCount(name, args, 2);
  const cutset = new Set(Array.from(stringArg(name, args, 1)));
  return trimWhile(stringArg(name, args, 0), (ch) => cutset.has(ch));
};

/** string.trim_prefix: removes one leading occurrence of the prefix. */
export const trimPrefix: Impl = (name, args) => {
  expectCount(name, args, 2);
  const [s, prefix] = [stringArg(name, args, 0), stringArg(name, args, 1)];
  return prefix !== "" && s.startsWith(prefix) ? s.slice(prefix.length) : s;
};

/** string.trim_suffix: removes one trailing occurrence of the suffix. */
export const trimSuffix: Impl = (name, args) => {
  expectCount(name, args, 2);
  const [s, suffix] = [stringArg(name, args, 0), stringArg(name, args, 1)];
  return suffix !== "" && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
};

/** string.trim_space: removes leading and trailing white space as Go's unicode.IsSpace defines it. */
export const trimSpace: Impl = (name, args) => {
  expectCount(name, args, 1);
  return trimWhile(stringArg(name, args, 0), isGoSpace);
};

/** Function name (within the namespace) to implementation. */
export const STRING_FUNCTIONS: Readonly<Record<string, Impl>> = {
  format,
  join,
  replace,
  split,
  to_lower: toLower,
  to_upper: toUpper,
  trim,
  trim_prefix: trimPrefix,
  trim_suffix: trimSuffix,
  trim_space: trimSpace,
};


/**
 * Go maps case rune by rune; JavaScript may expand one character into several ("ß" → "SS").
 * Where it does, keep the character, as Go's single-rune mapping does — except U+0130 (İ),
 * which Go lowers to a plain "i".
 */
function mapCase(s: string, convert: (ch: string) => string): string {
  let out = "";
  for (const ch of s) {
    const mapped = convert(ch);
    if (Array.from(mapped).length === 1) out += mapped;
    else out += ch === "\u0130" ? "i" : ch;
  }
  return out;
}

function trimWhile(s: string, drop: (ch: string) => boolean): string {
  const chars = Array.from(s);
  let start = 0;
  let end = chars.length;
  while (start < end && drop(chars[start]!)) start++;
  while (end > start && drop(chars[end - 1]!)) end--;
  return chars.slice(start, end).join("");
}

/** Go's unicode.IsSpace (JavaScript's trim also strips U+FEFF and skips U+0085). */
function isGoSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(ch);
}

