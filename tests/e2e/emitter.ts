// A deterministic OTLP client for the end-to-end tests (otlp-clients.md §2, "A deterministic
// emitter"): the official OpenTelemetry JS SDK with one exporter flavour (OTLP/HTTP protobuf,
// OTLP/HTTP JSON or OTLP/gRPC), gzip on or off. Run as a child process:
//
//   bun tests/e2e/emitter.ts --flavour proto|json|grpc --gzip on|off \
//     --http http://127.0.0.1:P --grpc http://127.0.0.1:Q --signals traces,metrics,logs [--tag T] \
//     [--resource k=v,-k,…] [--temporality lowmemory|cumulative]
//
// --resource edits the resource: `k=v` sets string attribute k (replacing the default's), `-k`
// removes it. --temporality picks the metric exporters' temporality preference (default
// lowmemory: counters and histograms delta, up-down counters cumulative).
//
// Every exporter is wrapped so that what the SDK hands it is captured, field by field, before
// the exporter encodes it, together with the result of each export. At the end one JSON document
// goes to stdout: { results: { traces: 0|1, … }, errors: { … }, sent: { traces: Export[], … } },
// where an Export is the list of items (spans, metric data points, log records) of one export()
// call in the canonical form below. The exit code is 1 when any export failed or did not happen.
//
// Canonical form (what the test rebuilds from what the sink decoded, so the two compare with
// deepEqual): ids are lowercase hex ("" when absent), timestamps are decimal nanosecond strings,
// enums are OTLP numbers, and every value is typed the way the SDK's transformer types it on the
// wire — { s } string, { i } 64-bit integer as a decimal string, { d } double, { b } bool,
// { bytes } hex, { a } array, { kv } key/value list, {} empty.

