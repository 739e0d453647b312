// Converters over strings, lists and maps as collections (ottl.md §5.3): Len, Index,
// ContainsValue, Coalesce, Keys, Values. Membership uses OTTL equality (§2.3).

import { type OttlFunction, PList, PMap, TraceID, SpanID, defineConverter, fail, typeName, utf8Length, valuesEqual } from "../../function_api.ts";
import { utf8Bytes } from "../lib/utf8.ts";

/** Len(target): bytes of a string, elements of a list or bytes value, entries of a map; other types fail. */
export const len = defineConverter({
  name: "Len",
  params: { target: "Getter" },
  create: ({ target }) => (tctx) => {
    const v = target.get(tctx);
    if (typeof v === "string") return BigInt(utf8Length(v));
    if (v instanceof PList) return BigInt(v.length);
    if (v instanceof PMap) return BigInt(v.size);
    if (v instanceof Uint8Array) return BigInt(v.length);
    if (v instanceof TraceID || v instanceof SpanID) return BigInt(v.bytes.length);
    return fail(`unsupported type for Len: ${typeName(v)}`);
  },
});

/** Go strings.Index as a byte offset: -1 when absent. */
export function byteIndex(s: string, sub: string): number {
  const i = s.indexOf(sub);
  return i <= 0 ? i : utf8Bytes(s.slice(0, i)).length;
}

/** Index(target, value): first byte offset in a string or first position in a list; -1 when absent. */
export const index = defineConverter({
  name: "Index",
  params: { target: "Getter", value: "Getter" },
  create: ({ target, value }) => (tctx) => {
    const t = target.get(tctx);
    const v = value.get(tctx);
    if (typeof t === "string") {
      if (typeof v !== "string") return fail(`Index: value must be a string when target is a string, got ${typeName(v)}`);
      return BigInt(byteIndex(t, v));
    }
    if (t instanceof PList) {
      const items = t.values();
      return BigInt(items.findIndex((x) => valuesEqual(x, v)));
    }
    return fail(`Index: target must be a string or a slice, got ${typeName(t)}`);
  },
});

/** ContainsValue(target, item): membership in a list with OTTL equality. */
export const containsValue = defineConverter({
  name: "ContainsValue",
  params: { target: "PSliceGetter", item: "Getter" },
  create: ({ target, item }) => (tctx) => {
    const list = target.get(tctx);
    const v = item.get(tctx);
    return list.values().some((x) => valuesEqual(x, v));
  },
});

/** Coalesce(values[]): the first non-nil value, else nil (later values are not evaluated). */
export const coalesce = defineConverter({
  name: "Coalesce",
  params: { values: "Getter[]" },
  create({ values }, cx) {
    if (values.length === 0) cx.fail("values", "Coalesce needs at least one value");
    return (tctx) => {
      for (const g of values) {
        const v = g.get(tctx);
        if (v !== null) return v;
      }
      return null;
    };
  },
});

/** Keys(target): the keys of a map, in stored order. */
export const keys = defineConverter({
  name: "Keys",
  params: { target: "PMapGetter" },
  create: ({ target }) => (tctx) => PList.of(target.get(tctx).keys()),
});

/** Values(target): the values of a map, in stored order. */
export const values = defineConverter({
  name: "Values",
  params: { target: "PMapGetter" },
  create: ({ target }) => (tctx) => PList.of(target.get(tctx).entries().map(([, v]) => v)),
});

/** Every converter of this file. */
export const COLLECTION_CONVERTERS: readonly OttlFunction[] = [len, index, containsValue, coalesce, keys, values];
