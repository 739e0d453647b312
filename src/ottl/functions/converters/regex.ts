// Regex converters (ottl.md §5.3 "Regex, parsing and structure"): IsMatch and ExtractPatterns.
// Patterns are RE2 (re2js, linear time) and compiled at load, so a bad pattern is a config error.

import { type OttlFunction, PMap, compileRegex, defineConverter } from "../../function_api.ts";
import { pdataAsString } from "../lib/as_string.ts";

/** IsMatch(target, pattern): unanchored RE2 search; non-strings matched as their AsString text; nil → false. */
export const isMatch = defineConverter({
  name: "IsMatch",
  params: { target: "Getter", pattern: "string" },
  create({ target, pattern }, cx) {
    const re = compileRegex(pattern, (msg) => cx.fail("pattern", `the pattern supplied to IsMatch is not a valid regexp pattern: ${msg}`));
    return (tctx) => {
      const s = pdataAsString(target.get(tctx));
      return s !== null && re.test(s);
    };
  },
});

/** ExtractPatterns(target, pattern): named groups of the first match (unmatched groups ""); no match → empty map. */
export const extractPatterns = defineConverter({
  name: "ExtractPatterns",
  params: { target: "StringGetter", pattern: "string" },
  create({ target, pattern }, cx) {
    const re = compileRegex(pattern, (msg) => cx.fail("pattern", `the pattern supplied to ExtractPatterns is not a valid pattern: ${msg}`));
    const named = re.groupNames.map((name, i) => [name, i] as const).filter(([name, i]) => i > 0 && name !== "");
    if (named.length === 0) cx.fail("pattern", "at least 1 named capture group must be supplied in the given regex");
    return (tctx) => {
      const s = target.get(tctx);
      const m = re.firstMatch(s);
      const out = new PMap();
      if (m === null) return out;
      for (const [name, i] of named) {
        const start = m[2 * i] as number;
        out.set(name, start < 0 ? "" : s.slice(start, m[2 * i + 1]));
      }
      return out;
    };
  },
});

/** Every converter of this file. */
export const REGEX_CONVERTERS: readonly OttlFunction[] = [isMatch, extractPatterns];