import { type Attributes, DiagLogLevel, type HrTime, ROOT_CONTEXT, type SpanContext, SpanKind, SpanStatusCode, TraceFlags, ValueType, createTraceState, diag, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter as LogsGrpc } from "@opentelemetry/exporter-logs-otlp-grpc";
import { OTLPLogExporter as LogsJson } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as LogsProto } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter as MetricsGrpc } from "@opentelemetry/exporter-metrics-otlp-grpc";
import { AggregationTemporalityPreference, OTLPMetricExporter as MetricsJson } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as MetricsProto } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as TracesGrpc } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as TracesJson } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as TracesProto } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider, type ReadableLogRecord } from "@opentelemetry/sdk-logs";
import { AggregationTemporality, AggregationType, DataPointType, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";

// ---- canonical form (shared with the test) ---------------------------------------------------

/** An OTLP AnyValue, typed as it travels. */
export type Any = { s: string } | { i: string } | { d: number } | { b: boolean } | { bytes: string } | { a: Any[] } | { kv: Attr[] } | Record<string, never>;
/** One attribute (KeyValue); lists keep their order. */
export type Attr = [key: string, value: Any];

/** The resource and scope an item travelled under. */
export interface Context {
  resource: Attr[];
  resourceDropped: number;
  resourceSchemaUrl: string;
  scope: { name: string; version: string; attributes: Attr[]; dropped: number };
  scopeSchemaUrl: string;
}

export interface SpanItem extends Context {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: number;
  start: string;
  end: string;
  attributes: Attr[];
  dropped: number;
  events: { name: string; time: string; attributes: Attr[]; dropped: number }[];
  droppedEvents: number;
  links: { traceId: string; spanId: string; traceState: string; flags: number; attributes: Attr[]; dropped: number }[];
  droppedLinks: number;
  status: { code: number; message: string };
}

export interface PointItem extends Context {
  name: string;
  description: string;
  unit: string;
  type: "sum" | "gauge" | "histogram" | "exponential_histogram";
  /** OTLP AggregationTemporality (1 delta, 2 cumulative); 0 for gauges. */
  temporality: number;
  /** Sums only; false otherwise. */
  monotonic: boolean;
  attributes: Attr[];
  start: string;
  time: string;
  /** Sum and gauge points. */
  value?: { i: string } | { d: number };
  /** Histogram points. */
  histogram?: { count: string; sum: number | null; min: number | null; max: number | null; bounds: number[]; counts: string[] };
  /** Exponential histogram points. */
  exponential?: {
    count: string;
    sum: number | null;
    min: number | null;
    max: number | null;
    scale: number;
    zeroCount: string;
    positive: { offset: number; counts: string[] };
    negative: { offset: number; counts: string[] };
  };
}

export interface LogItem extends Context {
  time: string;
  observed: string;
  severityNumber: number;
  severityText: string;
  body: Any;
  eventName: string;
  attributes: Attr[];
  dropped: number;
  flags: number;
  traceId: string;
  spanId: string;
}

export interface Sent {
  traces: SpanItem[][];
  metrics: PointItem[][];
  logs: LogItem[][];
}

export interface EmitterReport {
  /** Per signal: 0 when every export succeeded, 1 when one failed (ExportResultCode). */
  results: Partial<Record<keyof Sent, number>>;
  errors: Partial<Record<keyof Sent, string>>;
  sent: Sent;
}

// ---- SDK objects → canonical form ------------------------------------------------------------

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** The transformer's hrTimeToNanos, as a decimal string. */
export function nanos(t: HrTime): string {
  return (BigInt(Math.trunc(t[0])) * 1_000_000_000n + BigInt(Math.trunc(t[1]))).toString();
}

/** The transformer's toAnyValue: integral numbers are ints, other numbers doubles. */
function anyOf(v: unknown): Any {
  if (typeof v === "string") return { s: v };
  if (typeof v === "number") return Number.isInteger(v) ? { i: String(v) } : { d: v };
  if (typeof v === "boolean") return { b: v };
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  if (Array.isArray(v)) return { a: v.map(anyOf) };
  if (typeof v === "object" && v !== null) return { kv: attrsOf(v as Record<string, unknown>) };
  return {};
}

function attrsOf(a: Record<string, unknown> | undefined): Attr[] {
  return Object.keys(a ?? {}).map((k) => [k, anyOf(a![k])]);
}

interface ScopeLike {
  name: string;
  version?: string;
  schemaUrl?: string;
  attributes?: Record<string, unknown>;
  droppedAttributesCount?: number;
}

function contextOf(resource: { attributes: Attributes; schemaUrl?: string }, scope: ScopeLike): Context {
  return {
    resource: attrsOf(resource.attributes),
    resourceDropped: 0,
    resourceSchemaUrl: resource.schemaUrl ?? "",
    scope: { name: scope.name, version: scope.version ?? "", attributes: attrsOf(scope.attributes), dropped: scope.droppedAttributesCount ?? 0 },
    scopeSchemaUrl: scope.schemaUrl ?? "",
  };
}

/** Span flags as the transformer builds them: W3C trace flags | HAS_IS_REMOTE | IS_REMOTE. */
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

function spanItem(s: ReadableSpan): SpanItem {
  const ctx = s.spanContext();
  return {
    ...contextOf(s.resource, s.instrumentationScope),
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: s.parentSpanContext?.spanId ?? "",
    traceState: ctx.traceState?.serialize() ?? "",
    flags: spanFlags(ctx.traceFlags, s.parentSpanContext?.isRemote),
    name: s.name,
    kind: s.kind + 1,
    start: nanos(s.startTime),
    end: nanos(s.endTime),
    attributes: attrsOf(s.attributes),
    dropped: s.droppedAttributesCount,
    events: s.events.map((e) => ({ name: e.name, time: nanos(e.time), attributes: attrsOf(e.attributes), dropped: e.droppedAttributesCount ?? 0 })),
    droppedEvents: s.droppedEventsCount,
    links: s.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      traceState: l.context.traceState?.serialize() ?? "",
      flags: spanFlags(l.context.traceFlags, l.context.isRemote),
      attributes: attrsOf(l.attributes),
      dropped: l.droppedAttributesCount ?? 0,
    })),
    droppedLinks: s.droppedLinksCount,
    status: { code: s.status.code, message: s.status.message ?? "" },
  };
}

