// The span and spanevent levels (ottl.md §3.4, §3.5).

import { create } from "@bufbuild/protobuf";
import {
  type Span,
  type Span_Event,
  Span_EventSchema,
  Span_LinkSchema,
  type Status,
  StatusSchema,
} from "../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { copy } from "../../otlp/codec.ts";
import { fail } from "../errors.ts";
import { type KeyFn, type PathDef, idField, int32Field, int64Field, mapPath, stringField, timeField } from "../paths.ts";
import type { TransformContext } from "../tctx.ts";
import { Opaque, PMap, type Value, typeName } from "../values.ts";
import type { Level } from "./level.ts";

/** Enums of the span contexts. */
export const SPAN_ENUMS: Readonly<Record<string, bigint>> = {
  SPAN_KIND_UNSPECIFIED: 0n,
  SPAN_KIND_INTERNAL: 1n,
  SPAN_KIND_SERVER: 2n,
  SPAN_KIND_CLIENT: 3n,
  SPAN_KIND_PRODUCER: 4n,
  SPAN_KIND_CONSUMER: 5n,
  STATUS_CODE_UNSET: 0n,
  STATUS_CODE_OK: 1n,
  STATUS_CODE_ERROR: 2n,
};

const KIND_NAMES = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"];
const KIND_DEPRECATED = KIND_NAMES.map((_, i) => Object.keys(SPAN_ENUMS)[i]!);

function span(tctx: TransformContext): Span {
  const s = tctx.span;
  if (!s) fail("no span in this context");
  return s;
}

function status(tctx: TransformContext, write: boolean): Status | undefined {
  const s = span(tctx);
  return write ? (s.status ??= create(StatusSchema)) : s.status;
}

function event(tctx: TransformContext): Span_Event {
  const e = tctx.event;
  if (!e) fail("no span event in this context");
  return e;
}

/** One member of a W3C tracestate, read or written as `span.trace_state["key"]`. */
const traceStateKeyed = {
  get(tctx: TransformContext, keys: readonly KeyFn[]): Value {
    const key = singleKey(tctx, keys);
    for (const member of members(span(tctx).traceState)) {
      const eq = member.indexOf("=");
      if (member.slice(0, eq).trim() === key) return member.slice(eq + 1).trim();
    }
    return null;
  },
  set(tctx: TransformContext, keys: readonly KeyFn[], v: Value): void {
    const key = singleKey(tctx, keys);
    if (typeof v !== "string") fail(`span.trace_state["${key}"] must be a string, got ${typeName(v)}`);
    if (!/^[a-z0-9][a-z0-9_\-*/@]*$/.test(key) || /[,=\s]/.test(v)) fail(`invalid tracestate member ${key}=${v}`);
    const rest = members(span(tctx).traceState).filter((m) => m.slice(0, m.indexOf("=")).trim() !== key);
    // W3C: an updated or added member moves to the front.
    span(tctx).traceState = [`${key}=${v}`, ...rest].join(",");
  },
};

function members(ts: string): string[] {
  return ts.split(",").map((m) => m.trim()).filter((m) => m.includes("="));
}

function singleKey(tctx: TransformContext, keys: readonly KeyFn[]): string {
  if (keys.length !== 1) fail("span.trace_state takes exactly one key");
  const k = keys[0]!(tctx);
  if (typeof k !== "string") fail("span.trace_state must be indexed by a string");
  return k;
}

/** A repeated message field read as an opaque handle and replaceable by another handle of its kind. */
function sliceField<T extends object>(kind: string, get: (tctx: TransformContext) => T[], set: (tctx: TransformContext, v: T[]) => void, copy: (x: T) => T): PathDef {
  return {
    get: (tctx) => new Opaque(kind, get(tctx)),
    set(tctx, v) {
      if (!(v instanceof Opaque) || v.kind !== kind) fail(`span.${kind} can only be set from another span's ${kind}`);
      set(tctx, (v.ref as T[]).map(copy));
    },
  };
}

