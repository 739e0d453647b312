// Benchmark (not a test): data points per second through the seed pipeline's transform
// (otelcol.processor.transform with its two datapoint statements) on a batch of 10,000 points,
// compared with the same batch passing through with no transform. Each pass decodes the request
// bytes into a Batch (lite), runs the processor, and re-encodes the result, as the gateway does.
//
//   node_modules/.bin/bun scripts/bench-transform.ts        (or: deno run -A scripts/bench-transform.ts)

import { create, toBinary } from "@bufbuild/protobuf";
import { ExportMetricsServiceRequestSchema } from "../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { AggregationTemporality } from "../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { transformProcessor, type TransformArgs } from "../src/components/otelcol/processor/transform.ts";
import { Batch, type Signal } from "../src/otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../src/otlp/consumer.ts";
import { decodeBody } from "../src/runtime/decode.ts";
import type { EvalError } from "../src/runtime/errors.ts";
import { createLogger, memorySink } from "../src/runtime/logger.ts";
import { MetricsRegistry } from "../src/runtime/metrics.ts";
import type { Capsule, ObjectValue } from "../src/runtime/value.ts";
import { parseFile } from "../src/syntax/parser.ts";

const SEED_TRANSFORM = `
error_mode = "ignore"
metric_statements {
    context    = "datapoint"
    statements = [
        "set(attributes[\\"deployment.environment\\"], resource.attributes[\\"deployment.environment\\"])",
        "set(attributes[\\"service.version\\"], resource.attributes[\\"service.version\\"])",
    ]
}
output { metrics = [sink] }
`;

const POINTS = 10_000;
const RESOURCES = 10;
const PER_METRIC = POINTS / RESOURCES / 5;

/** 10 resources × 5 metrics (one of each type) × 200 points = 10,000 data points. */
function requestBytes(): Uint8Array {
  const str = (key: string, value: string) => ({ key, value: { value: { case: "stringValue" as const, value } } });
  const t0 = 1_700_000_000_000_000_000n;
  const attrs = (i: number) => [str("http.route", `/api/${i % 20}`), str("http.method", i % 2 ? "GET" : "POST"), { key: "status", value: { value: { case: "intValue" as const, value: BigInt(200 + (i % 5)) } } }];
  const base = (i: number) => ({ attributes: attrs(i), startTimeUnixNano: t0, timeUnixNano: t0 + BigInt(i) * 1_000_000n });
  const pts = <X>(f: (i: number) => X) => Array.from({ length: PER_METRIC }, (_, i) => f(i));
  const resourceMetrics = Array.from({ length: RESOURCES }, (_, r) => ({
    resource: {
      attributes: [
        str("service.name", `svc-${r}`),
        str("service.instance.id", `inst-${r}`),
        str("host.name", "gateway"),
        ...(r % 5 === 4 ? [] : [str("deployment.environment", "production"), str("service.version", `1.${r}.0`)]),
      ],
    },
    scopeMetrics: [
      {
        scope: { name: "io.opentelemetry.sdk", version: "1.40.0" },
        metrics: [
          { name: "http.server.active_requests", data: { case: "gauge" as const, value: { dataPoints: pts((i) => ({ ...base(i), value: { case: "asInt" as const, value: BigInt(i) } })) } } },
          { name: "http.server.requests", data: { case: "sum" as const, value: { aggregationTemporality: AggregationTemporality.CUMULATIVE, isMonotonic: true, dataPoints: pts((i) => ({ ...base(i), value: { case: "asDouble" as const, value: i * 1.5 } })) } } },
          { name: "http.server.duration", data: { case: "histogram" as const, value: { aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints: pts((i) => ({ ...base(i), count: 10n, sum: 42.5, bucketCounts: [1n, 2n, 3n, 4n], explicitBounds: [5, 10, 25] })) } } },
          { name: "http.server.size", data: { case: "exponentialHistogram" as const, value: { aggregationTemporality: AggregationTemporality.DELTA, dataPoints: pts((i) => ({ ...base(i), count: 4n, sum: 8, scale: 3, zeroCount: 1n, positive: { offset: 2, bucketCounts: [1n, 2n] } })) } } },
          { name: "rpc.latency", data: { case: "summary" as const, value: { dataPoints: pts((i) => ({ ...base(i), count: 5n, sum: 12, quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 9 }] })) } } },
        ],
      },
    ],
  }));
  return toBinary(ExportMetricsServiceRequestSchema, create(ExportMetricsServiceRequestSchema, { resourceMetrics }));
}

/** A consumer that encodes what it gets (the exporter's work), so both paths pay for output. */
class Encode implements Consumer {
  bytes = 0;
  private take = async (b: Batch<Signal>) => {
    this.bytes += b.toBinary().length;
  };
  consumeTraces = this.take;
  consumeMetrics = this.take;
  consumeLogs = this.take;
}

async function seedTransform(sink: Consumer): Promise<Consumer> {
  const { file } = parseFile("bench.alloy", SEED_TRANSFORM);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, transformProcessor.args, { sink: consumerCapsule(sink) }, file, problems) as TransformArgs;
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join("; "));
  let exports: ObjectValue = {};
  await transformProcessor.build(
    { id: "bench", dataPath: "/nonexistent", logger: createLogger(memorySink("error")), metrics: new MetricsRegistry(), onStateChange: (e) => (exports = e) },
    args,
  );
  return (exports.input as Capsule<Consumer>).value;
}

async function measure(name: string, pass: () => Promise<void>, seconds = 3): Promise<number> {
  for (let i = 0; i < 5; i++) await pass(); // warm up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await pass();
    n++;
  }
  const secs = (performance.now() - t0) / 1000;
  const rate = (n * POINTS) / secs;
  console.log(`${name.padEnd(58)} ${Math.round(rate).toLocaleString("en-US").padStart(12)} points/s  (${((secs / n) * 1000).toFixed(2)} ms per batch)`);
  return rate;
}

const bytes = requestBytes();
console.log(`batch: ${POINTS.toLocaleString("en-US")} data points (5 metric types), ${RESOURCES} resources, ${bytes.length.toLocaleString("en-US")} bytes`);
const encode = new Encode();
const transform = await seedTransform(encode);

const none = await measure("no transform (decode lite → encode)", () => encode.consumeMetrics(Batch.decode("metrics", bytes)));
const seed = await measure("seed transform (decode → transform → encode)", () => transform.consumeMetrics(Batch.decode("metrics", bytes)));
const full = await measure("full decode + encode, no statements (decode cost alone)", async () => {
  const b = Batch.decode("metrics", bytes);
  b.full();
  await encode.consumeMetrics(b);
});
// The statements alone: time only the processor's pass over an already decoded batch (no
// decode, no encode, no clone).
const pre = Batch.decode("metrics", bytes);
pre.full();
const copies = Array.from({ length: 40 }, () => pre.clone());
const discard = seedTransform({ consumeTraces: async () => {}, consumeMetrics: async () => {}, consumeLogs: async () => {} });
const run = await discard;
let spent = 0;
for (const b of copies) {
  const t0 = performance.now();
  await run.consumeMetrics(b);
  spent += performance.now() - t0;
}
const only = (copies.length * POINTS) / (spent / 1000);
console.log(`${"statements only (pre-decoded batch)".padEnd(58)} ${Math.round(only).toLocaleString("en-US").padStart(12)} points/s  (${(spent / copies.length).toFixed(2)} ms per batch)`);
console.log(`\nseed transform: ${((seed / none) * 100).toFixed(1)}% of the no-transform rate; full decode + encode alone: ${((full / none) * 100).toFixed(1)}%.`);
