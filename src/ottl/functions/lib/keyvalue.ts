// key=value text for ParseKeyValue and ToKeyValueString (ottl.md §5.3), following upstream's
// parseutils.SplitString (quote-aware splitting, quotes stripped) and buildKVString (quote keys
// and values that contain a delimiter, escaping their double quotes).

import { fail } from "../../errors.ts";
import { compareUtf8 } from "../../values.ts";

/**
 * parseutils.SplitString: splits on `delimiter` outside single or double quotes, strips the quote
 * characters, drops empty pieces; an unterminated quote is an error.
 */
export function splitQuoted(input: string, delimiter: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote = "";
  for (let i = 0; i < input.length; i++) {
    if (quote === "" && input.startsWith(delimiter, i)) {
      if (current !== "") out.push(current);
      current = "";
      i += delimiter.length - 1;
      continue;
    }
    const c = input[i] as string;
    if (quote === "" && (c === '"' || c === "'")) {
      quote = c;
      continue;
    }
    if (c === quote) {
      quote = "";
      continue;
    }
    current += c;
  }
  if (quote !== "") fail("never reached the end of a quoted value");
  if (current !== "") out.push(current);
  return out;
}

/** ParseKeyValue's core: pairs split at the first `delimiter`, keys and values trimmed; later duplicates win. */
export function parseKeyValuePairs(source: string, delimiter: string, pairDelimiter: string): Array<[string, string]> {
  if (source === "") fail("cannot parse from empty target");
  let pairs: string[];
  try {
    pairs = splitQuoted(source, pairDelimiter);
  } catch (err) {
    return fail(`splitting source ${JSON.stringify(source)} into pairs failed: ${(err as Error).message}`);
  }
  const out = new Map<string, string>();
  for (const p of pairs) {
    const at = p.indexOf(delimiter);
    if (at < 0) fail(`cannot split ${JSON.stringify(p)} into 2 items, got 1 item(s)`);
    out.set(p.slice(0, at).trim(), p.slice(at + delimiter.length).trim());
  }
  return [...out];
}

/** Quotes `s` when it contains either delimiter, escaping its double quotes. */
function quoteIfNeeded(s: string, delimiter: string, pairDelimiter: string): string {
  return s.includes(delimiter) || s.includes(pairDelimiter) ? `"${s.replaceAll('"', '\\"')}"` : s;
}

/** ToKeyValueString's core: `k=v` pairs joined by `pairDelimiter`, optionally sorted by key. */
export function formatKeyValuePairs(
  entries: ReadonlyArray<readonly [string, string]>,
  delimiter: string,
  pairDelimiter: string,
  sort: boolean,
): string {
  const list = sort ? [...entries].sort((a, b) => compareUtf8(a[0], b[0])) : entries;
  return list.map(([k, v]) => quoteIfNeeded(k, delimiter, pairDelimiter) + delimiter + quoteIfNeeded(v, delimiter, pairDelimiter)).join(pairDelimiter);
}
