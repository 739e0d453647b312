// OTLP values as the end-to-end emitter writes what it sent (tests/e2e/emitter.ts), so what a
// sink decoded can be compared with it item by item.

import type { AnyValue, KeyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Any, Attr } from "../e2e/emitter.ts";

/** Lowercase hex of bytes (ids). */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** An AnyValue in the emitter's canonical form. */
export function anyOf(v: AnyValue | undefined): Any {
  const x = v?.value;
  switch (x?.case) {
    case "stringValue":
      return { s: x.value };
    case "intValue":
      return { i: x.value.toString() };
    case "doubleValue":
      return { d: x.value };
    case "boolValue":
      return { b: x.value };
    case "bytesValue":
      return { bytes: hex(x.value) };
    case "arrayValue":
      return { a: x.value.values.map(anyOf) };
    case "kvlistValue":
      return { kv: attrsOf(x.value.values) };
    case undefined:
      return {};
    default:
      throw new Error(`unexpected AnyValue case ${x?.case}`);
  }
}

/** Attributes in the emitter's canonical form. */
export function attrsOf(kvs: KeyValue[]): Attr[] {
  return kvs.map((kv) => [kv.key, anyOf(kv.value)]);
}
