// Deterministic OTLP requests for `solder telemetrygen`: spans, data points or log records with
// a configurable number and size of attributes, drawn from a seeded PRNG so two runs with the
// same flags send the same ids and values (timestamps are taken from the clock at start). Requests are built and encoded once, before the load starts,
// so the generator spends its time on the wire, not in protobuf-es.

import { create, toBinary } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { type KeyValue, KeyValueSchema } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { LogRecordSchema, type ResourceLogs, ResourceLogsSchema, ScopeLogsSchema, SeverityNumber } from "../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import {
  AggregationTemporality,
  MetricSchema,
  NumberDataPointSchema,
  type ResourceMetrics,
  ResourceMetricsSchema,
  ScopeMetricsSchema,
} from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { ResourceSchema } from "../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { type ResourceSpans, ResourceSpansSchema, ScopeSpansSchema, SpanSchema, Span_SpanKind, Status_StatusCode } from "../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { Batch, type Signal } from "../../otlp/batch.ts";

/** How generated items look. */
export interface Shape {
  signal: Signal;
  /** Items (spans, data points, log records) per request. */
  items: number;
  /** Attributes per item. */
  attributes: number;
  /** Length of each attribute's string value, in characters. */
  attributeSize: number;
  /** Resource attributes besides service.name. */
  resourceAttributes: number;
  serviceName: string;
}

/** A request ready to send: protobuf and OTLP/JSON encodings and the item count. */
export interface Payload {
  items: number;
  protobuf: Uint8Array;
  json: Uint8Array;
}

/** mulberry32: a small, fast, seedable PRNG with uniform output in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomString(rand: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

function randomBytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  if (b.every((x) => x === 0)) b[0] = 1; // all-zero ids are invalid
  return b;
}

function stringKv(key: string, value: string): KeyValue {
  return create(KeyValueSchema, { key, value: { value: { case: "stringValue", value } } });
}

function itemAttributes(rand: () => number, shape: Shape): KeyValue[] {
  const out: KeyValue[] = [];
  for (let i = 0; i < shape.attributes; i++) out.push(stringKv(`attr.${i}`, randomString(rand, shape.attributeSize)));
  return out;
}

function resourceOf(rand: () => number, shape: Shape) {
  const attrs = [stringKv("service.name", shape.serviceName), stringKv("deployment.environment", "bench"), stringKv("service.version", "1.0.0")];
  for (let i = 0; i < shape.resourceAttributes; i++) attrs.push(stringKv(`resource.attr.${i}`, randomString(rand, shape.attributeSize)));
  return create(ResourceSchema, { attributes: attrs });
}

const SCOPE = { name: "solder-telemetrygen", version: "1" };

function spansResource(rand: () => number, shape: Shape, n: number, nowNs: bigint): ResourceSpans {
  const traceId = randomBytes(rand, 16);
  const spans = [];
  for (let i = 0; i < n; i++) {
    const start = nowNs - BigInt(Math.floor(rand() * 1e9));
    spans.push(
      create(SpanSchema, {
        traceId: i % 10 === 0 ? randomBytes(rand, 16) : traceId,
        spanId: randomBytes(rand, 8),
        name: `span-${i % 16}`,
        kind: Span_SpanKind.SERVER,
        startTimeUnixNano: start,
        endTimeUnixNano: start + BigInt(Math.floor(rand() * 1e8)),
        attributes: itemAttributes(rand, shape),
        status: { code: Status_StatusCode.OK },
      }),
    );
  }
  return create(ResourceSpansSchema, { resource: resourceOf(rand, shape), scopeSpans: [create(ScopeSpansSchema, { scope: SCOPE, spans })] });
}

function metricsResource(rand: () => number, shape: Shape, n: number, nowNs: bigint): ResourceMetrics {
  const metrics = [];
  for (let i = 0; i < n; i++) {
    const point = create(NumberDataPointSchema, {
      timeUnixNano: nowNs,
      startTimeUnixNano: nowNs - 60_000_000_000n,
      attributes: itemAttributes(rand, shape),
      value: { case: "asDouble", value: Math.floor(rand() * 1e6) / 100 },
    });
    // Half gauges, half cumulative monotonic sums; ten distinct names bound the series count.
    const data =
      i % 2 === 0
        ? { case: "gauge" as const, value: { dataPoints: [point] } }
        : { case: "sum" as const, value: { dataPoints: [point], aggregationTemporality: AggregationTemporality.CUMULATIVE, isMonotonic: true } };
    metrics.push(create(MetricSchema, { name: `telemetrygen.metric.${i % 10}`, unit: "1", data }));
  }
  return create(ResourceMetricsSchema, { resource: resourceOf(rand, shape), scopeMetrics: [create(ScopeMetricsSchema, { scope: SCOPE, metrics })] });
}

function logsResource(rand: () => number, shape: Shape, n: number, nowNs: bigint): ResourceLogs {
  const logRecords = [];
  for (let i = 0; i < n; i++) {
    logRecords.push(
      create(LogRecordSchema, {
        timeUnixNano: nowNs - BigInt(Math.floor(rand() * 1e9)),
        observedTimeUnixNano: nowNs,
        severityNumber: SeverityNumber.INFO,
        severityText: "INFO",
        body: { value: { case: "stringValue", value: `log message ${randomString(rand, 32)}` } },
        attributes: itemAttributes(rand, shape),
        traceId: randomBytes(rand, 16),
        spanId: randomBytes(rand, 8),
      }),
    );
  }
  return create(ResourceLogsSchema, { resource: resourceOf(rand, shape), scopeLogs: [create(ScopeLogsSchema, { scope: SCOPE, logRecords })] });
}

/** Encodes one request of `n` items as protobuf and OTLP/JSON. */
function buildPayload(rand: () => number, shape: Shape, n: number, nowNs: bigint): Payload {
  let protobuf: Uint8Array;
  let batch: Batch<Signal>;
  if (shape.signal === "traces") {
    const rs = spansResource(rand, shape, n, nowNs);
    protobuf = toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [rs] }));
    batch = Batch.fromResources("traces", [rs]);
  } else if (shape.signal === "metrics") {
    const rm = metricsResource(rand, shape, n, nowNs);
    protobuf = toBinary(ExportMetricsServiceRequestSchema, create(ExportMetricsServiceRequestSchema, { resourceMetrics: [rm] }));
    batch = Batch.fromResources("metrics", [rm]);
  } else {
    const rl = logsResource(rand, shape, n, nowNs);
    protobuf = toBinary(ExportLogsServiceRequestSchema, create(ExportLogsServiceRequestSchema, { resourceLogs: [rl] }));
    batch = Batch.fromResources("logs", [rl]);
  }
  return { items: n, protobuf, json: new TextEncoder().encode(batch.toJson()) };
}

/**
 * Builds `variants` distinct full-size requests plus, when `tailItems` > 0, one smaller request
 * for the remainder of a count-bounded run. Ids repeat every `variants` requests.
 */
export function buildPayloads(shape: Shape, seed: number, variants: number, tailItems: number): { pool: Payload[]; tail: Payload | undefined } {
  const rand = prng(seed);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const pool: Payload[] = [];
  for (let i = 0; i < variants; i++) pool.push(buildPayload(rand, shape, shape.items, nowNs));
  const tail = tailItems > 0 ? buildPayload(rand, shape, tailItems, nowNs) : undefined;
  return { pool, tail };
}
