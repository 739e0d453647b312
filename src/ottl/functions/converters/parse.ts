// Parsing converters (ottl.md §5.3 "Regex, parsing and structure"): ParseJSON, ParseKeyValue,
// ToKeyValueString, URL.

import { type OttlFunction, PList, PMap, type Value, defineConverter, fail, fromPlain, opt, typeName } from "../../function_api.ts";
import { pdataAsString } from "../lib/as_string.ts";
import { formatKeyValuePairs, parseKeyValuePairs } from "../lib/keyvalue.ts";
import { formatGoURL, formatUserinfo, parseGoURL, splitHostPort, urlText } from "../lib/url.ts";
import { utf8Decode } from "../lib/utf8.ts";

/**
 * Parses JSON text into a detached map or list. Every number becomes a float (§7.1 item 9), null
 * becomes nil; anything but an object or an array at the top is an error.
 */
export function parseJsonValue(text: string): PMap | PList {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return fail(`ParseJSON: invalid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object") {
    return fail(`ParseJSON: could not convert parsed value of type ${parsed === null ? "nil" : typeof parsed} to a map or a slice`);
  }
  return fromPlain(parsed) as PMap | PList;
}

/** ParseJSON(target): a map or list from a JSON string (or UTF-8 bytes); invalid JSON → error (E8). */
export const parseJson = defineConverter({
  name: "ParseJSON",
  params: { target: "Getter" },
  create: ({ target }) => (tctx) => {
    const v = target.get(tctx);
    if (typeof v === "string") return parseJsonValue(v);
    if (v instanceof Uint8Array) return parseJsonValue(utf8Decode(v));
    return fail(`ParseJSON: expected a string, got ${typeName(v)}`);
  },
});

/** The delimiter pair of ParseKeyValue/ToKeyValueString: empty means default; equal ones fail at load. */
function delimiters(d: string | undefined, p: string | undefined, fail: (param: string, msg: string) => never): [string, string] {
  const delimiter = d === undefined || d === "" ? "=" : d;
  const pairDelimiter = p === undefined || p === "" ? " " : p;
  if (delimiter === pairDelimiter) fail("pair_delimiter", `pair delimiter ${JSON.stringify(pairDelimiter)} cannot be equal to delimiter ${JSON.stringify(delimiter)}`);
  return [delimiter, pairDelimiter];
}

/** ParseKeyValue(target, Optional[delimiter], Optional[pair_delimiter]): a map of strings; empty input → error. */
export const parseKeyValue = defineConverter({
  name: "ParseKeyValue",
  params: { target: "StringGetter", delimiter: opt("string"), pair_delimiter: opt("string") },
  create({ target, delimiter, pair_delimiter }, cx) {
    const [d, p] = delimiters(delimiter, pair_delimiter, (param, msg) => cx.fail(param, msg));
    return (tctx) => PMap.of(parseKeyValuePairs(target.get(tctx), d, p));
  },
});

/** ToKeyValueString(target, Optional[delimiter], Optional[pair_delimiter], Optional[sort_output]): the inverse. */
export const toKeyValueString = defineConverter({
  name: "ToKeyValueString",
  params: { target: "PMapGetter", delimiter: opt("string"), pair_delimiter: opt("string"), sort_output: opt("bool") },
  create({ target, delimiter, pair_delimiter, sort_output }, cx) {
    const [d, p] = delimiters(delimiter, pair_delimiter, (param, msg) => cx.fail(param, msg));
    const sort = sort_output ?? false;
    return (tctx) => {
      const seen = new Set<string>();
      const entries: Array<[string, string]> = [];
      for (const [k, v] of target.get(tctx).entries()) {
        if (seen.has(k)) continue; // pdata maps have unique keys; the first one wins
        seen.add(k);
        entries.push([k, pdataAsString(v) ?? ""]);
      }
      return formatKeyValuePairs(entries, d, p, sort);
    };
  },
});

/** URL parts as upstream's semconv mapping (parseutils.ParseURI): always original/scheme/domain/path. */
export function urlAttributes(text: string): Array<[string, Value]> {
  let u;
  try {
    u = parseGoURL(text);
  } catch (err) {
    return fail(`parse ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
  const [host, port] = splitHostPort(u.host);
  const path = urlText(u.path);
  const out: Array<[string, Value]> = [
    ["url.original", formatGoURL(u)],
    ["url.scheme", urlText(u.scheme)],
    ["url.domain", urlText(host)],
    ["url.path", path],
  ];
  if (port !== "") {
    const n = BigInt(port);
    if (n > (1n << 63n) - 1n) fail(`strconv.Atoi: parsing ${JSON.stringify(port)}: value out of range`);
    out.push(["url.port", n]);
  }
  if (u.fragment !== "") out.push(["url.fragment", urlText(u.fragment)]);
  if (u.user !== undefined) {
    out.push(["url.user_info", formatUserinfo(u.user)]);
    if (u.user.username !== "") out.push(["url.username", urlText(u.user.username)]);
    if (u.user.password !== undefined) out.push(["url.password", urlText(u.user.password)]);
  }
  if (u.rawQuery !== "") out.push(["url.query", urlText(u.rawQuery)]);
  const dot = path.lastIndexOf(".");
  if (dot >= 0 && dot < path.length - 1) out.push(["url.extension", path.slice(dot + 1)]);
  return out;
}

/** URL(url_string): a map of url.* attributes (ottl.md §5.3). */
export const url = defineConverter({
  name: "URL",
  params: { url_string: "StringGetter" },
  create: ({ url_string }) => (tctx) => PMap.of(urlAttributes(url_string.get(tctx))),
});

/** Every converter of this file. */
export const PARSE_CONVERTERS: readonly OttlFunction[] = [parseJson, parseKeyValue, toKeyValueString, url];