const TEMPORALITY: Record<number, number> = { [AggregationTemporality.DELTA]: 1, [AggregationTemporality.CUMULATIVE]: 2 };

const POINT_TYPE: Record<DataPointType, PointItem["type"]> = {
  [DataPointType.SUM]: "sum",
  [DataPointType.GAUGE]: "gauge",
  [DataPointType.HISTOGRAM]: "histogram",
  [DataPointType.EXPONENTIAL_HISTOGRAM]: "exponential_histogram",
};

function pointItems(rm: ResourceMetrics): PointItem[] {
  const out: PointItem[] = [];
  for (const sm of rm.scopeMetrics) {
    const ctx = contextOf(rm.resource, sm.scope);
    for (const m of sm.metrics) {
      const type = POINT_TYPE[m.dataPointType];
      for (const p of m.dataPoints) {
        const item: PointItem = {
          ...ctx,
          name: m.descriptor.name,
          description: m.descriptor.description,
          unit: m.descriptor.unit,
          type,
          temporality: type === "gauge" ? 0 : TEMPORALITY[m.aggregationTemporality]!,
          monotonic: m.dataPointType === DataPointType.SUM ? m.isMonotonic : false,
          attributes: attrsOf(p.attributes),
          start: nanos(p.startTime),
          time: nanos(p.endTime),
        };
        if (type === "histogram") {
          const h = p.value as { buckets: { boundaries: number[]; counts: number[] }; count: number; sum?: number; min?: number; max?: number };
          item.histogram = {
            count: String(h.count),
            sum: h.sum ?? null,
            min: h.min ?? null,
            max: h.max ?? null,
            bounds: [...h.buckets.boundaries],
            counts: h.buckets.counts.map(String),
          };
        } else if (type === "exponential_histogram") {
          const h = p.value as {
            count: number;
            sum?: number;
            min?: number;
            max?: number;
            scale: number;
            zeroCount: number;
            positive: { offset: number; bucketCounts: number[] };
            negative: { offset: number; bucketCounts: number[] };
          };
          item.exponential = {
            count: String(h.count),
            sum: h.sum ?? null,
            min: h.min ?? null,
            max: h.max ?? null,
            scale: h.scale,
            zeroCount: String(h.zeroCount),
            positive: { offset: h.positive.offset, counts: h.positive.bucketCounts.map(String) },
            negative: { offset: h.negative.offset, counts: h.negative.bucketCounts.map(String) },
          };
        } else {
          const v = p.value as number;
          item.value = m.descriptor.valueType === ValueType.INT ? { i: String(v) } : { d: v };
        }
        out.push(item);
      }
    }
  }
  return out;
}

function logItem(r: ReadableLogRecord): LogItem {
  return {
    ...contextOf(r.resource, r.instrumentationScope as ScopeLike),
    time: nanos(r.hrTime),
    observed: nanos(r.hrTimeObserved),
    severityNumber: r.severityNumber ?? 0,
    severityText: r.severityText ?? "",
    body: anyOf(r.body),
    eventName: r.eventName ?? "",
    attributes: attrsOf(r.attributes as Record<string, unknown>),
    dropped: r.droppedAttributesCount,
    flags: r.spanContext?.traceFlags ?? 0,
    traceId: r.spanContext?.traceId ?? "",
    spanId: r.spanContext?.spanId ?? "",
  };
}

// ---- the run ---------------------------------------------------------------------------------

type Flavour = "proto" | "json" | "grpc";

