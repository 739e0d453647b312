// Builders for metric test data (OTLP protobuf-es messages).

import { create } from "@bufbuild/protobuf";
import { AnyValueSchema, type KeyValue, KeyValueSchema } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import {
  ExemplarSchema,
  ExponentialHistogramDataPointSchema,
  ExponentialHistogramDataPoint_BucketsSchema,
  ExponentialHistogramSchema,
  GaugeSchema,
  HistogramDataPointSchema,
  HistogramSchema,
  type Metric,
  MetricSchema,
  type NumberDataPoint,
  NumberDataPointSchema,
  SumSchema,
  SummaryDataPointSchema,
  SummaryDataPoint_ValueAtQuantileSchema,
  SummarySchema,
} from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { PMap, fromAny, toPlain } from "../../../src/ottl/values.ts";

/** Attributes from a plain object of strings/ints. */
export function attrs(o: Record<string, string | bigint> = {}): KeyValue[] {
  return Object.entries(o).map(([key, v]) =>
    create(KeyValueSchema, { key, value: create(AnyValueSchema, { value: typeof v === "string" ? { case: "stringValue", value: v } : { case: "intValue", value: v } }) }),
  );
}

/** A number point. */
export function numberPoint(v: number | bigint, a: Record<string, string | bigint> = {}, time = 100n, start = 10n): NumberDataPoint {
  return create(NumberDataPointSchema, {
    attributes: attrs(a),
    timeUnixNano: time,
    startTimeUnixNano: start,
    value: typeof v === "bigint" ? { case: "asInt", value: v } : { case: "asDouble", value: v },
  });
}

const base = (name: string) => ({ name, description: `${name} description`, unit: "ms" });

export function gauge(name: string, points: NumberDataPoint[]): Metric {
  return create(MetricSchema, { ...base(name), data: { case: "gauge", value: create(GaugeSchema, { dataPoints: points }) } });
}

export function sum(name: string, points: NumberDataPoint[], temporality = 2, monotonic = true): Metric {
  return create(MetricSchema, {
    ...base(name),
    data: { case: "sum", value: create(SumSchema, { dataPoints: points, aggregationTemporality: temporality, isMonotonic: monotonic }) },
  });
}

export interface HistPoint {
  count: bigint;
  sum?: number;
  bounds?: number[];
  buckets?: bigint[];
  min?: number;
  max?: number;
  attrs?: Record<string, string | bigint>;
  time?: bigint;
  exemplar?: number;
}

export function histogram(name: string, points: HistPoint[], temporality = 2): Metric {
  const dataPoints = points.map((p) =>
    create(HistogramDataPointSchema, {
      attributes: attrs(p.attrs),
      count: p.count,
      sum: p.sum,
      min: p.min,
      max: p.max,
      explicitBounds: p.bounds ?? [],
      bucketCounts: p.buckets ?? [],
      timeUnixNano: p.time ?? 100n,
      startTimeUnixNano: 10n,
      exemplars: p.exemplar === undefined ? [] : [create(ExemplarSchema, { value: { case: "asDouble", value: p.exemplar } })],
    }),
  );
  return create(MetricSchema, { ...base(name), data: { case: "histogram", value: create(HistogramSchema, { dataPoints, aggregationTemporality: temporality }) } });
}

export function expHistogram(name: string, points: Array<HistPoint & { positive?: bigint[]; zero?: bigint }>, temporality = 1): Metric {
  const dataPoints = points.map((p) =>
    create(ExponentialHistogramDataPointSchema, {
      attributes: attrs(p.attrs),
      count: p.count,
      sum: p.sum,
      zeroCount: p.zero ?? 0n,
      scale: 1,
      positive: create(ExponentialHistogramDataPoint_BucketsSchema, { offset: 0, bucketCounts: p.positive ?? [] }),
      timeUnixNano: p.time ?? 100n,
      startTimeUnixNano: 10n,
    }),
  );
  return create(MetricSchema, {
    ...base(name),
    data: { case: "exponentialHistogram", value: create(ExponentialHistogramSchema, { dataPoints, aggregationTemporality: temporality }) },
  });
}

export function summary(name: string, points: Array<{ count: bigint; sum: number; quantiles?: Array<[number, number]>; attrs?: Record<string, string | bigint> }>): Metric {
  const dataPoints = points.map((p) =>
    create(SummaryDataPointSchema, {
      attributes: attrs(p.attrs),
      count: p.count,
      sum: p.sum,
      timeUnixNano: 100n,
      startTimeUnixNano: 10n,
      quantileValues: (p.quantiles ?? []).map(([quantile, value]) => create(SummaryDataPoint_ValueAtQuantileSchema, { quantile, value })),
    }),
  );
  return create(MetricSchema, { ...base(name), data: { case: "summary", value: create(SummarySchema, { dataPoints }) } });
}

/** Plain view of attributes. */
export function plainAttrs(kvs: KeyValue[]): unknown {
  return toPlain(new PMap(kvs));
}

/** The numeric value of a number point (bigint for ints). */
export function valueOf(p: NumberDataPoint): number | bigint | undefined {
  return p.value.value;
}

/** Reads an attribute (for assertions). */
export function attr(kvs: KeyValue[], key: string): unknown {
  return toPlain(fromAny(kvs.find((kv) => kv.key === key)?.value));
}
