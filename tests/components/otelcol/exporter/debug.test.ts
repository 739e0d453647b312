import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { SeverityNumber } from "../../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { AggregationTemporality } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { Span_SpanKind, Status_StatusCode } from "../../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { type DebugArgs, countMetrics, createSampler, debugExporter } from "../../../../src/components/otelcol/exporter/debug.ts";
import { goTime } from "../../../../src/components/otelcol/exporter/debug_text.ts";
import { Batch } from "../../../../src/otlp/index.ts";
import type { Consumer } from "../../../../src/otlp/consumer.ts";
import type { ComponentOptions } from "../../../../src/runtime/component.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule, ObjectValue } from "../../../../src/runtime/value.ts";

const ID = "otelcol.exporter.debug.test";
const T0 = 1_700_000_000_123_456_789n; // 2023-11-14 22:13:20.123456789 UTC
const TRACE_ID = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const str = (key: string, value: string) => ({ key, value: { value: { case: "stringValue" as const, value } } });

// ---- data ----------------------------------------------------------------------------------

/** 1 resource, 2 spans. */
function traces(): Batch<"traces"> {
  const span = (n: number) => ({
    traceId: TRACE_ID,
    spanId: Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, n),
    parentSpanId: n > 1 ? Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1) : new Uint8Array(),
    name: `op-${n}`,
    kind: Span_SpanKind.SERVER,
    startTimeUnixNano: T0,
    endTimeUnixNano: T0 + 1_000_000n,
    attributes: [str("http.route", `/items/${n}`), { key: "retries", value: { value: { case: "intValue" as const, value: 3n } } }],
    status: { code: Status_StatusCode.ERROR, message: "boom" },
  });
  const req = create(ExportTraceServiceRequestSchema, {
    resourceSpans: [{ resource: { attributes: [str("service.name", "checkout")] }, schemaUrl: "https://opentelemetry.io/schemas/1.4.0", scopeSpans: [{ scope: { name: "lib", version: "1.0" }, spans: [span(1), span(2)] }] }],
  });
  return Batch.decode("traces", toBinary(ExportTraceServiceRequestSchema, req));
}

/** 2 resources; 3 metrics; 2 + 1 + 2 = 5 data points. */
function metrics(): Batch<"metrics"> {
  const pt = { startTimeUnixNano: T0, timeUnixNano: T0 + 1n, attributes: [str("route", "/a")] };
  const req = create(ExportMetricsServiceRequestSchema, {
    resourceMetrics: [
      {
        resource: { attributes: [str("service.name", "m")] },
        scopeMetrics: [
          {
            scope: { name: "meter" },
            metrics: [
              { name: "requests", unit: "1", data: { case: "sum", value: { isMonotonic: true, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints: [{ ...pt, value: { case: "asInt", value: 42n } }, { ...pt, value: { case: "asInt", value: 7n } }] } } },
              { name: "temp", data: { case: "gauge", value: { dataPoints: [{ ...pt, value: { case: "asDouble", value: 21.5 } }] } } },
            ],
          },
        ],
      },
      {
        scopeMetrics: [
          { metrics: [{ name: "latency", data: { case: "histogram", value: { aggregationTemporality: AggregationTemporality.DELTA, dataPoints: [{ ...pt, count: 3n, sum: 12, bucketCounts: [1n, 2n], explicitBounds: [5] }, { ...pt, count: 0n, bucketCounts: [0n, 0n], explicitBounds: [5] }] } } }] },
        ],
      },
    ],
  });
  return Batch.decode("metrics", toBinary(ExportMetricsServiceRequestSchema, req));
}

/** 1 resource, 3 log records. */
function logs(): Batch<"logs"> {
  const rec = (n: number) => ({
    timeUnixNano: T0,
    observedTimeUnixNano: T0 + 5n,
    severityNumber: SeverityNumber.WARN,
    severityText: "WARN",
    body: { value: { case: "stringValue" as const, value: `disk ${n}` } },
    attributes: [str("device", "sda")],
    traceId: TRACE_ID,
  });
  const req = create(ExportLogsServiceRequestSchema, { resourceLogs: [{ scopeLogs: [{ logRecords: [rec(1), rec(2), rec(3)] }] }] });
  return Batch.decode("logs", toBinary(ExportLogsServiceRequestSchema, req));
}

// ---- harness -------------------------------------------------------------------------------

const DEFAULTS: DebugArgs = { verbosity: "basic", sampling_initial: 2, sampling_thereafter: 1, use_internal_logger: true, output_paths: ["stdout"] };

