// pcommon.Value.AsString(): how upstream renders a non-string value where it needs text without a
// StringLikeGetter (IsMatch targets, ToKeyValueString values; ottl.md §5.3). Differs from the
// StringLikeGetter rendering in two ways: bytes are base64 (not hex), floats use ES6 formatting.

import { PList, PMap, type Value, toJSON, toStringLike } from "../../values.ts";
import { bytesToBase64 } from "./base64.ts";

/** The AsString text of a value; nil → null. */
export function pdataAsString(v: Value): string | null {
  if (v === null || typeof v === "string") return v;
  if (v instanceof Uint8Array) return bytesToBase64(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : toStringLike(v);
  if (v instanceof PMap || v instanceof PList) return toJSON(v);
  return toStringLike(v);
}