/** The span level. */
export const spanLevel: Level = {
  name: "span",
  enums: SPAN_ENUMS,
  self: { get: (tctx) => new Opaque("span", span(tctx)), readOnly: "the whole span cannot be replaced; set its fields" },
  fields: {
    trace_id: idField("trace", (t) => span(t).traceId, (t, b) => (span(t).traceId = b), "span.trace_id"),
    span_id: idField("span", (t) => span(t).spanId, (t, b) => (span(t).spanId = b), "span.span_id"),
    parent_span_id: idField("span", (t) => span(t).parentSpanId, (t, b) => (span(t).parentSpanId = b), "span.parent_span_id"),
    trace_state: { ...stringField((t) => span(t).traceState, (t, v) => (span(t).traceState = v), "span.trace_state"), keyed: traceStateKeyed },
    name: stringField((t) => span(t).name, (t, v) => (span(t).name = v), "span.name"),
    kind: {
      ...int32Field((t) => span(t).kind, (t, v) => (span(t).kind = v), "span.kind", false),
      fields: {
        string: nameField(KIND_NAMES, "span.kind.string"),
        deprecated_string: nameField(KIND_DEPRECATED, "span.kind.deprecated_string"),
      },
    },
    start_time_unix_nano: int64Field((t) => span(t).startTimeUnixNano, (t, v) => (span(t).startTimeUnixNano = v), "span.start_time_unix_nano"),
    end_time_unix_nano: int64Field((t) => span(t).endTimeUnixNano, (t, v) => (span(t).endTimeUnixNano = v), "span.end_time_unix_nano"),
    start_time: timeField((t) => span(t).startTimeUnixNano, (t, v) => (span(t).startTimeUnixNano = v), "span.start_time"),
    end_time: timeField((t) => span(t).endTimeUnixNano, (t, v) => (span(t).endTimeUnixNano = v), "span.end_time"),
    attributes: mapPath((t) => new PMap(span(t).attributes), "span.attributes"),
    dropped_attributes_count: int32Field((t) => span(t).droppedAttributesCount, (t, v) => (span(t).droppedAttributesCount = v), "span.dropped_attributes_count", true),
    events: sliceField("events", (t) => span(t).events, (t, v) => (span(t).events = v), (e) => copy(Span_EventSchema, e)),
    dropped_events_count: int32Field((t) => span(t).droppedEventsCount, (t, v) => (span(t).droppedEventsCount = v), "span.dropped_events_count", true),
    links: sliceField("links", (t) => span(t).links, (t, v) => (span(t).links = v), (l) => copy(Span_LinkSchema, l)),
    dropped_links_count: int32Field((t) => span(t).droppedLinksCount, (t, v) => (span(t).droppedLinksCount = v), "span.dropped_links_count", true),
    status: {
      get: (t) => new Opaque("status", status(t, false) ?? create(StatusSchema)),
      set(t, v) {
        if (!(v instanceof Opaque) || v.kind !== "status") fail("span.status can only be set from another span's status");
        span(t).status = copy(StatusSchema, v.ref as Status);
      },
      fields: {
        code: int32Field((t) => status(t, false)?.code ?? 0, (t, v) => (status(t, true)!.code = v), "span.status.code", false),
        message: stringField((t) => status(t, false)?.message ?? "", (t, v) => (status(t, true)!.message = v), "span.status.message"),
      },
    },
    flags: int32Field((t) => span(t).flags, (t, v) => (span(t).flags = v), "span.flags", true),
  },
};

/** span.kind.string / deprecated_string: a name from a fixed table, settable by name. */
function nameField(names: readonly string[], what: string): PathDef {
  return stringField(
    (t) => names[span(t).kind] ?? "",
    (t, v) => {
      const i = names.indexOf(v);
      if (i < 0) fail(`${what} must be one of ${names.join(", ")}, got ${JSON.stringify(v)}`);
      span(t).kind = i;
    },
    what,
  );
}

/** The spanevent level. */
export const spanEventLevel: Level = {
  name: "spanevent",
  enums: SPAN_ENUMS,
  self: { get: (tctx) => new Opaque("spanevent", event(tctx)), readOnly: "the whole span event cannot be replaced; set its fields" },
  fields: {
    name: stringField((t) => event(t).name, (t, v) => (event(t).name = v), "spanevent.name"),
    time_unix_nano: int64Field((t) => event(t).timeUnixNano, (t, v) => (event(t).timeUnixNano = v), "spanevent.time_unix_nano"),
    time: timeField((t) => event(t).timeUnixNano, (t, v) => (event(t).timeUnixNano = v), "spanevent.time"),
    attributes: mapPath((t) => new PMap(event(t).attributes), "spanevent.attributes"),
    dropped_attributes_count: int32Field((t) => event(t).droppedAttributesCount, (t, v) => (event(t).droppedAttributesCount = v), "spanevent.dropped_attributes_count", true),
    event_index: { get: (t) => BigInt(t.eventIndex ?? -1), readOnly: "spanevent.event_index is read-only" },
  },
};