async function start(args: Partial<DebugArgs>) {
  const sink = memorySink("debug", "json");
  let exports: ObjectValue = {};
  const opts: ComponentOptions = {
    id: ID,
    dataPath: "/nonexistent",
    logger: createLogger(sink, { component_id: ID }),
    metrics: new MetricsRegistry().with({ component_id: ID }),
    onStateChange: (e) => (exports = e),
  };
  const component = await debugExporter.build(opts, { ...DEFAULTS, ...args });
  const input = (exports.input as Capsule<Consumer>).value;
  const ctrl = new AbortController();
  const running = component.run(ctrl.signal);
  const stop = async () => {
    ctrl.abort();
    await running;
  };
  const records = () => sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { input, component, records, stop };
}

/** A log record without the volatile fields. */
function strip(r: Record<string, unknown>): Record<string, unknown> {
  const { ts: _ts, ...rest } = r;
  return rest;
}

// ---- tests ---------------------------------------------------------------------------------

describe("otelcol.exporter.debug summaries", () => {
  test("one summary line per batch for every signal, counted without decoding", async () => {
    const p = await start({});
    const t = traces();
    const m = metrics();
    const l = logs();
    await p.input.consumeTraces(t);
    await p.input.consumeMetrics(m);
    await p.input.consumeLogs(l);
    assert.deepEqual(p.records().map(strip), [
      { level: "info", msg: "TracesExporter", component_id: ID, "resource spans": 1, spans: 2 },
      { level: "info", msg: "MetricsExporter", component_id: ID, "resource metrics": 2, metrics: 3, "data points": 5 },
      { level: "info", msg: "LogsExporter", component_id: ID, "resource logs": 1, "log records": 3 },
    ]);
    assert.ok(t.isLite() && m.isLite() && l.isLite(), "basic mode never upgrades a lite batch");
    await p.stop();
  });

  test("normal verbosity prints the same as basic", async () => {
    const p = await start({ verbosity: "normal" });
    await p.input.consumeTraces(traces());
    assert.equal(p.records().length, 1);
    assert.equal(p.records()[0]!.msg, "TracesExporter");
    await p.stop();
  });

  test("metrics are counted on lite and full batches alike", () => {
    const lite = metrics();
    const full = metrics();
    full.full();
    assert.equal(countMetrics(lite), 3);
    assert.equal(countMetrics(full), 3);
    assert.equal(lite.isLite(), true);
    assert.equal(countMetrics(Batch.empty("metrics")), 0);
  });
});

describe("otelcol.exporter.debug detailed", () => {
  test("traces dump: hex ids, attributes, times, status", async () => {
    const p = await start({ verbosity: "detailed" });
    await p.input.consumeTraces(traces());
    const [summary, dump] = p.records();
    assert.equal(summary!.msg, "TracesExporter");
    const text = String(dump!.msg);
    for (const want of [
      "ResourceSpans #0",
      "Resource SchemaURL: https://opentelemetry.io/schemas/1.4.0",
      "     -> service.name: Str(checkout)",
      "ScopeSpans #0",
      "InstrumentationScope lib 1.0",
      "Span #1",
      "    Trace ID       : a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
      "    Parent ID      : deadbeef00000001",
      "    ID             : deadbeef00000002",
      "    Name           : op-2",
      "    Kind           : Server",
      "    Start time     : 2023-11-14 22:13:20.123456789 +0000 UTC",
      "    End time       : 2023-11-14 22:13:20.124456789 +0000 UTC",
      "    Status code    : Error",
      "    Status message : boom",
      "     -> http.route: Str(/items/2)",
      "     -> retries: Int(3)",
    ]) {
      assert.ok(text.split("\n").includes(want), `missing ${JSON.stringify(want)} in\n${text}`);
    }
    await p.stop();
  });

  test("metrics dump: descriptors and every data point", async () => {
    const p = await start({ verbosity: "detailed" });
    await p.input.consumeMetrics(metrics());
    const lines = String(p.records()[1]!.msg).split("\n");
    for (const want of [
      "ResourceMetrics #1",
      "Metric #0",
      "     -> Name: requests",
      "     -> DataType: Sum",
      "     -> IsMonotonic: true",
      "     -> AggregationTemporality: Cumulative",
      "NumberDataPoints #1",
      "Value: 7",
      "Value: 21.500000",
      "Data point attributes:",
      "     -> route: Str(/a)",
      "HistogramDataPoints #1",
      "Count: 3",
      "Sum: 12.000000",
      "ExplicitBounds #0: 5.000000",
      "Buckets #1, Count: 2",
    ]) {
      assert.ok(lines.includes(want), `missing ${JSON.stringify(want)}`);
    }
    await p.stop();
  });

  test("logs dump: body, severity, trace id", async () => {
    const p = await start({ verbosity: "detailed" });
    await p.input.consumeLogs(logs());
    const lines = String(p.records()[1]!.msg).split("\n");
    for (const want of ["ResourceLog #0", "LogRecord #2", "SeverityText: WARN", "SeverityNumber: Warn(13)", "Body: Str(disk 3)", "     -> device: Str(sda)", "Trace ID: a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", "Span ID: ", "Timestamp: 2023-11-14 22:13:20.123456789 +0000 UTC"]) {
      assert.ok(lines.includes(want), `missing ${JSON.stringify(want)}`);
    }
    await p.stop();
  });

  test("Go time format trims the fraction", () => {
    assert.equal(goTime(0n), "1970-01-01 00:00:00 +0000 UTC");
    assert.equal(goTime(1_500_000_000n), "1970-01-01 00:00:01.5 +0000 UTC");
  });
});

