// Regular expressions with Go RE2 semantics (ottl.md §7.1 item 6): re2js is a port of RE2, so the
// accepted syntax (named groups `(?P<n>…)`, inline flags, `\z`, POSIX classes; no lookaround, no
// backreferences) and linear-time matching are upstream's. Match indexes are UTF-16 offsets into
// the JS string. Replacement templates follow Go's Regexp.Expand (`$1`, `${name}`, `$$`).

import { RE2JS } from "re2js";
import { OttlCompileError } from "./errors.ts";

/** A compiled RE2 pattern. */
export interface Regex {
  /** The pattern as written. */
  readonly source: string;
  /** Name of every group by index (index 0 = whole match, unnamed groups ""). */
  readonly groupNames: readonly string[];
  /** Unanchored search, like Go's MatchString. */
  test(s: string): boolean;
  /** Start/end pairs of the first match and its groups (-1 for unmatched groups), or null. */
  firstMatch(s: string): number[] | null;
  /** Every non-overlapping match, Go's FindAllStringSubmatchIndex semantics. */
  allMatches(s: string): number[][];
  /** Go's Regexp.Expand: the template with `$n`, `${n}`, `$name`, `${name}` replaced; `$$` is `$`. */
  expand(template: string, s: string, match: readonly number[]): string;
  /** Go's ReplaceAllString; `map`, when given, post-processes each expanded replacement. */
  replaceAll(s: string, template: string, map?: (expanded: string) => string): string;
}

// Go's regexp rejects repeat counts over 1000 (re2js too) and programs beyond a size limit; we add
// a bound on the pattern length so a config cannot make us compile something enormous.
const MAX_PATTERN = 64 * 1024;

/**
 * Compiles an RE2 pattern. Syntax errors use Go's wording ("error parsing regexp: …"); they are
 * thrown as OttlCompileError, or passed to `onError` (which must throw) when given.
 */
export function compileRegex(pattern: string, onError?: (message: string) => never): Regex {
  const error = (message: string): never => {
    if (onError) onError(message);
    throw new OttlCompileError(message);
  };
  if (pattern.length > MAX_PATTERN) error(`error parsing regexp: expression too large`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    return error((err as Error).message);
  }
  return makeRegex(pattern, re);
}

function makeRegex(source: string, re: RE2JS): Regex {
  const engine = re.re2();
  const groupNames: string[] = new Array(re.groupCount() + 1).fill("");
  for (const [name, index] of Object.entries(re.namedGroups())) groupNames[index] = name;
  const self: Regex = {
    source,
    groupNames,
    test: (s) => re.test(s),
    firstMatch: (s) => (engine.findSubmatchIndex(s) as number[] | null) ?? null,
    allMatches: (s) => (engine.findAllSubmatchIndex(s, -1) as number[][] | null) ?? [],
    expand: (template, s, match) => expand(groupNames, template, s, match),
    replaceAll(s, template, map) {
      const matches = self.allMatches(s);
      if (matches.length === 0) return s;
      let out = "";
      let last = 0;
      for (const m of matches) {
        out += s.slice(last, m[0]);
        const repl = expand(groupNames, template, s, m);
        out += map ? map(repl) : repl;
        last = m[1]!;
      }
      return out + s.slice(last);
    },
  };
  return self;
}

/** Go's Regexp.expand (regexp.go), including its quirks: `$1x` names the group "1x". */
function expand(names: readonly string[], template: string, s: string, match: readonly number[]): string {
  let out = "";
  let t = template;
  for (;;) {
    const i = t.indexOf("$");
    if (i < 0) break;
    out += t.slice(0, i);
    t = t.slice(i + 1);
    if (t.startsWith("$")) {
      out += "$";
      t = t.slice(1);
      continue;
    }
    const ref = extractRef(t);
    if (!ref) {
      out += "$"; // malformed: the `$` stays as text
      continue;
    }
    t = ref.rest;
    const group = ref.num >= 0 ? ref.num : names.indexOf(ref.name, 1);
    if (group >= 0 && 2 * group + 1 < match.length && match[2 * group]! >= 0) {
      out += s.slice(match[2 * group], match[2 * group + 1]);
    }
  }
  return out + t;
}

/** Go's regexp.extract: a name of letters, digits and `_`, optionally in braces; numeric names are group numbers. */
function extractRef(t: string): { name: string; num: number; rest: string } | undefined {
  let brace = false;
  let str = t;
  if (str.startsWith("{")) {
    brace = true;
    str = str.slice(1);
  }
  let i = 0;
  while (i < str.length) {
    const cp = str.codePointAt(i)!;
    if (!/[\p{L}\p{Nd}_]/u.test(String.fromCodePoint(cp))) break;
    i += cp > 0xffff ? 2 : 1;
  }
  if (i === 0) return undefined;
  const name = str.slice(0, i);
  if (brace) {
    if (str[i] !== "}") return undefined;
    i++;
  }
  let num = /^[0-9]+$/.test(name) && name.length <= 8 ? Number(name) : -1;
  if (name.length > 1 && name[0] === "0") num = -1;
  return { name, num, rest: str.slice(i) };
}
