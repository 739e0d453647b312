// Less common converters (ottl.md §5.3, tier C, plus the span-only IsRootSpan of §5.2): IsRootSpan,
// Base64Decode, IsValidLuhn, IsInCIDR, Sort, SliceToMap.

import { type OttlFunction, PList, PMap, type Value, compareUtf8, defineConverter, fail, opt, typeName } from "../../function_api.ts";
import { pdataAsString } from "../lib/as_string.ts";
import { base64ToBytes } from "../lib/base64.ts";
import { type Cidr, cidrContains, parseCIDR, parseIP } from "../lib/ip.ts";
import { utf8Decode } from "../lib/utf8.ts";

/** IsRootSpan(): whether the span's parent span id is all zeros (span context only). */
export const isRootSpan = defineConverter({
  name: "IsRootSpan",
  params: {},
  contexts: ["span"],
  create: () => (tctx) => {
    const span = tctx.span ?? fail("IsRootSpan needs a span");
    return span.parentSpanId.every((b) => b === 0);
  },
});

/** Base64Decode(value): deprecated upstream in favour of Decode(value, "base64"). */
export const base64Decode = defineConverter({
  name: "Base64Decode",
  params: { value: "StringGetter" },
  create: ({ value }) => (tctx) => {
    const s = value.get(tctx);
    const bytes = base64ToBytes(s, "base64");
    if (bytes === null) fail(`illegal base64 data in ${JSON.stringify(s)}`);
    return utf8Decode(bytes as Uint8Array);
  },
});

/** The Luhn checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return total % 10 === 0;
}

/** IsValidLuhn(value): a digit string or a non-negative int passes the Luhn check; other values fail. */
export const isValidLuhn = defineConverter({
  name: "IsValidLuhn",
  params: { value: "Getter" },
  create: ({ value }) => (tctx) => {
    const v = value.get(tctx);
    const digits = typeof v === "bigint" && v >= 0n ? v.toString() : typeof v === "string" ? v : undefined;
    if (digits === undefined || !/^[0-9]+$/.test(digits)) return fail(`IsValidLuhn: expected a string of digits or an int, got ${typeName(v)} ${JSON.stringify(String(v))}`);
    return luhnValid(digits);
  },
});

/** IsInCIDR(target, networks[]): whether the IP address lies in any network; networks are validated at load. */
export const isInCIDR = defineConverter({
  name: "IsInCIDR",
  params: { target: "StringGetter", networks: "string[]" },
  create({ target, networks }, cx) {
    const nets: Cidr[] = networks.map((n) => parseCIDR(n) ?? cx.fail("networks", `invalid CIDR address: ${n}`));
    return (tctx) => {
      const s = target.get(tctx);
      const ip = parseIP(s) ?? fail(`IsInCIDR: invalid IP address ${JSON.stringify(s)}`);
      return nets.some((n) => cidrContains(n, ip));
    };
  },
});

/** How Sort compares a list, decided by the element types (upstream's table). */
function sortKeyKind(items: readonly Value[]): "int" | "number" | "string" {
  let ints = 0;
  let floats = 0;
  let strings = 0;
  for (const v of items) {
    if (typeof v === "bigint") ints++;
    else if (typeof v === "number") floats++;
    else if (typeof v === "string") strings++;
    else if (typeof v !== "boolean") fail(`Sort: unsupported element type ${typeName(v)}`);
  }
  if (ints === items.length) return "int";
  if (ints + floats === items.length) return "number";
  return "string";
}

/** Sort(target, Optional[order]): a sorted copy (stable); mixed types compare as their text. */
export const sort = defineConverter({
  name: "Sort",
  params: { target: "PSliceGetter", order: { type: "string", optional: true, oneOf: ["asc", "desc"] } },
  create({ target, order }) {
    const sign = order === "desc" ? -1 : 1;
    return (tctx) => {
      const items = target.get(tctx).values();
      const kind = sortKeyKind(items);
      const cmp =
        kind === "int"
          ? (a: Value, b: Value) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0)
          : kind === "number"
            ? (a: Value, b: Value) => Number(a) - Number(b)
            : (a: Value, b: Value) => compareUtf8(pdataAsString(a) ?? "", pdataAsString(b) ?? "");
      return PList.of([...items].sort((a, b) => sign * cmp(a, b)));
    };
  },
});

/** Follows a key path through nested maps; undefined when a step is missing or not a map. */
function at(v: Value, path: readonly string[]): Value | undefined {
  let cur: Value | undefined = v;
  for (const k of path) {
    if (!(cur instanceof PMap) || !cur.has(k)) return undefined;
    cur = cur.get(k);
  }
  return cur;
}

/** SliceToMap(target, Optional[key_path], Optional[value_path]): a list of maps keyed by a field (or by index). */
export const sliceToMap = defineConverter({
  name: "SliceToMap",
  params: { target: "PSliceGetter", key_path: opt("string[]"), value_path: opt("string[]") },
  create({ target, key_path, value_path }, cx) {
    if (key_path?.length === 0) cx.fail("key_path", "key path must contain at least one element");
    return (tctx) => {
      const out = new PMap();
      target.get(tctx).values().forEach((item, i) => {
        let key = String(i);
        if (key_path) {
          if (!(item instanceof PMap)) fail(`SliceToMap: could not cast element ${i} to a map`);
          const k = at(item, key_path);
          if (typeof k !== "string") fail(`SliceToMap: could not extract key from element ${i}`);
          key = k as string;
        }
        let value: Value = item;
        if (value_path && value_path.length > 0) {
          const v = at(item, value_path);
          if (v === undefined) fail(`SliceToMap: could not extract value from element ${i}`);
          value = v as Value;
        }
        out.set(key, value);
      });
      return out;
    };
  },
});

/** Every converter of this file. */
export const MISC_CONVERTERS: readonly OttlFunction[] = [isRootSpan, base64Decode, isValidLuhn, isInCIDR, sort, sliceToMap];
