// Benchmark of the OTLP → Prometheus translation (otelcol.exporter.prometheus) for 100,000
// series: data points per second into a counting Appender. The remote-write half (encode +
// snappy) is measured by its own script; together they make the end-to-end number.
//
// Shapes: 100 resources × 1 scope; "numbers" = 100,000 gauge/counter points with 3 attributes;
// "histograms" = 10,000 explicit histograms with 10 bounds (13 series each); "native" = 10,000
// exponential histograms. Each is converted repeatedly with advancing timestamps (warm series
// cache), after one cold pass; "from bytes" adds decoding the lite batch (Batch.full()).
// Run: node_modules/.bin/bun scripts/bench-prom-translate.ts [--ms=2000]

import { create, toBinary } from "@bufbuild/protobuf";
import { ExportMetricsServiceRequestSchema } from "../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { AggregationTemporality, type Metric, type ResourceMetrics } from "../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { Batch } from "../src/otlp/batch.ts";
import type { Appender } from "../src/prom/appender.ts";
import { Converter } from "../src/prom/translate/converter.ts";

const BUDGET_MS = Number(process.argv.find((a) => a.startsWith("--ms="))?.slice(5) ?? 2000);
const RESOURCES = 100;
const T0 = 1_700_000_000_000_000_000n;
const STEP = 15_000_000_000n; // 15s between "scrapes"

/** Counts calls; keeps nothing. */
class CountingAppender implements Appender {
  samples = 0;
  histograms = 0;
  exemplars = 0;
  append(): void {
    this.samples++;
  }
  appendStale(): void {
    this.samples++;
  }
  appendExemplar(): void {
    this.exemplars++;
  }
  appendHistogram(): void {
    this.histograms++;
  }
  updateMetadata(): void {}
  async commit(): Promise<void> {}
  rollback(): void {}
}

const str = (key: string, value: string) => ({ key, value: { value: { case: "stringValue" as const, value } } });

function resources(metricsOf: (r: number) => object[]): ResourceMetrics[] {
  const req = create(ExportMetricsServiceRequestSchema, {
    resourceMetrics: Array.from({ length: RESOURCES }, (_, r) => ({
      resource: { attributes: [str("service.name", "checkout"), str("service.namespace", "shop"), str("service.instance.id", `pod-${r}`), str("host.name", `node-${r % 7}`)] },
      scopeMetrics: [{ scope: { name: "io.opentelemetry.http", version: "1.2.0" }, metrics: metricsOf(r) as never }],
    })),
  });
  return req.resourceMetrics;
}

const attrsOf = (i: number) => [str("http.request.method", i % 2 ? "GET" : "POST"), str("http.route", `/api/items/${i}`), str("http.response.status_code", String(200 + (i % 5)))];

/** 10 metrics × 100 points per resource, half gauges, half counters. */
function numbers(): ResourceMetrics[] {
  return resources(() =>
    Array.from({ length: 10 }, (_, m) => {
      const dataPoints = Array.from({ length: 100 }, (_, i) => ({ timeUnixNano: T0, startTimeUnixNano: T0 - STEP, attributes: attrsOf(i), value: { case: "asDouble" as const, value: i * 1.5 } }));
      return m % 2
        ? { name: `http.server.active_requests.${m}`, unit: "{request}", data: { case: "gauge", value: { dataPoints } } }
        : { name: `http.server.requests.${m}`, unit: "1", data: { case: "sum", value: { isMonotonic: true, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints } } };
    }),
  );
}

/** 1 metric × 100 points per resource, 10 bounds. */
function histograms(): ResourceMetrics[] {
  const explicitBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  return resources(() => [
    {
      name: "http.server.request.duration",
      unit: "s",
      data: {
        case: "histogram",
        value: {
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPoints: Array.from({ length: 100 }, (_, i) => ({ timeUnixNano: T0, attributes: attrsOf(i), count: 55n, sum: 12.5, explicitBounds, bucketCounts: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 0n] })),
        },
      },
    },
  ]);
}

/** 1 metric × 100 points per resource, scale 3, 20 positive buckets. */
function native(): ResourceMetrics[] {
  return resources(() => [
    {
      name: "http.server.request.size",
      unit: "By",
      data: {
        case: "exponentialHistogram",
        value: {
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPoints: Array.from({ length: 100 }, (_, i) => ({ timeUnixNano: T0, attributes: attrsOf(i), count: 210n, sum: 99, scale: 3, zeroCount: 0n, positive: { offset: 10, bucketCounts: Array.from({ length: 20 }, (_, b) => BigInt(b + 1)) } })),
        },
      },
    },
  ]);
}

function pointsOf(rms: ResourceMetrics[]): number {
  let n = 0;
  for (const rm of rms) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += (m.data.value as { dataPoints: unknown[] }).dataPoints.length;
  return n;
}

/** Moves every point's time forward by one step, so the next pass is in order. */
function advance(rms: ResourceMetrics[]): void {
  for (const rm of rms) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const p of (m as Metric).data.value!.dataPoints) p.timeUnixNano += STEP;
}

function measure(name: string, make: () => ResourceMetrics[], fromBytes: boolean): void {
  const rms = make();
  const points = pointsOf(rms);
  const bytes = toBinary(ExportMetricsServiceRequestSchema, create(ExportMetricsServiceRequestSchema, { resourceMetrics: rms }));
  const conv = new Converter();
  const pass = (): CountingAppender => {
    const app = new CountingAppender();
    const input = fromBytes ? Batch.decode("metrics", bytes).full() : rms;
    conv.convert(input, app);
    if (!fromBytes) advance(rms);
    return app;
  };
  let t = performance.now();
  const first = pass();
  const coldMs = performance.now() - t;
  const series = conv.seriesCount;
  let passes = 0;
  t = performance.now();
  // From bytes every pass repeats the same timestamps, which the cache accepts (not older).
  while (performance.now() - t < BUDGET_MS || passes < 3) {
    pass();
    passes++;
  }
  const ms = (performance.now() - t) / passes;
  const out = (first.samples + first.histograms) * (1000 / ms);
  console.log(
    `${name.padEnd(28)} ${points.toLocaleString("en").padStart(7)} points ${series.toLocaleString("en").padStart(7)} point series  ` +
      `cold ${coldMs.toFixed(0).padStart(4)} ms  warm ${ms.toFixed(1).padStart(6)} ms/pass  ` +
      `${Math.round((points * 1000) / ms).toLocaleString("en").padStart(10)} points/s  ${Math.round(out).toLocaleString("en").padStart(11)} samples/s`,
  );
}

function runtime(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  return g.Bun ? `bun ${g.Bun.version}` : g.Deno ? `deno ${g.Deno.version.deno}` : `node ${process.version}`;
}

console.log(`runtime: ${runtime()}; budget ${BUDGET_MS} ms per case`);
measure("numbers (gauge+counter)", numbers, false);
measure("numbers, from bytes", numbers, true);
measure("histograms (13 series each)", histograms, false);
measure("native histograms", native, false);