describe("otelcol.exporter.debug sampling", () => {
  test("zap sampler: first N per second, then every Mth, reset each second", () => {
    let now = 10_000;
    const allow = createSampler(2, 3, () => now);
    const first = Array.from({ length: 10 }, () => allow("TracesExporter"));
    // n = 1, 2 (initial), then n - 2 divisible by 3: n = 5, 8.
    assert.deepEqual(first, [true, true, false, false, true, false, false, true, false, false]);
    assert.equal(allow("LogsExporter"), true, "each message has its own counter");
    now += 1000;
    assert.deepEqual([allow("TracesExporter"), allow("TracesExporter"), allow("TracesExporter")], [true, true, false]);
    const none = createSampler(1, 0, () => now);
    assert.deepEqual([none("x"), none("x"), none("x")], [true, false, false], "thereafter 0 drops the rest");
  });

  test("sampling_initial 2, sampling_thereafter 3 through the component", async () => {
    const p = await start({ sampling_initial: 2, sampling_thereafter: 3, verbosity: "detailed" });
    for (let i = 0; i < 10; i++) await p.input.consumeTraces(traces());
    const msgs = p.records().map((r) => String(r.msg).split("\n")[0]);
    // Batches 1, 2, 5 and 8 are logged, each with its dump.
    assert.deepEqual(msgs, Array(4).fill(["TracesExporter", "ResourceSpans #0"]).flat());
    await p.stop();
  });
});

describe("otelcol.exporter.debug raw output", () => {
  test("use_internal_logger = false appends raw lines to output_paths", async () => {
    const dir = await mkdtemp(join(tmpdir(), "solder-debug-"));
    const path = join(dir, "out.txt");
    await writeFile(path, "previous\n");
    try {
      const p = await start({ use_internal_logger: false, output_paths: [path], verbosity: "detailed" });
      await p.input.consumeTraces(traces());
      await p.input.consumeLogs(logs());
      await p.stop();
      const text = await readFile(path, "utf8");
      const lines = text.split("\n");
      assert.equal(lines[0], "previous");
      assert.equal(lines[1], 'TracesExporter\t{"resource spans": 1, "spans": 2}');
      assert.equal(lines[2], "ResourceSpans #0");
      assert.ok(lines.includes('LogsExporter\t{"resource logs": 1, "log records": 3}'));
      assert.ok(lines.includes("    Trace ID       : a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"));
      assert.equal(p.records().length, 0, "nothing goes through the process logger");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("build opens no files; writes before run() land once it opens them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "solder-debug-"));
    const path = join(dir, "late.txt");
    try {
      let exports: ObjectValue = {};
      const component = await debugExporter.build(
        { id: ID, dataPath: "/nonexistent", logger: createLogger(memorySink()), metrics: new MetricsRegistry(), onStateChange: (e) => (exports = e) },
        { ...DEFAULTS, use_internal_logger: false, output_paths: [path] },
      );
      await (exports.input as Capsule<Consumer>).value.consumeTraces(traces());
      await assert.rejects(readFile(path), /ENOENT/);
      const ctrl = new AbortController();
      const running = component.run(ctrl.signal);
      ctrl.abort();
      await running;
      assert.equal(await readFile(path, "utf8"), 'TracesExporter\t{"resource spans": 1, "spans": 2}\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
