// OTLP/JSON (otlp.md §3) on top of protobuf-es' proto3 JSON. protobuf-es has no per-field hook,
// so ids are converted by key name around it: hex → base64 in a JSON.parse reviver before
// fromJson, base64 → hex in a JSON.stringify replacer after toJson. Rewriting by key is safe
// because OTLP has no map<> or Struct fields: user-chosen strings only ever appear as values
// (KeyValue.key), never as object keys, and no other bytes field is named like an id.

import { fromJson, toJson } from "@bufbuild/protobuf";
import type { DescMessage, JsonValue, MessageShape } from "@bufbuild/protobuf";
import { SPAN_ID_BYTES, TRACE_ID_BYTES, base64ToHex, hexIdToBase64 } from "./ids.ts";
import { BatchDecodeError } from "./wire.ts";

/** Id keys (both spellings) → id size in bytes. Covers Span, Span.Link, LogRecord and Exemplar. */
const ID_SIZES: ReadonlyMap<string, number> = new Map([
  ["traceId", TRACE_ID_BYTES],
  ["trace_id", TRACE_ID_BYTES],
  ["spanId", SPAN_ID_BYTES],
  ["span_id", SPAN_ID_BYTES],
  ["parentSpanId", SPAN_ID_BYTES],
  ["parent_span_id", SPAN_ID_BYTES],
]);

/** The third reviver argument where the runtime implements JSON.parse source text access. */
interface ReviverContext {
  source?: string;
}

/** Parses OTLP/JSON text into a message of `schema`; throws BatchDecodeError naming the problem. */
export function parseOtlpJson<Desc extends DescMessage>(schema: Desc, text: string): MessageShape<Desc> {
  let value: JsonValue;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, revive) as JsonValue;
  } catch (err) {
    if (err instanceof BatchDecodeError) throw err;
    throw new BatchDecodeError(`invalid JSON: ${messageOf(err)}`, { cause: err });
  }
  try {
    // §3.4: unknown fields must be ignored. Enum names and snake_case keys are accepted as is.
    return fromJson(schema, value, { ignoreUnknownFields: true });
  } catch (err) {
    throw new BatchDecodeError(`invalid OTLP JSON: ${messageOf(err)}`, { cause: err });
  }
}

/** Formats a message as OTLP/JSON: camelCase keys, integer enums, hex ids, 64-bit ints as strings. */
export function formatOtlpJson<Desc extends DescMessage>(schema: Desc, msg: MessageShape<Desc>): string {
  return JSON.stringify(toJson(schema, msg, { enumAsInteger: true }), replaceIds);
}

function revive(key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value === "string") {
    const size = ID_SIZES.get(key);
    if (size === undefined) return value;
    const b64 = hexIdToBase64(value, size);
    if (b64 === undefined) throw new BatchDecodeError(`invalid ${key} ${JSON.stringify(clip(value))}: want ${2 * size} hex characters or ""`);
    return b64;
  }
  // JSON numbers beyond 2^53 lose digits in JSON.parse (§3.5). Where the runtime shows the source
  // text (Bun, recent V8), pass the exact digits on as a string, which int64 fields accept.
  if (typeof value === "number" && !Number.isSafeInteger(value) && Number.isInteger(value)) {
    const source = context?.source;
    if (source !== undefined && /^-?\d+$/.test(source)) return source;
  }
  return value;
}

function replaceIds(key: string, value: unknown): unknown {
  return typeof value === "string" && ID_SIZES.has(key) ? base64ToHex(value) : value;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
