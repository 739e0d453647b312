// The metric and datapoint levels (ottl.md §3.6, §3.7). A datapoint path that does not apply to
// the point's type reads as nil and ignores writes.

import { create } from "@bufbuild/protobuf";
import {
  type ExponentialHistogramDataPoint,
  type ExponentialHistogramDataPoint_Buckets,
  ExponentialHistogramDataPoint_BucketsSchema,
  type HistogramDataPoint,
  type Metric,
  type NumberDataPoint,
  type SummaryDataPoint,
} from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { fail } from "../errors.ts";
import { type PathDef, boolField, floatField, int32Field, int64Field, mapPath, stringField, timeField, toFloatArray, toIntArray } from "../paths.ts";
import type { DataPoint, TransformContext } from "../tctx.ts";
import { Opaque, PList, PMap } from "../values.ts";
import type { Level } from "./level.ts";

/** Enums of the metric context. */
export const METRIC_ENUMS: Readonly<Record<string, bigint>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0n,
  AGGREGATION_TEMPORALITY_DELTA: 1n,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2n,
  METRIC_DATA_TYPE_NONE: 0n,
  METRIC_DATA_TYPE_GAUGE: 1n,
  METRIC_DATA_TYPE_SUM: 2n,
  METRIC_DATA_TYPE_HISTOGRAM: 3n,
  METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM: 4n,
  METRIC_DATA_TYPE_SUMMARY: 5n,
};

/** Enums of the datapoint context: the metric's plus the point flags. */
export const DATAPOINT_ENUMS: Readonly<Record<string, bigint>> = { ...METRIC_ENUMS, FLAG_NONE: 0n, FLAG_NO_RECORDED_VALUE: 1n };

const TYPE_NUMBERS: Record<string, number> = { gauge: 1, sum: 2, histogram: 3, exponentialHistogram: 4, summary: 5 };

function metric(tctx: TransformContext): Metric {
  const m = tctx.metric;
  if (!m) fail("no metric in this context");
  return m;
}

/** The temporality-bearing part of a metric (sum, histogram, exponential histogram), if any. */
function temporal(m: Metric): { aggregationTemporality: number } | undefined {
  const d = m.data;
  return d.case === "sum" || d.case === "histogram" || d.case === "exponentialHistogram" ? d.value : undefined;
}

/** The metric level. */
export const metricLevel: Level = {
  name: "metric",
  enums: METRIC_ENUMS,
  self: { get: (t) => new Opaque("metric", metric(t)), readOnly: "the whole metric cannot be replaced; set its fields" },
  fields: {
    name: stringField((t) => metric(t).name, (t, v) => (metric(t).name = v), "metric.name"),
    description: stringField((t) => metric(t).description, (t, v) => (metric(t).description = v), "metric.description"),
    unit: stringField((t) => metric(t).unit, (t, v) => (metric(t).unit = v), "metric.unit"),
    type: {
      get: (t) => BigInt(TYPE_NUMBERS[metric(t).data.case ?? ""] ?? 0),
      readOnly: "metric.type is read-only; use convert_sum_to_gauge, convert_gauge_to_sum, … to change a metric's type",
    },
    aggregation_temporality: int32Field(
      (t) => temporal(metric(t))?.aggregationTemporality ?? null,
      (t, v) => {
        const d = temporal(metric(t));
        if (d) d.aggregationTemporality = v;
      },
      "metric.aggregation_temporality",
      false,
    ),
    is_monotonic: boolField(
      (t) => {
        const d = metric(t).data;
        return d.case === "sum" ? d.value.isMonotonic : null;
      },
      (t, v) => {
        const d = metric(t).data;
        if (d.case === "sum") d.value.isMonotonic = v;
      },
      "metric.is_monotonic",
    ),
    data_points: {
      get: (t) => new Opaque("data_points", metric(t).data.value?.dataPoints ?? []),
      readOnly: "metric.data_points cannot be replaced",
    },
    metadata: mapPath((t) => new PMap(metric(t).metadata), "metric.metadata"),
  },
};

function point(tctx: TransformContext): DataPoint {
  const p = tctx.point;
  if (!p) fail("no data point in this context");
  return p;
}

const NUMBER = "opentelemetry.proto.metrics.v1.NumberDataPoint";
const HISTOGRAM = "opentelemetry.proto.metrics.v1.HistogramDataPoint";
const EXP = "opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint";
const SUMMARY = "opentelemetry.proto.metrics.v1.SummaryDataPoint";

const asNumber = (p: DataPoint) => (p.$typeName === NUMBER ? (p as NumberDataPoint) : undefined);
const asHistogram = (p: DataPoint) => (p.$typeName === HISTOGRAM ? (p as HistogramDataPoint) : undefined);
const asExp = (p: DataPoint) => (p.$typeName === EXP ? (p as ExponentialHistogramDataPoint) : undefined);
const asSummary = (p: DataPoint) => (p.$typeName === SUMMARY ? (p as SummaryDataPoint) : undefined);
/** Points with count and sum: histogram, exponential histogram, summary. */
const asCounted = (p: DataPoint) => asHistogram(p) ?? asExp(p) ?? asSummary(p);
/** Points with exemplars: all but summary. */
const asExemplared = (p: DataPoint) => asNumber(p) ?? asHistogram(p) ?? asExp(p);

