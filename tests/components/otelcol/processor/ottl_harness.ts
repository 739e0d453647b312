// A harness for the OTTL processors: decode an Alloy body against the component's schema (so
// statements keep their positions), build the component, push batches, capture the output.
import { create } from "@bufbuild/protobuf";
import type { KeyValue } from "../../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import {
  AggregationTemporality,
  type Metric,
  MetricSchema,
  type ResourceMetrics,
  ResourceMetricsSchema,
} from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { ResourceSchema } from "../../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { Batch, type Signal } from "../../../../src/otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../../src/otlp/consumer.ts";
import type { ComponentDefinition, ComponentOptions } from "../../../../src/runtime/component.ts";
import { decodeBody } from "../../../../src/runtime/decode.ts";
import type { EvalError } from "../../../../src/runtime/errors.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule, ObjectValue } from "../../../../src/runtime/value.ts";
import { parseFile } from "../../../../src/syntax/parser.ts";
import { PMap, fromPlain, toPlain } from "../../../../src/ottl/values.ts";

/** A consumer that records what it gets. */
export class Capture implements Consumer {
  got: Array<Batch<Signal>> = [];
  private take = async (b: Batch<Signal>) => {
    this.got.push(b);
  };
  consumeTraces = this.take;
  consumeMetrics = this.take;
  consumeLogs = this.take;
}

/** Decodes a component body; returns the arguments and every problem (errors and warnings). */
export function decode<A>(def: ComponentDefinition<A>, body: string, sink: Consumer = new Capture()): { args: A; problems: EvalError[] } {
  const { file, diagnostics } = parseFile("t.alloy", body);
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join("; "));
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, def.args, { sink: consumerCapsule(sink) }, file, problems) as A;
  return { args, problems };
}

/** Builds the component from a body; fails on decode errors. */
export async function start<A>(def: ComponentDefinition<A>, body: string) {
  const out = new Capture();
  const { args, problems } = decode(def, body, out);
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((p) => p.message).join("; "));
  const sink = memorySink("debug");
  const metrics = new MetricsRegistry();
  let exports: ObjectValue = {};
  const opts: ComponentOptions = {
    id: "test",
    dataPath: "/nonexistent",
    logger: createLogger(sink),
    metrics: metrics.with({ component_id: "test" }),
    onStateChange: (e) => (exports = e),
  };
  const component = await def.build(opts, args);
  const input = (exports.input as Capsule<Consumer>).value;
  return { input, out, component, logs: sink.lines, metrics, warnings: problems.filter((p) => p.severity === "warning") };
}

/** KeyValue[] from a plain object (bigint = int, number = double). */
export function kvs(obj: Record<string, unknown>): KeyValue[] {
  return PMap.of(Object.entries(obj).map(([k, v]) => [k, fromPlain(v)] as const)).kvs;
}

/** A plain object from KeyValue[]. */
export function plain(list: KeyValue[]): Record<string, unknown> {
  return toPlain(new PMap(list)) as Record<string, unknown>;
}

const T = 1_700_000_000_000_000_000n;

/** One metric of each of the five types, `n` points each, point attributes `{i}`. */
export function allMetricTypes(n: number, prefix = "m"): Metric[] {
  const base = (i: number) => ({ attributes: kvs({ i: BigInt(i) }), startTimeUnixNano: T, timeUnixNano: T + BigInt(i) });
  const points = <X>(f: (i: number) => X) => Array.from({ length: n }, (_, i) => f(i));
  return [
    create(MetricSchema, { name: `${prefix}.gauge`, data: { case: "gauge", value: { dataPoints: points((i) => ({ ...base(i), value: { case: "asDouble" as const, value: i / 2 } })) } } }),
    create(MetricSchema, {
      name: `${prefix}.sum`,
      data: { case: "sum", value: { aggregationTemporality: AggregationTemporality.CUMULATIVE, isMonotonic: true, dataPoints: points((i) => ({ ...base(i), value: { case: "asInt" as const, value: BigInt(i) } })) } },
    }),
    create(MetricSchema, {
      name: `${prefix}.histogram`,
      data: { case: "histogram", value: { aggregationTemporality: AggregationTemporality.DELTA, dataPoints: points((i) => ({ ...base(i), count: 3n, sum: 6, bucketCounts: [1n, 2n], explicitBounds: [5] })) } },
    }),
    create(MetricSchema, {
      name: `${prefix}.exphistogram`,
      data: { case: "exponentialHistogram", value: { aggregationTemporality: AggregationTemporality.DELTA, dataPoints: points((i) => ({ ...base(i), count: 1n, scale: 2, positive: { offset: 1, bucketCounts: [1n] } })) } },
    }),
    create(MetricSchema, { name: `${prefix}.summary`, data: { case: "summary", value: { dataPoints: points((i) => ({ ...base(i), count: 2n, sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }] })) } } }),
  ];
}

/** A ResourceMetrics with resource attributes and the given metrics in one scope. */
export function resourceMetrics(attrs: Record<string, unknown>, metrics: Metric[]): ResourceMetrics {
  const rm = create(ResourceMetricsSchema, { scopeMetrics: [{ scope: { name: "lib", version: "1.0" }, metrics }] });
  rm.resource = create(ResourceSchema);
  rm.resource.attributes = kvs(attrs);
  return rm;
}

/** Every data point's attributes of a metrics batch, as plain objects, by metric name. */
export function pointAttributes(b: Batch<"metrics">): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const rm of b.full()) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const p of m.data.value?.dataPoints ?? []) out.push([m.name, plain(p.attributes)]);
  return out;
}
