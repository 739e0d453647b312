// The detailed text dump of `otelcol.exporter.debug` (verbosity = "detailed"): every resource,
// scope and record with attributes, ids in hex and timestamps in Go's time format, laid out
// like the Collector's debug exporter. The only place that decodes a lite batch for output.

import { base64Encode } from "@bufbuild/protobuf/wire";
import { type Batch, type Signal, bytesToHex as hex } from "../../../otlp/index.ts";
import type { AnyValue, InstrumentationScope, KeyValue } from "../../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { LogRecord, ResourceLogs } from "../../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { SeverityNumber } from "../../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { Exemplar, ExponentialHistogramDataPoint, HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, SummaryDataPoint } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { AggregationTemporality } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Resource } from "../../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import type { ResourceSpans, Span } from "../../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { Span_SpanKind, Status_StatusCode } from "../../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";

/** The whole batch as text, one line per fact. */
export function dumpBatch(batch: Batch<Signal>): string {
  const out: string[] = [];
  switch (batch.signal) {
    case "traces":
      (batch as Batch<"traces">).full().forEach((r, i) => dumpResourceSpans(out, r, i));
      break;
    case "metrics":
      (batch as Batch<"metrics">).full().forEach((r, i) => dumpResourceMetrics(out, r, i));
      break;
    default:
      (batch as Batch<"logs">).full().forEach((r, i) => dumpResourceLogs(out, r, i));
  }
  return out.join("\n");
}

function dumpResource(out: string[], kind: string, i: number, schemaUrl: string, resource: Resource | undefined): void {
  out.push(`${kind} #${i}`, `Resource SchemaURL: ${schemaUrl}`);
  attributes(out, "Resource attributes", resource?.attributes ?? []);
}

function dumpScope(out: string[], kind: string, i: number, schemaUrl: string, scope: InstrumentationScope | undefined): void {
  out.push(`${kind} #${i}`, `${kind} SchemaURL: ${schemaUrl}`, `InstrumentationScope ${scope?.name ?? ""} ${scope?.version ?? ""}`.trimEnd());
  if (scope && scope.attributes.length > 0) attributes(out, "InstrumentationScope attributes", scope.attributes);
}

function dumpResourceSpans(out: string[], r: ResourceSpans, i: number): void {
  dumpResource(out, "ResourceSpans", i, r.schemaUrl, r.resource);
  r.scopeSpans.forEach((s, j) => {
    dumpScope(out, "ScopeSpans", j, s.schemaUrl, s.scope);
    s.spans.forEach((span, k) => dumpSpan(out, span, k));
  });
}

function dumpSpan(out: string[], s: Span, i: number): void {
  out.push(
    `Span #${i}`,
    `    Trace ID       : ${hex(s.traceId)}`,
    `    Parent ID      : ${hex(s.parentSpanId)}`,
    `    ID             : ${hex(s.spanId)}`,
    `    Name           : ${s.name}`,
    `    Kind           : ${SPAN_KINDS[s.kind] ?? `SpanKind(${s.kind})`}`,
    `    TraceState     : ${s.traceState}`,
    `    Start time     : ${goTime(s.startTimeUnixNano)}`,
    `    End time       : ${goTime(s.endTimeUnixNano)}`,
    `    Status code    : ${STATUS_CODES[s.status?.code ?? 0] ?? `StatusCode(${s.status?.code})`}`,
    `    Status message : ${s.status?.message ?? ""}`,
    `    DroppedAttributesCount: ${s.droppedAttributesCount}`,
    `    DroppedEventsCount: ${s.droppedEventsCount}`,
    `    DroppedLinksCount: ${s.droppedLinksCount}`,
  );
  attributes(out, "Attributes", s.attributes);
  if (s.events.length > 0) out.push("Events:");
  s.events.forEach((e, j) => {
    out.push(`SpanEvent #${j}`, `     -> Name: ${e.name}`, `     -> Timestamp: ${goTime(e.timeUnixNano)}`, `     -> DroppedAttributesCount: ${e.droppedAttributesCount}`);
    nestedAttributes(out, e.attributes);
  });
  if (s.links.length > 0) out.push("Links:");
  s.links.forEach((l, j) => {
    out.push(`SpanLink #${j}`, `     -> Trace ID: ${hex(l.traceId)}`, `     -> ID: ${hex(l.spanId)}`, `     -> TraceState: ${l.traceState}`, `     -> DroppedAttributesCount: ${l.droppedAttributesCount}`);
    nestedAttributes(out, l.attributes);
  });
}

function dumpResourceLogs(out: string[], r: ResourceLogs, i: number): void {
  dumpResource(out, "ResourceLog", i, r.schemaUrl, r.resource);
  r.scopeLogs.forEach((s, j) => {
    dumpScope(out, "ScopeLogs", j, s.schemaUrl, s.scope);
    s.logRecords.forEach((rec, k) => dumpLogRecord(out, rec, k));
  });
}

