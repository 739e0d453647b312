// Micro-benchmark of the compiled codecs (src/otlp/codec.ts) against protobuf-es: decode, encode
// and copy of a 100-point metrics request's ScopeMetrics, a 100-span ScopeSpans and a Resource,
// built by telemetrygen's payload builder. Reports CPU time per operation and the ratio.
// Run: node_modules/.bin/bun scripts/bench/codec.ts [--ms=150] [--rounds=5] [--max=100000]

import { type DescMessage, clone, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExportMetricsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ScopeMetricsSchema } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { ResourceSchema } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { ScopeSpansSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { type Shape, buildPayloads } from "../../src/cli/telemetrygen/data.ts";
import { copy, decode, encode } from "../../src/otlp/codec.ts";

function arg(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
}

/** CPU budget per measurement, rounds (alternating protobuf-es and compiled; the median counts), iteration cap. */
const BUDGET_MS = arg("ms", 150);
const ROUNDS = arg("rounds", 5);
const MAX_ITERATIONS = arg("max", 100_000);

function shape(signal: "traces" | "metrics"): Shape {
  return { signal, items: 100, attributes: 10, attributeSize: 16, resourceAttributes: 10, serviceName: "bench" };
}

const metricsReq = fromBinary(ExportMetricsServiceRequestSchema, buildPayloads(shape("metrics"), 1, 1, 0).pool[0]!.protobuf);
const tracesReq = fromBinary(ExportTraceServiceRequestSchema, buildPayloads(shape("traces"), 1, 1, 0).pool[0]!.protobuf);

const cases: [string, DescMessage, Uint8Array][] = [
  ["ScopeMetrics (100 points)", ScopeMetricsSchema, toBinary(ScopeMetricsSchema, metricsReq.resourceMetrics[0]!.scopeMetrics[0]!)],
  ["ScopeSpans (100 spans)", ScopeSpansSchema, toBinary(ScopeSpansSchema, tracesReq.resourceSpans[0]!.scopeSpans[0]!)],
  ["Resource", ResourceSchema, toBinary(ResourceSchema, tracesReq.resourceSpans[0]!.resource!)],
];

/** CPU microseconds per call of `fn`, over one bounded measurement. */
function measure(fn: () => unknown): number {
  const start = process.cpuUsage();
  const wall = performance.now();
  let n = 0;
  while (n < MAX_ITERATIONS && performance.now() - wall < BUDGET_MS) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Medians of alternating measurements of both functions, after a warm-up of each. */
function compare(reference: () => unknown, compiled: () => unknown): [number, number] {
  for (let i = 0; i < 200; i++) {
    reference();
    compiled();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(measure(reference));
    b.push(measure(compiled));
  }
  return [median(a), median(b)];
}

const rows: string[][] = [["message", "op", "bytes", "protobuf-es µs", "compiled µs", "speed-up"]];
for (const [name, schema, bytes] of cases) {
  const msg = fromBinary(schema, bytes);
  const ops: [string, () => unknown, () => unknown][] = [
    ["decode", () => fromBinary(schema, bytes), () => decode(schema, bytes)],
    ["encode", () => toBinary(schema, msg), () => encode(schema, msg)],
    ["copy", () => clone(schema, msg), () => copy(schema, msg)],
  ];
  for (const [op, reference, compiled] of ops) {
    const [a, b] = compare(reference, compiled);
    rows.push([name, op, String(bytes.length), a.toFixed(2), b.toFixed(2), `${(a / b).toFixed(2)}x`]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
