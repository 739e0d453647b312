// Sample OTLP requests shared by the tests under tests/otlp: every signal, every metric type,
// several resources and scopes, a resource-less entry and empty envelopes.
import { clone, create, fromBinary, toBinary, toJsonString } from "@bufbuild/protobuf";
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import type { ExportLogsServiceRequest } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import type { ExportMetricsServiceRequest } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { ExportTraceServiceRequest } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { KeyValueSchema } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { ScopeLogsSchema, SeverityNumber } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { LogRecordSchema } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { AggregationTemporality, MetricSchema, ScopeMetricsSchema } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { ResourceSchema } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { ScopeSpansSchema, Span_SpanKind, Status_StatusCode } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import type { SpanSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";

export const T0 = 1_700_000_000_000_000_000n;
export const TRACE_ID = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + (i % 16));
export const spanId = (n: number): Uint8Array => Uint8Array.of(0xab, 0, 0, 0, 0, 0, n >> 8, n & 0xff);

export function str(key: string, value: string): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: "stringValue", value } } };
}

export function int(key: string, value: bigint): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: "intValue", value } } };
}

export function resource(name: string): MessageInitShape<typeof ResourceSchema> {
  return { attributes: [str("service.name", name), int("process.pid", 42n)], droppedAttributesCount: 1 };
}

export function span(n: number): MessageInitShape<typeof SpanSchema> {
  return {
    traceId: TRACE_ID,
    spanId: spanId(n),
    parentSpanId: n > 1 ? spanId(1) : new Uint8Array(),
    flags: 0x101,
    name: `op-${n}`,
    kind: Span_SpanKind.SERVER,
    startTimeUnixNano: T0 + BigInt(n),
    endTimeUnixNano: T0 + BigInt(n) + 1000n,
    attributes: [str("http.route", `/r/${n}`), int("n", BigInt(n))],
    events: [{ timeUnixNano: T0, name: "e", attributes: [str("k", "v")] }],
    links: [{ traceId: TRACE_ID, spanId: spanId(999), flags: 0x300 }],
    status: { code: Status_StatusCode.ERROR, message: "ü-boom" },
  };
}

/** 2 + 0 + 3 spans in resource A (scopes a1, empty, a2), 2 in B (no resource). 7 spans. */
export function traces(): ExportTraceServiceRequest {
  return create(ExportTraceServiceRequestSchema, {
    resourceSpans: [
      {
        resource: resource("a"),
        schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
        scopeSpans: [
          { scope: { name: "a1", version: "1.0", attributes: [str("x", "y")] }, spans: [span(1), span(2)], schemaUrl: "s1" },
          { scope: { name: "empty" } },
          { scope: { name: "a2" }, spans: [span(3), span(4), span(5)] },
        ],
      },
      { scopeSpans: [{ spans: [span(6), span(7)] }] },
    ],
  });
}

function point(n: number) {
  return { attributes: [str("p", String(n))], startTimeUnixNano: T0, timeUnixNano: T0 + BigInt(n) };
}

/** All five metric types; data points: gauge 2, sum 1, histogram 2, exp-histogram 1, summary 3, empty 0 → 9; plus 1 in resource B. 10. */
export function metrics(): ExportMetricsServiceRequest {
  const exemplar = { timeUnixNano: T0, value: { case: "asDouble" as const, value: 1.5 }, traceId: TRACE_ID, spanId: spanId(1) };
  return create(ExportMetricsServiceRequestSchema, {
    resourceMetrics: [
      {
        resource: resource("m"),
        scopeMetrics: [
          {
            scope: { name: "meter" },
            metrics: [
              { name: "g", unit: "1", data: { case: "gauge", value: { dataPoints: [{ ...point(1), value: { case: "asInt", value: -7n }, exemplars: [exemplar] }, { ...point(2), value: { case: "asDouble", value: 2 } }] } } },
              { name: "s", data: { case: "sum", value: { isMonotonic: true, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints: [{ ...point(3), value: { case: "asDouble", value: 3.5 }, flags: 1 }] } } },
              { name: "empty" },
              { name: "h", data: { case: "histogram", value: { aggregationTemporality: AggregationTemporality.DELTA, dataPoints: [{ ...point(4), count: 3n, bucketCounts: [1n, 2n], explicitBounds: [10], min: 0, max: 9 }, { ...point(5), count: 1n, sum: 2 }] } } },
              { name: "e", data: { case: "exponentialHistogram", value: { dataPoints: [{ ...point(6), count: 2n, sum: 0, scale: -3, zeroCount: 1n, positive: { offset: -2, bucketCounts: [1n] }, zeroThreshold: 1e-9 }] } } },
              { name: "q", metadata: [str("m", "n")], data: { case: "summary", value: { dataPoints: [7, 8, 9].map((n) => ({ ...point(n), count: 4n, sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }] })) } } },
            ],
          },
        ],
      },
      { resource: resource("m2"), scopeMetrics: [{ metrics: [{ name: "g2", data: { case: "gauge", value: { dataPoints: [{ ...point(10), value: { case: "asInt", value: 1n } }] } } }] }] },
    ],
  });
}