function dumpLogRecord(out: string[], l: LogRecord, i: number): void {
  out.push(
    `LogRecord #${i}`,
    `ObservedTimestamp: ${goTime(l.observedTimeUnixNano)}`,
    `Timestamp: ${goTime(l.timeUnixNano)}`,
    `SeverityText: ${l.severityText}`,
    `SeverityNumber: ${severityName(l.severityNumber)}(${l.severityNumber})`,
  );
  if (l.eventName !== "") out.push(`EventName: ${l.eventName}`);
  out.push(`Body: ${anyValue(l.body)}`);
  attributes(out, "Attributes", l.attributes);
  out.push(`Trace ID: ${hex(l.traceId)}`, `Span ID: ${hex(l.spanId)}`, `Flags: ${l.flags}`);
}

function dumpResourceMetrics(out: string[], r: ResourceMetrics, i: number): void {
  dumpResource(out, "ResourceMetrics", i, r.schemaUrl, r.resource);
  r.scopeMetrics.forEach((s, j) => {
    dumpScope(out, "ScopeMetrics", j, s.schemaUrl, s.scope);
    s.metrics.forEach((m, k) => dumpMetric(out, m, k));
  });
}

function dumpMetric(out: string[], m: Metric, i: number): void {
  out.push(`Metric #${i}`, "Descriptor:", `     -> Name: ${m.name}`, `     -> Description: ${m.description}`, `     -> Unit: ${m.unit}`);
  const d = m.data;
  switch (d.case) {
    case "gauge":
      out.push("     -> DataType: Gauge");
      d.value.dataPoints.forEach((p, j) => numberPoint(out, p, j));
      break;
    case "sum":
      out.push("     -> DataType: Sum", `     -> IsMonotonic: ${d.value.isMonotonic}`, `     -> AggregationTemporality: ${temporality(d.value.aggregationTemporality)}`);
      d.value.dataPoints.forEach((p, j) => numberPoint(out, p, j));
      break;
    case "histogram":
      out.push("     -> DataType: Histogram", `     -> AggregationTemporality: ${temporality(d.value.aggregationTemporality)}`);
      d.value.dataPoints.forEach((p, j) => histogramPoint(out, p, j));
      break;
    case "exponentialHistogram":
      out.push("     -> DataType: ExponentialHistogram", `     -> AggregationTemporality: ${temporality(d.value.aggregationTemporality)}`);
      d.value.dataPoints.forEach((p, j) => exponentialPoint(out, p, j));
      break;
    case "summary":
      out.push("     -> DataType: Summary");
      d.value.dataPoints.forEach((p, j) => summaryPoint(out, p, j));
      break;
    default:
      out.push("     -> DataType: Empty");
  }
}

function pointHeader(out: string[], kind: string, i: number, p: { attributes: KeyValue[]; startTimeUnixNano: bigint; timeUnixNano: bigint }): void {
  out.push(`${kind} #${i}`);
  attributes(out, "Data point attributes", p.attributes);
  out.push(`StartTimestamp: ${goTime(p.startTimeUnixNano)}`, `Timestamp: ${goTime(p.timeUnixNano)}`);
}

function numberPoint(out: string[], p: NumberDataPoint, i: number): void {
  pointHeader(out, "NumberDataPoints", i, p);
  out.push(`Value: ${numberValue(p.value)}`);
  exemplars(out, p.exemplars);
}

function histogramPoint(out: string[], p: HistogramDataPoint, i: number): void {
  pointHeader(out, "HistogramDataPoints", i, p);
  out.push(`Count: ${p.count}`);
  if (p.sum !== undefined) out.push(`Sum: ${fixed(p.sum)}`);
  if (p.min !== undefined) out.push(`Min: ${fixed(p.min)}`);
  if (p.max !== undefined) out.push(`Max: ${fixed(p.max)}`);
  p.explicitBounds.forEach((b, j) => out.push(`ExplicitBounds #${j}: ${fixed(b)}`));
  p.bucketCounts.forEach((c, j) => out.push(`Buckets #${j}, Count: ${c}`));
  exemplars(out, p.exemplars);
}

function exponentialPoint(out: string[], p: ExponentialHistogramDataPoint, i: number): void {
  pointHeader(out, "ExponentialHistogramDataPoints", i, p);
  out.push(`Count: ${p.count}`);
  if (p.sum !== undefined) out.push(`Sum: ${fixed(p.sum)}`);
  if (p.min !== undefined) out.push(`Min: ${fixed(p.min)}`);
  if (p.max !== undefined) out.push(`Max: ${fixed(p.max)}`);
  // Bucket index k covers (base^k, base^(k+1)] with base = 2^(2^-scale); negatives mirror it.
  const base = 2 ** (2 ** -p.scale);
  const neg = p.negative?.bucketCounts ?? [];
  for (let j = neg.length - 1; j >= 0; j--) {
    const k = (p.negative?.offset ?? 0) + j;
    out.push(`Bucket [${fixed(-(base ** (k + 1)))}, ${fixed(-(base ** k))}), Count: ${neg[j]}`);
  }
  out.push(`Bucket [0, 0], Count: ${p.zeroCount}`);
  (p.positive?.bucketCounts ?? []).forEach((c, j) => {
    const k = (p.positive?.offset ?? 0) + j;
    out.push(`Bucket (${fixed(base ** k)}, ${fixed(base ** (k + 1))}], Count: ${c}`);
  });
  exemplars(out, p.exemplars);
}

