// The log level (ottl.md §3.9).

import { create } from "@bufbuild/protobuf";
import { type AnyValue, AnyValueSchema } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { LogRecord } from "../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { fail } from "../errors.ts";
import { type KeyFn, idField, int32Field, int64Field, mapPath, readKeys, stringField, timeField, writeKeys } from "../paths.ts";
import type { TransformContext } from "../tctx.ts";
import { Opaque, PList, PMap, type Value, fromAny, toStringLike, typeName, writeAny } from "../values.ts";
import type { Level } from "./level.ts";

const SEVERITIES = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/** Enums of the log context: SEVERITY_NUMBER_*. */
export const LOG_ENUMS: Readonly<Record<string, bigint>> = Object.fromEntries([
  ["SEVERITY_NUMBER_UNSPECIFIED", 0n],
  ...SEVERITIES.flatMap((name, i) => [1, 2, 3, 4].map((n) => [`SEVERITY_NUMBER_${name}${n === 1 ? "" : n}`, BigInt(i * 4 + n)] as const)),
]);

function log(tctx: TransformContext): LogRecord {
  const l = tctx.log;
  if (!l) fail("no log record in this context");
  return l;
}

function body(tctx: TransformContext): AnyValue {
  const l = log(tctx);
  return (l.body ??= create(AnyValueSchema));
}

/** `log.body[…]`: only map and list bodies can be indexed (E9, issue 31132). */
const bodyKeyed = {
  get(tctx: TransformContext, keys: readonly KeyFn[]): Value {
    const b = fromAny(log(tctx).body);
    if (!(b instanceof PMap) && !(b instanceof PList)) fail(`log bodies of type ${typeName(b)} cannot be indexed`);
    return readKeys(tctx, b, keys);
  },
  set(tctx: TransformContext, keys: readonly KeyFn[], v: Value): void {
    const b = body(tctx);
    const c = b.value.case;
    if (c !== "kvlistValue" && c !== "arrayValue" && c !== undefined) fail(`log bodies of type ${typeName(fromAny(b))} cannot be indexed`);
    writeKeys(tctx, b, keys, v);
  },
};

/** The log level. */
export const logLevel: Level = {
  name: "log",
  enums: LOG_ENUMS,
  self: { get: (t) => new Opaque("log", log(t)), readOnly: "the whole log record cannot be replaced; set its fields" },
  fields: {
    body: {
      get: (t) => fromAny(log(t).body),
      set(t, v) {
        writeAny(body(t), v);
      },
      keyed: bodyKeyed,
      fields: {
        string: stringField((t) => toStringLike(fromAny(log(t).body)) ?? "", (t, v) => writeAny(body(t), v), "log.body.string"),
      },
    },
    attributes: mapPath((t) => new PMap(log(t).attributes), "log.attributes"),
    time_unix_nano: int64Field((t) => log(t).timeUnixNano, (t, v) => (log(t).timeUnixNano = v), "log.time_unix_nano"),
    observed_time_unix_nano: int64Field((t) => log(t).observedTimeUnixNano, (t, v) => (log(t).observedTimeUnixNano = v), "log.observed_time_unix_nano"),
    time: timeField((t) => log(t).timeUnixNano, (t, v) => (log(t).timeUnixNano = v), "log.time"),
    observed_time: timeField((t) => log(t).observedTimeUnixNano, (t, v) => (log(t).observedTimeUnixNano = v), "log.observed_time"),
    severity_number: int32Field((t) => log(t).severityNumber, (t, v) => (log(t).severityNumber = v), "log.severity_number", false),
    severity_text: stringField((t) => log(t).severityText, (t, v) => (log(t).severityText = v), "log.severity_text"),
    trace_id: idField("trace", (t) => log(t).traceId, (t, b) => (log(t).traceId = b), "log.trace_id"),
    span_id: idField("span", (t) => log(t).spanId, (t, b) => (log(t).spanId = b), "log.span_id"),
    flags: int32Field((t) => log(t).flags, (t, v) => (log(t).flags = v), "log.flags", true),
    dropped_attributes_count: int32Field((t) => log(t).droppedAttributesCount, (t, v) => (log(t).droppedAttributesCount = v), "log.dropped_attributes_count", true),
    event_name: stringField((t) => log(t).eventName, (t, v) => (log(t).eventName = v), "log.event_name"),
  },
};
