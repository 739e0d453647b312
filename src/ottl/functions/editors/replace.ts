// The replace_* family — ottl.md §5.1, E5, E13. Regex replacement follows Go's ReplaceAllString
// and Regexp.Expand; with `function` each expanded replacement goes through the converter (e.g.
// SHA256) and then through `replacementFormat` (exactly one %s).

import {
  type CompileContext,
  type FunctionArg,
  type Getter,
  PMap,
  type Regex,
  type TransformContext,
  type Value,
  compileRegex,
  defineEditor,
  fail,
  opt,
} from "../../function_api.ts";
import { compileGlob } from "../../glob.ts";
import { OttlCompileError } from "../../errors.ts";

/** Builds the per-match replacement: template expansion, then the optional function and format. */
type Replacer = (tctx: TransformContext, re: Regex, s: string) => string;

function replacerFor(
  replacement: Getter<string>,
  fn: FunctionArg | undefined,
  format: Getter<string> | undefined,
  cx: CompileContext,
): Replacer {
  if (format?.literal && typeof format.literal.value === "string") checkFormat(format.literal.value, cx);
  if (!fn) return (tctx, re, s) => re.replaceAll(s, replacement.get(tctx));
  return (tctx, re, s) => {
    const template = replacement.get(tctx);
    const fmt = format?.get(tctx);
    return re.replaceAll(s, template, (expanded) => applyFunction(tctx, fn, expanded, fmt));
  };
}

function applyFunction(tctx: TransformContext, fn: FunctionArg, input: string, format: string | undefined): string {
  const out = fn.call(tctx, input);
  if (typeof out !== "string") fail("replacement value is not a string");
  if (format === undefined) return out;
  if (countVerbs(format) !== 1) fail("replacementFormat must be format string containing a single %s");
  return format.replace("%s", out);
}

function checkFormat(format: string, cx: CompileContext): void {
  if (countVerbs(format) !== 1) cx.fail("replacement_format", "replacementFormat must be format string containing a single %s");
}

function countVerbs(format: string): number {
  return format.split("%s").length - 1;
}

function regexArg(pattern: string, fnName: string, cx: CompileContext, param = "regex"): Regex {
  return compileRegex(pattern, (msg) => cx.fail(param, `the regex pattern supplied to ${fnName} is not a valid pattern: ${msg}`));
}

function globArg(pattern: string, cx: CompileContext): Regex {
  try {
    return compileGlob(pattern);
  } catch (err) {
    if (err instanceof OttlCompileError) cx.fail("pattern", err.message);
    throw err;
  }
}

/** replace_pattern(target, regex, replacement, Optional[function], Optional[replacementFormat]). */
export const replacePattern = defineEditor({
  name: "replace_pattern",
  params: { target: "GetSetter", regex: "string", replacement: "StringGetter", function: opt("Function"), replacement_format: opt("StringGetter") },
  create({ target, regex, replacement, function: fn, replacement_format }, cx) {
    const re = regexArg(regex, "replace_pattern", cx);
    const replace = replacerFor(replacement, fn, replacement_format, cx);
    return (tctx) => {
      const v = target.get(tctx);
      if (typeof v !== "string") return; // nil and non-strings: no-op
      const out = replace(tctx, re, v);
      if (out !== v) target.set(tctx, out);
    };
  },
});

/** replace_all_patterns(target, mode, regex, replacement, Optional[function], Optional[replacementFormat]). */
export const replaceAllPatterns = defineEditor({
  name: "replace_all_patterns",
  params: {
    target: "PMapGetter",
    mode: { type: "string", oneOf: ["key", "value"] },
    regex: "string",
    replacement: "StringGetter",
    function: opt("Function"),
    replacement_format: opt("StringGetter"),
  },
  create({ target, mode, regex, replacement, function: fn, replacement_format }, cx) {
    const re = regexArg(regex, "replace_all_patterns", cx);
    const replace = replacerFor(replacement, fn, replacement_format, cx);
    if (mode === "value") {
      return (tctx) => {
        for (const kv of target.get(tctx).kvs) {
          const v = kv.value?.value;
          if (v?.case === "stringValue" && re.test(v.value)) v.value = replace(tctx, re, v.value);
        }
      };
    }
    return (tctx) => {
      const m = target.get(tctx);
      if (!m.kvs.some((kv) => re.test(kv.key))) return;
      // Rebuild: a renamed key that collides with a later one is overwritten by it, as upstream's PutEmpty does.
      const renamed = m.entries().map(([k, v]) => [re.test(k) ? replace(tctx, re, k) : k, v] as const);
      const copy = new Map<string, Value>();
      for (const [k, v] of renamed) copy.set(k, v);
      m.replaceWith(PMap.of(copy));
    };
  },
});

/** replace_match(target, pattern, replacement, Optional[function], Optional[replacementFormat]): glob, whole string. */
export const replaceMatch = defineEditor({
  name: "replace_match",
  params: { target: "GetSetter", pattern: "string", replacement: "StringGetter", function: opt("Function"), replacement_format: opt("StringGetter") },
  create({ target, pattern, replacement, function: fn, replacement_format }, cx) {
    const glob = globArg(pattern, cx);
    if (replacement_format?.literal && typeof replacement_format.literal.value === "string") checkFormat(replacement_format.literal.value, cx);
    return (tctx) => {
      const v = target.get(tctx);
      if (typeof v !== "string" || !glob.test(v)) return;
      target.set(tctx, matchReplacement(tctx, replacement, fn, replacement_format));
    };
  },
});

/** replace_all_matches(target, pattern, replacement, Optional[function], Optional[replacementFormat]). */
export const replaceAllMatches = defineEditor({
  name: "replace_all_matches",
  params: { target: "PMapGetter", pattern: "string", replacement: "StringGetter", function: opt("Function"), replacement_format: opt("StringGetter") },
  create({ target, pattern, replacement, function: fn, replacement_format }, cx) {
    const glob = globArg(pattern, cx);
    if (replacement_format?.literal && typeof replacement_format.literal.value === "string") checkFormat(replacement_format.literal.value, cx);
    return (tctx) => {
      for (const kv of target.get(tctx).kvs) {
        const v = kv.value?.value;
        if (v?.case === "stringValue" && glob.test(v.value)) v.value = matchReplacement(tctx, replacement, fn, replacement_format);
      }
    };
  },
});

function matchReplacement(tctx: TransformContext, replacement: Getter<string>, fn: FunctionArg | undefined, format: Getter<string> | undefined): string {
  const r = replacement.get(tctx);
  return fn ? applyFunction(tctx, fn, r, format?.get(tctx)) : r;
}