interface Options {
  flavour: Flavour;
  gzip: boolean;
  http: string;
  grpc: string;
  signals: Set<keyof Sent>;
  tag: string;
  /** --resource edits: a string value sets the key, undefined removes it. */
  resource: [string, string | undefined][];
  temporality: AggregationTemporalityPreference;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string, fallback?: string): string => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? argv[i + 1] : fallback;
    if (v === undefined) throw new Error(`emitter: --${name} is required`);
    return v;
  };
  const flavour = get("flavour");
  if (flavour !== "proto" && flavour !== "json" && flavour !== "grpc") throw new Error(`emitter: unknown flavour ${flavour}`);
  const signals = new Set(get("signals", "traces,metrics,logs").split(",")) as Set<keyof Sent>;
  for (const s of signals) if (s !== "traces" && s !== "metrics" && s !== "logs") throw new Error(`emitter: unknown signal ${s}`);
  const resource = get("resource", "")
    .split(",")
    .filter((e) => e !== "")
    .map((e): [string, string | undefined] => {
      const eq = e.indexOf("=");
      if (e.startsWith("-") ? e.length === 1 : eq <= 0) throw new Error(`emitter: --resource takes k=v or -k entries, not ${e}`);
      return e.startsWith("-") ? [e.slice(1), undefined] : [e.slice(0, eq), e.slice(eq + 1)];
    });
  const temporalities: Record<string, AggregationTemporalityPreference> = { lowmemory: AggregationTemporalityPreference.LOWMEMORY, cumulative: AggregationTemporalityPreference.CUMULATIVE };
  const temporality = temporalities[get("temporality", "lowmemory")];
  if (temporality === undefined) throw new Error(`emitter: unknown temporality ${get("temporality")}`);
  return { flavour, gzip: get("gzip", "off") === "on", http: get("http", "").replace(/\/$/, ""), grpc: get("grpc", ""), signals, tag: get("tag", "e2e"), resource, temporality };
}

/** Something with the SDK exporters' export(items, callback) shape. */
interface Exportable<T> {
  export(items: T, done: (r: { code: number; error?: Error }) => void): void;
}

/** Captures what the SDK hands `exporter` and records each export's outcome. */
function wrap<T, I>(exporter: Exportable<T>, signal: keyof Sent, toItems: (t: T) => I[], report: EmitterReport): void {
  const original = exporter.export.bind(exporter);
  const exports = report.sent[signal] as I[][];
  exporter.export = (items, done) => {
    exports.push(toItems(items));
    original(items, (r) => {
      report.results[signal] = Math.max(report.results[signal] ?? 0, r.code);
      if (r.code !== 0) report.errors[signal] = String(r.error?.message ?? r.error ?? "export failed");
      done(r);
    });
  };
}

function exporters(o: Options) {
  // The enum CompressionAlgorithm of otlp-exporter-base has the string values "gzip" and "none".
  const compression = (o.gzip ? "gzip" : "none") as never;
  const http = (signal: string) => ({ url: `${o.http}/v1/${signal}`, compression });
  const grpc = { url: o.grpc, compression };
  // Low memory (the default): counters and histograms are delta, up-down counters cumulative — both temporalities on the wire.
  const temporalityPreference = o.temporality;
  switch (o.flavour) {
    case "proto":
      return { traces: new TracesProto(http("traces")), metrics: new MetricsProto({ ...http("metrics"), temporalityPreference }), logs: new LogsProto(http("logs")) };
    case "json":
      return { traces: new TracesJson(http("traces")), metrics: new MetricsJson({ ...http("metrics"), temporalityPreference }), logs: new LogsJson(http("logs")) };
    case "grpc":
      return { traces: new TracesGrpc(grpc), metrics: new MetricsGrpc({ ...grpc, temporalityPreference }), logs: new LogsGrpc(grpc) };
  }
}

/** A fixed wall-clock base with nanoseconds that a float64 could not carry, to prove exactness. */
function at(base: number, offsetMs: number, ns: number): HrTime {
  return [base + Math.floor(offsetMs / 1000), (offsetMs % 1000) * 1_000_000 + ns];
}

