// Attribute values as label values: pdata's Value.AsString, which is what Alloy's converter
// uses (spec: alloy-components.md §6.1, prometheus.md §2 "Values").

import { base64Encode } from "@bufbuild/protobuf/wire";
import type { AnyValue, KeyValue } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";

/**
 * Strings as-is, bools `true`/`false`, ints in decimal, doubles in shortest (ES6) form, bytes
 * as standard base64, arrays and maps as JSON the way Go's encoding/json writes them.
 */
export function attributeString(v: AnyValue | undefined): string {
  const x = v?.value;
  switch (x?.case) {
    case "stringValue":
      return x.value;
    case "boolValue":
      return x.value ? "true" : "false";
    case "intValue":
      return x.value.toString();
    case "doubleValue":
      return doubleString(x.value);
    case "bytesValue":
      return base64Encode(x.value);
    case "arrayValue":
    case "kvlistValue":
      return goJson(json(v));
    default:
      return "";
  }
}

/**
 * pdata writes doubles like ES6's Number#toString, which is String(). For the infinities and
 * NaN (which JSON cannot hold and Go renders as an error text) Prometheus' spellings are used.
 */
function doubleString(n: number): string {
  if (Number.isFinite(n)) return String(n);
  return Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf";
}

/** The JSON text of a value; ints stay exact (they may exceed 2^53). */
function json(v: AnyValue | undefined): string {
  const x = v?.value;
  switch (x?.case) {
    case "stringValue":
      return JSON.stringify(x.value);
    case "boolValue":
      return x.value ? "true" : "false";
    case "intValue":
      return x.value.toString();
    case "doubleValue":
      return Number.isFinite(x.value) ? String(x.value) : "null";
    case "bytesValue":
      return JSON.stringify(base64Encode(x.value));
    case "arrayValue":
      return `[${x.value.values.map(json).join(",")}]`;
    case "kvlistValue":
      return jsonObject(x.value.values);
    default:
      return "null";
  }
}

/** Go marshals maps with sorted keys; a repeated key keeps its last value, as in a Go map. */
function jsonObject(kvs: readonly KeyValue[]): string {
  const byKey = new Map<string, AnyValue | undefined>();
  for (const kv of kvs) byKey.set(kv.key, kv.value);
  const keys = [...byKey.keys()].sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${json(byKey.get(k))}`).join(",")}}`;
}

/** encoding/json escapes HTML-significant characters and the JS line separators. */
function goJson(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
