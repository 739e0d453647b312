// otelcol.exporter.prometheus as a component (alloy-components.md §6): arguments, one append
// transaction per batch, commit errors, other signals ignored, updates, the cache sweep.
// The translation rules themselves are tested under tests/prom/translate.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { ExportMetricsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import type { ResourceMetrics } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { type PrometheusExporterArgs, PrometheusExporter, prometheusExporter } from "../../../../src/components/otelcol/exporter/prometheus.ts";
import { Batch, type MetricsBatch } from "../../../../src/otlp/batch.ts";
import type { Consumer } from "../../../../src/otlp/consumer.ts";
import { PipelineError } from "../../../../src/otlp/errors.ts";
import type { Appendable } from "../../../../src/prom/appender.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule } from "../../../../src/runtime/value.ts";
import { CaptureAppendable, T, at, attrs, gauge, point, resource, sum } from "../../../prom/translate/capture.ts";
import { decode, logs, metricValue, traces } from "./harness.ts";

const ID = "otelcol.exporter.prometheus.test";

/** A lite batch, as a receiver hands it on. */
function batch(...resources: ResourceMetrics[]): MetricsBatch {
  return Batch.decode("metrics", toBinary(ExportMetricsServiceRequestSchema, create(ExportMetricsServiceRequestSchema, { resourceMetrics: resources })));
}

interface Started {
  input: Consumer;
  metrics: MetricsRegistry;
  logs: string[];
  stop(): Promise<void>;
}

