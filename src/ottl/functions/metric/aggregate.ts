// aggregate_on_attributes(function, Optional[attributes]) (ottl.md §5.2), after upstream's
// aggregateutil: keep only the listed attribute keys on every point (omitted = keep all, `[]` =
// drop all), group points with equal attributes and timestamp (and start time for delta
// temporality; equal bounds/flags for histograms), and merge each group into its first point.

import { create } from "@bufbuild/protobuf";
import {
  type ExponentialHistogramDataPoint,
  type ExponentialHistogramDataPoint_Buckets,
  ExponentialHistogramDataPoint_BucketsSchema,
  type HistogramDataPoint,
  type Metric,
  type NumberDataPoint,
} from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { type OttlFunction, PMap, defineEditor, fail, opt, toJSON } from "../../function_api.ts";
import { DELTA, metricOf } from "./common.ts";

/** The aggregation functions upstream accepts. */
export const AGGREGATIONS = ["sum", "mean", "min", "max", "median", "count"] as const;
type Aggregation = (typeof AGGREGATIONS)[number];

function isAggregation(s: string): s is Aggregation {
  return (AGGREGATIONS as readonly string[]).includes(s);
}

interface AnyPoint {
  attributes: { key: string }[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
}

/** Groups points by key in first-seen order. */
function groupBy<P extends AnyPoint>(points: readonly P[], extra: (p: P) => unknown[]): P[][] {
  const groups = new Map<string, P[]>();
  for (const p of points) {
    const attrs = toJSON(new PMap(p.attributes as PMap["kvs"]));
    const key = JSON.stringify([attrs, String(p.timeUnixNano), ...extra(p)]);
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()];
}

function minStart(into: AnyPoint, other: AnyPoint): void {
  if (other.startTimeUnixNano < into.startTimeUnixNano) into.startTimeUnixNano = other.startTimeUnixNano;
}

const asDouble = (p: NumberDataPoint): number => (p.value.case === "asDouble" ? p.value.value : p.value.case === "asInt" ? Number(p.value.value) : 0);
const asInt = (p: NumberDataPoint): bigint =>
  p.value.case === "asInt" ? p.value.value : p.value.case === "asDouble" ? BigInt(Math.trunc(p.value.value)) : 0n;

function median<T extends number | bigint>(values: T[], half: (a: T, b: T) => T): T {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as T) : half(sorted[mid - 1] as T, sorted[mid] as T);
}

/** Merges a group of number points into its first point; the first point's value type decides int vs double. */
function mergeNumbers(group: NumberDataPoint[], agg: Aggregation): NumberDataPoint {
  const first = group[0] as NumberDataPoint;
  for (const p of group.slice(1)) minStart(first, p);
  if (first.value.case === "asInt") {
    const vs = group.map(asInt);
    let v: bigint;
    if (agg === "sum") v = vs.reduce((a, b) => a + b, 0n);
    else if (agg === "mean") v = vs.reduce((a, b) => a + b, 0n) / BigInt(vs.length);
    else if (agg === "min") v = vs.reduce((a, b) => (b < a ? b : a));
    else if (agg === "max") v = vs.reduce((a, b) => (b > a ? b : a));
    else if (agg === "median") v = median(vs, (a, b) => (a + b) / 2n);
    else v = BigInt(vs.length);
    first.value = { case: "asInt", value: BigInt.asIntN(64, v) };
  } else if (first.value.case === "asDouble") {
    const vs = group.map(asDouble);
    let v: number;
    if (agg === "sum") v = vs.reduce((a, b) => a + b, 0);
    else if (agg === "mean") v = vs.reduce((a, b) => a + b, 0) / vs.length;
    else if (agg === "min") v = Math.min(...vs);
    else if (agg === "max") v = Math.max(...vs);
    else if (agg === "median") v = median(vs, (a, b) => (a + b) / 2);
    else v = vs.length;
    first.value = { case: "asDouble", value: v };
  }
  return first;
}

/** Histogram groups are always summed (upstream ignores the function for histograms); empty points are skipped. */
function mergeHistograms(group: HistogramDataPoint[]): HistogramDataPoint {
  const first = group[0] as HistogramDataPoint;
  for (const p of group.slice(1)) {
    if (p.count === 0n) continue;
    first.count += p.count;
    first.sum = (first.sum ?? 0) + (p.sum ?? 0);
    if (first.min !== undefined && p.min !== undefined && p.min < first.min) first.min = p.min;
    if (first.max !== undefined && p.max !== undefined && p.max > first.max) first.max = p.max;
    p.bucketCounts.forEach((c, i) => {
      if (i < first.bucketCounts.length) first.bucketCounts[i] = (first.bucketCounts[i] as bigint) + c;
    });
    first.exemplars.push(...p.exemplars);
    minStart(first, p);
  }
  return first;
}