export function logRecord(n: number): MessageInitShape<typeof LogRecordSchema> {
  return {
    timeUnixNano: T0 + BigInt(n),
    observedTimeUnixNano: T0,
    severityNumber: SeverityNumber.WARN,
    severityText: "WARN",
    body: { value: { case: "stringValue", value: `line ${n}` } },
    attributes: [str("n", String(n))],
    flags: 1,
    traceId: TRACE_ID,
    spanId: spanId(n),
    eventName: n % 2 ? "ev" : "",
  };
}

/** 3 + 1 log records in one resource, 0 in an empty resource entry. 4. */
export function logs(): ExportLogsServiceRequest {
  return create(ExportLogsServiceRequestSchema, {
    resourceLogs: [
      { resource: resource("l"), scopeLogs: [{ scope: { name: "logger" }, logRecords: [logRecord(1), logRecord(2), logRecord(3)] }, { logRecords: [logRecord(4)] }] },
      { resource: resource("empty") },
    ],
  });
}

export const tracesBytes = (): Uint8Array => toBinary(ExportTraceServiceRequestSchema, traces());
export const metricsBytes = (): Uint8Array => toBinary(ExportMetricsServiceRequestSchema, metrics());
export const logsBytes = (): Uint8Array => toBinary(ExportLogsServiceRequestSchema, logs());

/** One item with its context, as canonical JSON, for comparing batches item by item. */
export type Flat = string[];


const requestSchemas: Record<"traces" | "metrics" | "logs", DescMessage> = {
  traces: ExportTraceServiceRequestSchema,
  metrics: ExportMetricsServiceRequestSchema,
  logs: ExportLogsServiceRequestSchema,
};

/** The full request schema of a signal. */
export function requestSchema(signal: "traces" | "metrics" | "logs"): DescMessage {
  return requestSchemas[signal];
}

/**
 * Decodes request bytes with the full schema and lists every item with its resource and scope
 * (and, for metrics, its metric without data points) — what a split must preserve.
 */
export function flatten(signal: "traces" | "metrics" | "logs", bytes: Uint8Array): Flat {
  const out: Flat = [];
  if (signal === "traces") {
    const req = fromBinary(ExportTraceServiceRequestSchema, bytes);
    for (const r of req.resourceSpans) {
      const res = toJsonString(ResourceSchema, r.resource ?? create(ResourceSchema)) + r.schemaUrl;
      for (const s of r.scopeSpans) {
        const scope = toJsonString(ScopeSpansSchema, { ...s, spans: [] });
        for (const sp of s.spans) out.push(`${res}|${scope}|${sp.name}|${sp.spanId.join(",")}`);
      }
    }
  } else if (signal === "logs") {
    const req = fromBinary(ExportLogsServiceRequestSchema, bytes);
    for (const r of req.resourceLogs) {
      const res = toJsonString(ResourceSchema, r.resource ?? create(ResourceSchema)) + r.schemaUrl;
      for (const s of r.scopeLogs) {
        const scope = toJsonString(ScopeLogsSchema, { ...s, logRecords: [] });
        for (const l of s.logRecords) out.push(`${res}|${scope}|${l.timeUnixNano}`);
      }
    }
  } else {
    const req = fromBinary(ExportMetricsServiceRequestSchema, bytes);
    for (const r of req.resourceMetrics) {
      const res = toJsonString(ResourceSchema, r.resource ?? create(ResourceSchema)) + r.schemaUrl;
      for (const s of r.scopeMetrics) {
        const scope = toJsonString(ScopeMetricsSchema, { ...s, metrics: [] });
        for (const m of s.metrics) {
          if (m.data.case === undefined) continue;
          const points = m.data.value.dataPoints as { timeUnixNano: bigint }[];
          const shell = clone(MetricSchema, m);
          (shell.data.value as { dataPoints: unknown[] }).dataPoints = [];
          const metric = toJsonString(MetricSchema, shell);
          for (const p of points) out.push(`${res}|${scope}|${metric}|${p.timeUnixNano}`);
        }
      }
    }
  }
  return out;
}