function buckets(side: "positive" | "negative"): PathDef {
  const read = (t: TransformContext): ExponentialHistogramDataPoint_Buckets | undefined => asExp(point(t))?.[side];
  const write = (t: TransformContext): ExponentialHistogramDataPoint_Buckets | undefined => {
    const p = asExp(point(t));
    return p ? (p[side] ??= create(ExponentialHistogramDataPoint_BucketsSchema)) : undefined;
  };
  const what = `datapoint.${side}`;
  return {
    get: (t) => (asExp(point(t)) ? new Opaque("buckets", read(t) ?? create(ExponentialHistogramDataPoint_BucketsSchema)) : null),
    readOnly: `${what} cannot be replaced; set ${what}.offset or ${what}.bucket_counts`,
    fields: {
      offset: int32Field((t) => (asExp(point(t)) ? (read(t)?.offset ?? 0) : null), (t, v) => void (write(t) && (write(t)!.offset = v)), `${what}.offset`, false),
      bucket_counts: {
        get: (t) => (asExp(point(t)) ? PList.of(read(t)?.bucketCounts ?? []) : null),
        set(t, v) {
          const counts = toIntArray(v, `${what}.bucket_counts`);
          const b = write(t);
          if (b) b.bucketCounts = counts;
        },
      },
    },
  };
}

/** The datapoint level (number, histogram, exponential histogram and summary points). */
export const dataPointLevel: Level = {
  name: "datapoint",
  enums: DATAPOINT_ENUMS,
  self: { get: (t) => new Opaque("datapoint", point(t)), readOnly: "the whole data point cannot be replaced; set its fields" },
  fields: {
    attributes: mapPath((t) => new PMap(point(t).attributes), "datapoint.attributes"),
    start_time_unix_nano: int64Field((t) => point(t).startTimeUnixNano, (t, v) => (point(t).startTimeUnixNano = v), "datapoint.start_time_unix_nano"),
    time_unix_nano: int64Field((t) => point(t).timeUnixNano, (t, v) => (point(t).timeUnixNano = v), "datapoint.time_unix_nano"),
    start_time: timeField((t) => point(t).startTimeUnixNano, (t, v) => (point(t).startTimeUnixNano = v), "datapoint.start_time"),
    time: timeField((t) => point(t).timeUnixNano, (t, v) => (point(t).timeUnixNano = v), "datapoint.time"),
    flags: int32Field((t) => point(t).flags, (t, v) => (point(t).flags = v), "datapoint.flags", true),
    exemplars: {
      get: (t) => {
        const p = asExemplared(point(t));
        return p ? new Opaque("exemplars", p.exemplars) : null;
      },
      readOnly: "datapoint.exemplars cannot be replaced",
    },
    value_double: floatField(
      (t) => {
        const p = asNumber(point(t));
        return p ? (p.value.case === "asDouble" ? p.value.value : 0) : null;
      },
      (t, v) => {
        const p = asNumber(point(t));
        if (p) p.value = { case: "asDouble", value: v };
      },
      "datapoint.value_double",
    ),
    value_int: int64Field(
      (t) => {
        const p = asNumber(point(t));
        return p ? (p.value.case === "asInt" ? p.value.value : 0n) : null;
      },
      (t, v) => {
        const p = asNumber(point(t));
        if (p) p.value = { case: "asInt", value: v };
      },
      "datapoint.value_int",
      false,
    ),
    count: int64Field(
      (t) => asCounted(point(t))?.count ?? null,
      (t, v) => {
        const p = asCounted(point(t));
        if (p) p.count = v;
      },
      "datapoint.count",
    ),
    sum: floatField(
      (t) => {
        const p = asCounted(point(t));
        return p ? (p.sum ?? 0) : null;
      },
      (t, v) => {
        const p = asCounted(point(t));
        if (p) p.sum = v;
      },
      "datapoint.sum",
    ),
    bucket_counts: {
      get: (t) => {
        const p = asHistogram(point(t));
        return p ? PList.of(p.bucketCounts) : null;
      },
      set(t, v) {
        const counts = toIntArray(v, "datapoint.bucket_counts");
        const p = asHistogram(point(t));
        if (p) p.bucketCounts = counts;
      },
    },
    explicit_bounds: {
      get: (t) => {
        const p = asHistogram(point(t));
        return p ? PList.of(p.explicitBounds) : null;
      },
      set(t, v) {
        const bounds = toFloatArray(v, "datapoint.explicit_bounds");
        const p = asHistogram(point(t));
        if (p) p.explicitBounds = bounds;
      },
    },
    scale: int32Field((t) => asExp(point(t))?.scale ?? null, (t, v) => void (asExp(point(t)) && (asExp(point(t))!.scale = v)), "datapoint.scale", false),
    zero_count: int64Field(
      (t) => asExp(point(t))?.zeroCount ?? null,
      (t, v) => {
        const p = asExp(point(t));
        if (p) p.zeroCount = v;
      },
      "datapoint.zero_count",
    ),
    positive: buckets("positive"),
    negative: buckets("negative"),
    quantile_values: {
      get: (t) => {
        const p = asSummary(point(t));
        return p ? new Opaque("quantile_values", p.quantileValues) : null;
      },
      readOnly: "datapoint.quantile_values cannot be replaced",
    },
  },
};