function emptyBuckets(offset: number): ExponentialHistogramDataPoint_Buckets {
  return create(ExponentialHistogramDataPoint_BucketsSchema, { offset });
}

function addBuckets(into: bigint[], from: readonly bigint[]): void {
  from.forEach((c, i) => {
    if (i < into.length) into[i] = (into[i] as bigint) + c;
    else into.push(c);
  });
}

function mergeExpHistograms(group: ExponentialHistogramDataPoint[]): ExponentialHistogramDataPoint {
  const first = group[0] as ExponentialHistogramDataPoint;
  for (const p of group.slice(1)) {
    if (p.count === 0n) continue;
    first.count += p.count;
    first.sum = (first.sum ?? 0) + (p.sum ?? 0);
    first.zeroCount += p.zeroCount;
    if (first.min !== undefined && p.min !== undefined && p.min < first.min) first.min = p.min;
    if (first.max !== undefined && p.max !== undefined && p.max > first.max) first.max = p.max;
    if (p.negative) addBuckets((first.negative ??= emptyBuckets(p.negative.offset)).bucketCounts, p.negative.bucketCounts);
    if (p.positive) addBuckets((first.positive ??= emptyBuckets(p.positive.offset)).bucketCounts, p.positive.bucketCounts);
    first.exemplars.push(...p.exemplars);
    minStart(first, p);
  }
  return first;
}

function keepOnly(points: readonly AnyPoint[], keys: readonly string[] | undefined): void {
  if (keys === undefined) return;
  for (const p of points) p.attributes = p.attributes.filter((kv) => keys.includes(kv.key));
}

/** Aggregates the metric's points in place. */
export function aggregateMetric(m: Metric, agg: Aggregation, keys: readonly string[] | undefined): void {
  const d = m.data;
  const byStart = (temporality: number) => (p: AnyPoint): unknown[] => (temporality === DELTA ? [String(p.startTimeUnixNano)] : []);
  switch (d.case) {
    case "gauge":
      keepOnly(d.value.dataPoints, keys);
      d.value.dataPoints = groupBy(d.value.dataPoints, () => []).map((g) => mergeNumbers(g, agg));
      return;
    case "sum": {
      keepOnly(d.value.dataPoints, keys);
      d.value.dataPoints = groupBy(d.value.dataPoints, byStart(d.value.aggregationTemporality)).map((g) => mergeNumbers(g, agg));
      return;
    }
    case "histogram": {
      keepOnly(d.value.dataPoints, keys);
      const start = byStart(d.value.aggregationTemporality);
      const extra = (p: HistogramDataPoint): unknown[] => [...p.explicitBounds, ...start(p), p.min !== undefined, p.max !== undefined, p.flags];
      d.value.dataPoints = groupBy(d.value.dataPoints, extra).map(mergeHistograms);
      return;
    }
    case "exponentialHistogram": {
      keepOnly(d.value.dataPoints, keys);
      const start = byStart(d.value.aggregationTemporality);
      const extra = (p: ExponentialHistogramDataPoint): unknown[] => [
        p.scale,
        p.min !== undefined,
        p.max !== undefined,
        p.flags,
        p.negative?.offset ?? 0,
        p.positive?.offset ?? 0,
        ...start(p),
      ];
      d.value.dataPoints = groupBy(d.value.dataPoints, extra).map(mergeExpHistograms);
      return;
    }
    case "summary":
      fail("aggregate_on_attributes does not support aggregating Summary metrics");
  }
}

/** aggregate_on_attributes(function, Optional[attributes]): see the file comment. */
export const aggregateOnAttributes = defineEditor({
  name: "aggregate_on_attributes",
  params: { function: "string", attributes: opt("string[]") },
  contexts: ["metric"],
  create({ function: fn, attributes }, cx) {
    if (!isAggregation(fn)) cx.fail("function", `invalid aggregation function: '${fn}', valid options: ${AGGREGATIONS.join(", ")}`);
    const agg: Aggregation = fn as Aggregation;
    return (tctx) => aggregateMetric(metricOf(tctx), agg, attributes);
  },
});

/** Every function of this file. */
export const AGGREGATE_FUNCTIONS: readonly OttlFunction[] = [aggregateOnAttributes];