async function emitTraces(o: Options, resource: ReturnType<typeof resourceFromAttributes>, report: EmitterReport, base: number): Promise<void> {
  const exporter = exporters(o).traces;
  wrap(exporter as unknown as Exportable<ReadableSpan[]>, "traces", (spans) => spans.map(spanItem), report);
  const tp = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })] });
  const tracer = tp.getTracer("e2e-tracer", "1.0.0", { schemaUrl: "https://opentelemetry.io/schemas/1.30.0" });
  const parent = tracer.startSpan(
    "parent-op",
    {
      kind: SpanKind.SERVER,
      startTime: at(base, 0, 123_457),
      attributes: {
        "e2e.string": "héllo wörld ✓",
        "e2e.empty": "",
        "e2e.int": 42,
        "e2e.negative": -7,
        "e2e.big": 9_007_199_254_740_991,
        "e2e.double": 3.25,
        "e2e.bool": true,
        "e2e.false": false,
        "e2e.strings": ["a", "b", ""],
        "e2e.ints": [1, 2, 3],
        "e2e.doubles": [0.5, 1.5],
        "e2e.bools": [true, false],
      },
    },
    ROOT_CONTEXT,
  );
  const linked: SpanContext = {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState("vendor=abc,other=x1"),
  };
  const child = tracer.startSpan(
    "child-op",
    { kind: SpanKind.CLIENT, startTime: at(base, 10, 1), links: [{ context: linked, attributes: { "link.reason": "retry-of", "link.n": 2 } }] },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  child.addEvent("e2e-event", { "event.str": "ev", "event.int": -1, "event.double": 0.001, "event.bool": false, "event.list": ["x"] }, at(base, 15, 999_999));
  child.addEvent("e2e-event-2", undefined, at(base, 16, 7));
  child.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
  child.setAttribute("http.response.status_code", 503);
  child.end(at(base, 20, 500_001));
  // A span under a remote parent: trace state, IS_REMOTE flag, a fixed trace id.
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState("rojo=00f067aa0ba902b7"),
  });
  const consumer = tracer.startSpan("remote-op", { kind: SpanKind.CONSUMER, startTime: at(base, 30, 3), attributes: { "messaging.system": "e2e" } }, remote);
  consumer.setStatus({ code: SpanStatusCode.OK });
  consumer.end(at(base, 31, 4));
  parent.end(at(base, 40, 999_999));
  await tp.forceFlush().catch((err) => void (report.errors.traces ??= String(err)));
  await tp.shutdown().catch(() => {});
}

async function emitMetrics(o: Options, resource: ReturnType<typeof resourceFromAttributes>, report: EmitterReport): Promise<void> {
  const exporter = exporters(o).metrics;
  wrap(exporter as unknown as Exportable<ResourceMetrics>, "metrics", pointItems, report);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 600_000, exportTimeoutMillis: 30_000 });
  const mp = new MeterProvider({ resource, readers: [reader], views: [{ instrumentName: "e2e.size", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } } }] });
  const meter = mp.getMeter("e2e-meter", "2.0.0");
  const requests = meter.createCounter("e2e.requests", { description: "requests served", unit: "{request}", valueType: ValueType.INT });
  requests.add(3, { route: "/a", ok: true });
  requests.add(4, { route: "/a", ok: true });
  requests.add(2, { route: "/b", ok: false, "retry.count": 1 });
  const latency = meter.createHistogram("e2e.latency", { unit: "ms", advice: { explicitBucketBoundaries: [10, 100, 1000] } });
  for (const v of [5, 50, 500]) latency.record(v, { route: "/a" });
  latency.record(2.5, { route: "/b", weights: ["x", "y"] });
  const temperature = meter.createObservableGauge("e2e.temperature", { unit: "Cel" });
  temperature.addCallback((r) => r.observe(21.5, { room: "lab", floor: 3 }));
  const queue = meter.createUpDownCounter("e2e.queue", { valueType: ValueType.INT });
  queue.add(5, { queue: "q1" });
  queue.add(-8, { queue: "q1" });
  const size = meter.createHistogram("e2e.size", { unit: "By" });
  for (const v of [0, 1.5, 3, 6, 6]) size.record(v, { kind: "exp" });
  const ratio = meter.createGauge("e2e.ratio", { description: "a synchronous gauge" });
  ratio.record(0.125, { "ratio.kind": "hit" });
  await mp.forceFlush().catch((err) => void (report.errors.metrics ??= String(err)));
  await mp.shutdown().catch(() => {});
}