/** Builds the component from Alloy text with `targets` as forward_to, and runs it. */
async function start(text: string, targets: Appendable[]): Promise<Started & { args: PrometheusExporterArgs; update(text: string, targets: Appendable[]): Promise<void> }> {
  const decoded = decode(prometheusExporter, `forward_to = []\n${text}`);
  if (decoded.errors.length > 0) throw new Error(decoded.errors.join("; "));
  const args = { ...decoded.args, forward_to: targets };
  const sink = memorySink("debug");
  const metrics = new MetricsRegistry();
  let input: Consumer | undefined;
  const component = await prometheusExporter.build(
    { id: ID, dataPath: "/nonexistent", logger: createLogger(sink, { component_id: ID }), metrics: metrics.with({ component_id: ID }), onStateChange: (e) => (input = (e.input as Capsule<Consumer>).value) },
    args,
  );
  const abort = new AbortController();
  const running = component.run(abort.signal);
  return {
    args,
    input: input!,
    metrics,
    logs: sink.lines,
    update: async (t, next) => {
      const d = decode(prometheusExporter, `forward_to = []\n${t}`);
      await component.update({ ...d.args, forward_to: next });
    },
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

describe("arguments (alloy-components §6)", () => {
  test("defaults are Alloy's", () => {
    const { args, errors } = decode(prometheusExporter, "forward_to = []");
    assert.deepEqual(errors, []);
    assert.deepEqual(args, {
      forward_to: [],
      include_target_info: true,
      include_scope_info: false,
      include_scope_labels: true,
      add_metric_suffixes: true,
      resource_to_telemetry_conversion: false,
      keep_identifying_resource_attributes: false,
      gc_frequency: 300_000,
      honor_metadata: false,
      convert_classic_histograms_to_nhcb: false,
      start_timestamp_zero_ingestion: false,
    });
  });

  test("forward_to is required", () => {
    assert.match(decode(prometheusExporter, "").errors.join("\n"), /forward_to/);
  });

  test("gc_frequency must be greater than 0", () => {
    assert.deepEqual(decode(prometheusExporter, `forward_to = []\ngc_frequency = "0s"`).errors, ["gc_frequency must be greater than 0"]);
  });

  test("convert_classic_histograms_to_nhcb is accepted with a warning that it has no effect", () => {
    const d = decode(prometheusExporter, "forward_to = []\nconvert_classic_histograms_to_nhcb = true");
    assert.deepEqual(d.errors, []);
    assert.match(d.warnings.join("\n"), /convert_classic_histograms_to_nhcb" has no effect/);
  });

  test("every argument decodes", () => {
    const d = decode(
      prometheusExporter,
      `forward_to = []\ninclude_target_info = false\ninclude_scope_info = true\ninclude_scope_labels = false\nadd_metric_suffixes = false\nresource_to_telemetry_conversion = true\nkeep_identifying_resource_attributes = true\ngc_frequency = "1m"\nhonor_metadata = true\nstart_timestamp_zero_ingestion = true`,
    );
    assert.deepEqual(d.errors, []);
    assert.equal(d.args.gc_frequency, 60_000);
    assert.equal(d.args.keep_identifying_resource_attributes, true);
  });
});

describe("one append transaction per ConsumeMetrics", () => {
  test("a batch is converted into one transaction on forward_to and committed", async () => {
    const target = new CaptureAppendable();
    const c = await start("", [target]);
    await c.input.consumeMetrics(batch(resource([sum("http.requests", [point(3)])], { "service.name": "api" }, { name: "lib" })));
    assert.equal(target.transactions.length, 1);
    assert.equal(target.last.state, "committed");
    assert.deepEqual(target.last.lines(), ['target_info{job="api"} 1', 'http_requests_total{job="api",otel_scope_name="lib"} 3']);
    await c.stop();
  });

  test("every receiver of forward_to gets its own transaction", async () => {
    const a = new CaptureAppendable();
    const b = new CaptureAppendable();
    const c = await start("include_target_info = false", [a, b]);
    await c.input.consumeMetrics(batch(resource([gauge("g", [point(1)])])));
    assert.deepEqual([a.last.lines(), b.last.lines()], [['g{job="svc"} 1'], ['g{job="svc"} 1']]);
    await c.stop();
  });

  test("an empty forward_to drops the samples without error", async () => {
    const c = await start("", []);
    await c.input.consumeMetrics(batch(resource([gauge("g", [point(1)])])));
    await c.stop();
  });

  test("the commit error is returned, as a retryable PipelineError", async () => {
    const target = new CaptureAppendable();
    target.failWith = new Error("wal: disk full");
    const c = await start("", [target]);
    await assert.rejects(c.input.consumeMetrics(batch(resource([gauge("g", [point(1)])]))), (err: unknown) => {
      assert.ok(err instanceof PipelineError);
      assert.equal(err.permanent, false);
      assert.match(err.message, /disk full/);
      return true;
    });
    await c.stop();
  });

  test("a receiver's permanent error stays permanent", async () => {
    const target = new CaptureAppendable();
    target.failWith = PipelineError.permanent("refused");
    const c = await start("", [target]);
    await assert.rejects(c.input.consumeMetrics(batch(resource([gauge("g", [point(1)])]))), (err: unknown) => err instanceof PipelineError && err.permanent);
    await c.stop();
  });

  test("traces and logs are accepted and ignored", async () => {
    const target = new CaptureAppendable();
    const c = await start("", [target]);
    await c.input.consumeTraces(traces(2));
    await c.input.consumeLogs(logs(2));
    assert.equal(target.transactions.length, 0);
    await c.stop();
  });

  test("stale markers go through as appendStale", async () => {
    const target = new CaptureAppendable();
    const c = await start("include_target_info = false", [target]);
    await c.input.consumeMetrics(batch(resource([gauge("g", [point(1, { flags: 1 })])])));
    assert.deepEqual(target.last.lines(), ['g{job="svc"} stale']);
    await c.stop();
  });
});

describe("updates", () => {
  test("new forward_to and options apply to the next batch", async () => {
    const a = new CaptureAppendable();
    const b = new CaptureAppendable();
    const c = await start("include_target_info = false", [a]);
    await c.input.consumeMetrics(batch(resource([sum("x", [point(1, { timeUnixNano: at(1) })])])));
    await c.update("include_target_info = false\nadd_metric_suffixes = false", [b]);
    await c.input.consumeMetrics(batch(resource([sum("x", [point(2, { timeUnixNano: at(2) })])])));
    assert.deepEqual([a.transactions.length, b.transactions.length], [1, 1]);
    assert.deepEqual(b.last.lines(), ['x{job="svc"} 2']);
    await c.stop();
  });
});

describe("self-monitoring", () => {
  test("drops are counted by reason and bad input is logged as a warning", async () => {
    const c = await start("include_target_info = false", [new CaptureAppendable()]);
    await c.input.consumeMetrics(batch(resource([gauge("@#$%", [point(1), point(2)]), sum("d", [point(1)], { delta: true }), gauge("t0", [point(1, { timeUnixNano: 0n })])])));
    const exposed = c.metrics.expose();
    assert.match(exposed, /otelcol_exporter_prometheus_dropped_total\{component_id="otelcol\.exporter\.prometheus\.test",reason="invalid_name"\} 2/);
    assert.match(exposed, /reason="non_cumulative"\} 1/);
    assert.match(exposed, /reason="zero_timestamp"\} 1/);
    assert.ok(c.logs.some((l) => l.includes("level=warn") && l.includes("reason=invalid_name")));
    assert.ok(c.logs.some((l) => l.includes("level=debug") && l.includes("reason=non_cumulative")));
    await c.stop();
  });

  test("warnings per reason are rate-limited", async () => {
    const c = await start("include_target_info = false", [new CaptureAppendable()]);
    for (let i = 0; i < 3; i++) await c.input.consumeMetrics(batch(resource([gauge("", [point(1)])])));
    assert.equal(c.logs.filter((l) => l.includes("reason=invalid_name")).length, 1);
    assert.equal(metricValue(c.metrics, "otelcol_exporter_prometheus_dropped_total"), 3);
    await c.stop();
  });
});

describe("series cache sweep (gc_frequency)", () => {
  test("every gc_frequency, series unseen for 5 minutes are forgotten; their old points are then accepted", async () => {
    let now = 1_800_000_000_000;
    const target = new CaptureAppendable();
    const args = { ...decode(prometheusExporter, `forward_to = []\ninclude_target_info = false\ngc_frequency = "10ms"`).args, forward_to: [target] };
    const exporter = new PrometheusExporter(args, createLogger(memorySink("error")), new MetricsRegistry(), () => now);
    const abort = new AbortController();
    const running = exporter.run(abort.signal);
    const g = (ms: number) => batch(resource([gauge("g", [point(ms, { timeUnixNano: at(ms) })])]));
    await exporter.consume(g(1000));
    await exporter.consume(g(500));
    assert.deepEqual(target.last.lines(), [], "older point skipped");
    now += 5 * 60_000 + 1;
    await new Promise((r) => setTimeout(r, 50));
    await exporter.consume(g(500));
    assert.deepEqual(target.last.lines(), ['g{job="svc"} 500']);
    abort.abort();
    await running;
  });

  test("stops promptly and can stop before ever running", async () => {
    const args = { ...decode(prometheusExporter, "forward_to = []").args };
    const exporter = new PrometheusExporter(args, createLogger(memorySink("error")), new MetricsRegistry());
    const abort = new AbortController();
    abort.abort();
    await exporter.run(abort.signal);
  });
});

test("a batch that was decoded fully (JSON) converts the same as a lite one", async () => {
  const target = new CaptureAppendable();
  const c = await start("include_target_info = false", [target]);
  const rm = resource([gauge("g", [point(1, { attributes: attrs({ k: "v" }), timeUnixNano: T })])]);
  await c.input.consumeMetrics(Batch.fromResources("metrics", [rm]));
  assert.deepEqual(target.last.lines(), ['g{job="svc",k="v"} 1']);
  await c.stop();
});