function summaryPoint(out: string[], p: SummaryDataPoint, i: number): void {
  pointHeader(out, "SummaryDataPoints", i, p);
  out.push(`Count: ${p.count}`, `Sum: ${fixed(p.sum)}`);
  p.quantileValues.forEach((q, j) => out.push(`QuantileValue #${j}: Quantile ${q.quantile}, Value ${fixed(q.value)}`));
}

function exemplars(out: string[], list: Exemplar[]): void {
  if (list.length === 0) return;
  out.push("Exemplars:");
  list.forEach((e, j) => {
    out.push(`Exemplar #${j}`, `     -> Trace ID: ${hex(e.traceId)}`, `     -> Span ID: ${hex(e.spanId)}`, `     -> Timestamp: ${goTime(e.timeUnixNano)}`, `     -> Value: ${numberValue(e.value)}`);
    if (e.filteredAttributes.length > 0) out.push("     -> FilteredAttributes: ");
    nestedAttributes(out, e.filteredAttributes);
  });
}

function attributes(out: string[], title: string, attrs: KeyValue[]): void {
  if (attrs.length === 0) return;
  out.push(`${title}:`);
  for (const kv of attrs) out.push(`     -> ${kv.key}: ${anyValue(kv.value)}`);
}

function nestedAttributes(out: string[], attrs: KeyValue[]): void {
  if (attrs.length === 0) return;
  out.push("     -> Attributes::");
  for (const kv of attrs) out.push(`          -> ${kv.key}: ${anyValue(kv.value)}`);
}

/** pdata's rendering of a value: `Str(x)`, `Int(1)`, `Map({"k":"v"})`, … */
export function anyValue(v: AnyValue | undefined): string {
  const x = v?.value;
  switch (x?.case) {
    case "stringValue":
      return `Str(${x.value})`;
    case "boolValue":
      return `Bool(${x.value})`;
    case "intValue":
      return `Int(${x.value})`;
    case "doubleValue":
      return `Double(${x.value})`;
    case "bytesValue":
      return `Bytes(${base64Encode(x.value)})`;
    case "arrayValue":
      return `Slice(${JSON.stringify(x.value.values.map(plain))})`;
    case "kvlistValue":
      return `Map(${JSON.stringify(plainMap(x.value.values))})`;
    default:
      return "Empty()";
  }
}

function plain(v: AnyValue | undefined): unknown {
  const x = v?.value;
  switch (x?.case) {
    case "stringValue":
    case "boolValue":
    case "doubleValue":
      return x.value;
    case "intValue":
      return Number(x.value);
    case "bytesValue":
      return base64Encode(x.value);
    case "arrayValue":
      return x.value.values.map(plain);
    case "kvlistValue":
      return plainMap(x.value.values);
    default:
      return null;
  }
}

function plainMap(kvs: KeyValue[]): Record<string, unknown> {
  return Object.fromEntries(kvs.map((kv) => [kv.key, plain(kv.value)]));
}

function numberValue(v: NumberDataPoint["value"] | Exemplar["value"]): string {
  if (v.case === "asInt") return String(v.value);
  if (v.case === "asDouble") return fixed(v.value);
  return "";
}

/** Go's %f: six decimals. */
function fixed(n: number): string {
  return Number.isFinite(n) ? n.toFixed(6) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
}

/** Go's time.Time.String() in UTC: `2023-11-11 04:49:03.509369393 +0000 UTC`, fraction trimmed. */
export function goTime(unixNano: bigint): string {
  const ms = unixNano / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const nanos = ((unixNano % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const frac = nanos === 0n ? "" : "." + nanos.toString().padStart(9, "0").replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

const SPAN_KINDS: Record<number, string> = {
  [Span_SpanKind.UNSPECIFIED]: "Unspecified",
  [Span_SpanKind.INTERNAL]: "Internal",
  [Span_SpanKind.SERVER]: "Server",
  [Span_SpanKind.CLIENT]: "Client",
  [Span_SpanKind.PRODUCER]: "Producer",
  [Span_SpanKind.CONSUMER]: "Consumer",
};

const STATUS_CODES: Record<number, string> = { [Status_StatusCode.UNSET]: "Unset", [Status_StatusCode.OK]: "Ok", [Status_StatusCode.ERROR]: "Error" };

function temporality(t: AggregationTemporality): string {
  return t === AggregationTemporality.DELTA ? "Delta" : t === AggregationTemporality.CUMULATIVE ? "Cumulative" : "Unspecified";
}

/** `Info`, `Info2`, …, as pdata names severity numbers. */
function severityName(n: SeverityNumber): string {
  const name = SeverityNumber[n];
  if (name === undefined) return "";
  return name === "UNSPECIFIED" ? "Unspecified" : name[0] + name.slice(1).toLowerCase();
}