async function emitLogs(o: Options, resource: ReturnType<typeof resourceFromAttributes>, report: EmitterReport, base: number): Promise<void> {
  const exporter = exporters(o).logs;
  wrap(exporter as unknown as Exportable<ReadableLogRecord[]>, "logs", (records) => records.map(logItem), report);
  const lp = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 60_000 })] });
  const logger = lp.getLogger("e2e-logger", "1.0.0", { attributes: { "scope.attr": "logs", "scope.n": 1 } });
  const inSpan = trace.setSpanContext(ROOT_CONTEXT, { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174", traceFlags: TraceFlags.SAMPLED });
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: "INFO",
    body: "hello 1",
    timestamp: at(base, 100, 1),
    context: inSpan,
    attributes: {
      "log.str": "a",
      "log.int": 1,
      "log.double": 2.5,
      "log.bool": false,
      "log.strings": ["x", "y"],
      "log.bytes": new Uint8Array([0, 1, 2, 254, 255]),
      "log.map": { nested: { deep: 1 }, list: [1, "two", 3.5, true] },
    },
  });
  logger.emit({
    severityNumber: SeverityNumber.ERROR,
    severityText: "ERROR",
    eventName: "e2e.failure",
    body: { msg: "hello 2", code: 500, ratio: 0.75, ok: false, tags: ["p", "q"], nested: { k: "v" } },
    timestamp: at(base, 200, 999_999),
    observedTimestamp: at(base, 201, 5),
    attributes: { "exception.type": "Error" },
  });
  logger.emit({ severityNumber: SeverityNumber.DEBUG, body: new Uint8Array([0xde, 0xad, 0xbe, 0xef]), timestamp: at(base, 300, 0) });
  await lp.forceFlush().catch((err) => void (report.errors.logs ??= String(err)));
  await lp.shutdown().catch(() => {});
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  diag.setLogger({ error: (...a) => console.error("otel:", ...a), warn: (...a) => console.error("otel:", ...a), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
  const report: EmitterReport = { results: {}, errors: {}, sent: { traces: [], metrics: [], logs: [] } };
  const attributes: Attributes = {
    "service.name": "otlp-e2e",
    "service.version": "1.2.3",
    "e2e.run": o.tag,
    "e2e.flavour": `${o.flavour}/${o.gzip ? "gzip" : "none"}`,
    "e2e.pid": process.pid,
    "e2e.weight": 0.5,
  };
  for (const [k, v] of o.resource) {
    if (v === undefined) delete attributes[k];
    else attributes[k] = v;
  }
  const resource = resourceFromAttributes(attributes);
  // Whole seconds a minute ago, so every explicit timestamp is in the past and exact.
  const base = Math.floor(Date.now() / 1000) - 60;
  // No context manager is registered: parents and span contexts are passed explicitly.
  const runs: Promise<void>[] = [];
  if (o.signals.has("traces")) runs.push(emitTraces(o, resource, report, base));
  if (o.signals.has("metrics")) runs.push(emitMetrics(o, resource, report));
  if (o.signals.has("logs")) runs.push(emitLogs(o, resource, report, base));
  await Promise.all(runs);
  let failed = false;
  for (const s of o.signals) {
    if (report.sent[s].length === 0) {
      report.results[s] = 1;
      report.errors[s] ??= "nothing was exported";
    }
    if (report.results[s] !== 0) failed = true;
  }
  process.stdout.write(JSON.stringify(report) + "\n", () => process.exit(failed ? 1 : 0));
}

if (import.meta.main) {
  main().catch((err) => {
    console.error(err);
    process.exit(2);
  });
}
