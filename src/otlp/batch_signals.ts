// Everything that differs between traces, metrics and logs, in one table, so the batch code is
// written once. The three signals have the same envelope (request → resource entries → scope
// entries → items); only schemas and field names differ.

import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestLiteSchema, ResourceLogsLiteSchema } from "../../gen/lite/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestLiteSchema, ResourceMetricsLiteSchema } from "../../gen/lite/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestLiteSchema, ResourceSpansLiteSchema } from "../../gen/lite/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema, ExportMetricsServiceResponseSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ResourceLogsSchema, ScopeLogsSchema } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { ScopeLogs } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import {
  ExponentialHistogramSchema,
  GaugeSchema,
  HistogramSchema,
  MetricSchema,
  ResourceMetricsSchema,
  ScopeMetricsSchema,
  SumSchema,
  SummarySchema,
} from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Metric, ScopeMetrics } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Resource } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { ResourceSpansSchema, ScopeSpansSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import type { ScopeSpans } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { Role, type Shape, shapeOf } from "./batch_scan.ts";

export type Signal = "traces" | "metrics" | "logs";

/** A resource entry (ResourceSpans, ResourceMetricsLite, …) through the fields all share. */
export type EntryMsg = Message & { resource?: Resource; schemaUrl: string };

/** A scope entry of any signal in the full view. */
export type ScopeMsg = ScopeSpans | ScopeMetrics | ScopeLogs;

/** Schemas and field names of one signal. */
export interface Codec {
  readonly signal: Signal;
  readonly liteRequest: DescMessage;
  readonly fullRequest: DescMessage;
  readonly liteEntry: DescMessage;
  readonly fullEntry: DescMessage;
  readonly scope: DescMessage;
  readonly response: DescMessage;
  /** Request field holding the resource entries: "resourceSpans", … */
  readonly entriesKey: string;
  /** Entry field holding the scope entries: "scopeSpans", … */
  readonly scopesKey: string;
  /** Scope field holding the items; undefined for metrics, whose items sit one level deeper. */
  readonly itemsKey: "spans" | "logRecords" | undefined;
  /** Partial-success field counting rejected items: "rejectedSpans", … */
  readonly rejectedKey: string;
  /** Wire number of the scope field holding items (spans, metrics, log_records). */
  readonly scopeItemsField: number;
  /** Validation table of the full request. */
  readonly shape: Shape;
}

/** The oneof members of Metric.data, each a message whose data_points are the items. */
const metricData = [GaugeSchema, SumSchema, HistogramSchema, ExponentialHistogramSchema, SummarySchema];

/** Which fields count items; numbers come from the descriptors (checked in tests/otlp/wire.test.ts). */
function countingRoles(): Map<DescField, Role> {
  const roles = new Map<DescField, Role>([
    [ExportTraceServiceRequestSchema.field.resourceSpans!, Role.Entry],
    [ExportMetricsServiceRequestSchema.field.resourceMetrics!, Role.Entry],
    [ExportLogsServiceRequestSchema.field.resourceLogs!, Role.Entry],
    [ResourceSpansSchema.field.scopeSpans!, Role.Scope],
    [ResourceMetricsSchema.field.scopeMetrics!, Role.Scope],
    [ResourceLogsSchema.field.scopeLogs!, Role.Scope],
    [ScopeSpansSchema.field.spans!, Role.Item],
    [ScopeLogsSchema.field.logRecords!, Role.Item],
    [ScopeMetricsSchema.field.metrics!, Role.Sum],
  ]);
  for (const f of MetricSchema.oneofs.find((o) => o.name === "data")!.fields) roles.set(f, Role.Case);
  for (const d of metricData) roles.set(d.field.dataPoints!, Role.Item);
  return roles;
}

const roles = countingRoles();

/** Metric fields that hold the data oneof (gauge, sum, histogram, exponential_histogram, summary). */
export const METRIC_DATA_FIELDS: ReadonlySet<number> = new Set(MetricSchema.oneofs.find((o) => o.name === "data")!.fields.map((f) => f.number));

/** The field number of data_points in every Metric.data message (the same in all five). */
export const DATA_POINTS_FIELD: number = GaugeSchema.field.dataPoints!.number;

export const codecs: { readonly [S in Signal]: Codec } = {
  traces: {
    signal: "traces",
    liteRequest: ExportTraceServiceRequestLiteSchema,
    fullRequest: ExportTraceServiceRequestSchema,
    liteEntry: ResourceSpansLiteSchema,
    fullEntry: ResourceSpansSchema,
    scope: ScopeSpansSchema,
    response: ExportTraceServiceResponseSchema,
    entriesKey: "resourceSpans",
    scopesKey: "scopeSpans",
    itemsKey: "spans",
    rejectedKey: "rejectedSpans",
    scopeItemsField: ScopeSpansSchema.field.spans!.number,
    shape: shapeOf(ExportTraceServiceRequestSchema, roles),
  },
  metrics: {
    signal: "metrics",
    liteRequest: ExportMetricsServiceRequestLiteSchema,
    fullRequest: ExportMetricsServiceRequestSchema,
    liteEntry: ResourceMetricsLiteSchema,
    fullEntry: ResourceMetricsSchema,
    scope: ScopeMetricsSchema,
    response: ExportMetricsServiceResponseSchema,
    entriesKey: "resourceMetrics",
    scopesKey: "scopeMetrics",
    itemsKey: undefined,
    rejectedKey: "rejectedDataPoints",
    scopeItemsField: ScopeMetricsSchema.field.metrics!.number,
    shape: shapeOf(ExportMetricsServiceRequestSchema, roles),
  },
  logs: {
    signal: "logs",
    liteRequest: ExportLogsServiceRequestLiteSchema,
    fullRequest: ExportLogsServiceRequestSchema,
    liteEntry: ResourceLogsLiteSchema,
    fullEntry: ResourceLogsSchema,
    scope: ScopeLogsSchema,
    response: ExportLogsServiceResponseSchema,
    entriesKey: "resourceLogs",
    scopesKey: "scopeLogs",
    itemsKey: "logRecords",
    rejectedKey: "rejectedLogRecords",
    scopeItemsField: ScopeLogsSchema.field.logRecords!.number,
    shape: shapeOf(ExportLogsServiceRequestSchema, roles),
  },
};

/** Reads a keyed array field of a generated message (the keys differ per signal). */
export function listOf<T>(msg: object, key: string): T[] {
  return (msg as Record<string, T[]>)[key]!;
}

/** Writes a keyed array field of a generated message. */
export function setList(msg: object, key: string, list: unknown[]): void {
  (msg as Record<string, unknown[]>)[key] = list;
}

/** Data points of a full metric (0 when its data is unset). */
export function pointsOf(m: Metric): number {
  return m.data.case === undefined ? 0 : m.data.value.dataPoints.length;
}

/** Items of one full scope entry. */
export function countScope(codec: Codec, scope: ScopeMsg): number {
  if (codec.itemsKey) return listOf(scope, codec.itemsKey).length;
  let n = 0;
  for (const m of (scope as ScopeMetrics).metrics) n += pointsOf(m);
  return n;
}

/** Items of one full resource entry. */
export function countEntry(codec: Codec, entry: EntryMsg): number {
  let n = 0;
  for (const s of listOf<ScopeMsg>(entry, codec.scopesKey)) n += countScope(codec, s);
  return n;
}
