// Data points of each OTLP type → Prometheus series (spec: prometheus.md §3, §4.4, §4.5;
// alloy-components.md §6.4). Called once per metric with its family name already worked out.

import type {
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  NumberDataPoint,
  SummaryDataPoint,
} from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Label, Labels } from "../appender.ts";
import type { BaseLabels, Emitter } from "./emit.ts";
import { exemplarBucket, exemplarValue, toExemplar } from "./exemplars.ts";
import { classicHistogram } from "./histogram.ts";
import { withReserved } from "./labels.ts";
import { nativeHistogram } from "./native_histogram.ts";
import type { SeriesParts } from "./series_cache.ts";
import { summarySeries } from "./summary.ts";
import { noRecordedValue } from "./time.ts";

/** `as_double` as-is, `as_int` as float64 (precision lost above 2^53, as in Prometheus); 0 when unset. */
export function numberValue(p: NumberDataPoint): number {
  if (p.value.case === "asDouble") return p.value.value;
  if (p.value.case === "asInt") return Number(p.value.value);
  return 0;
}

function named(name: string): Label[] {
  return [["__name__", name]];
}

/**
 * Gauges and cumulative sums: one series per point. Only counters (monotonic sums) keep their
 * exemplars; gauges and non-monotonic sums drop them (spec §4.4).
 */
export function writeNumberPoints(e: Emitter, family: string, base: BaseLabels, points: readonly NumberDataPoint[], counter: boolean): void {
  for (const dp of points) {
    const p = e.open(family, counter ? "c" : "g", base, dp.attributes, dp.timeUnixNano, dp.startTimeUnixNano, counter);
    if (!p) continue;
    const labels = e.named(p, family);
    e.sample(p, labels, numberValue(dp), noRecordedValue(dp.flags));
    if (counter) for (const ex of dp.exemplars) e.exemplar(p, labels, toExemplar(ex));
  }
}

/**
 * Explicit-bucket histograms: `_sum` (when present), `_count`, one `_bucket` per bound and
 * `le="+Inf"`. With no recorded value every series gets the stale marker. Exemplars go to the
 * first bucket whose bound is ≥ their value (spec §3.1).
 */
export function writeHistogramPoints(e: Emitter, family: string, base: BaseLabels, points: readonly HistogramDataPoint[]): void {
  const sumName = named(`${family}_sum`);
  const countName = named(`${family}_count`);
  const bucketName = `${family}_bucket`;
  for (const dp of points) {
    const p = e.open(family, "h", base, dp.attributes, dp.timeUnixNano, dp.startTimeUnixNano, true);
    if (!p) continue;
    const stale = noRecordedValue(dp.flags);
    const h = classicHistogram(dp);
    const kept = (p.state.parts ??= { sum: withReserved(p.labels, sumName), count: withReserved(p.labels, countName), values: [], labels: [] });
    if (h.sum !== undefined) e.sample(p, kept.sum, h.sum, stale);
    e.sample(p, kept.count, h.count, stale);
    const bucketLabels = partLabels(kept, h.buckets, (b) => b.le, (le) => withReserved(p.labels, [["__name__", bucketName], ["le", le]]));
    for (let i = 0; i < h.buckets.length; i++) e.sample(p, bucketLabels[i]!, h.buckets[i]!.value, stale);
    for (const ex of dp.exemplars) {
      e.exemplar(p, bucketLabels[exemplarBucket(h.bounds, exemplarValue(ex))]!, toExemplar(ex));
    }
  }
}

/**
 * Exponential histograms: one native-histogram series per point (spec §3.2); points that
 * cannot be represented are dropped and counted. Exemplars go on the same series.
 */
export function writeExponentialPoints(e: Emitter, family: string, base: BaseLabels, points: readonly ExponentialHistogramDataPoint[]): void {
  for (const dp of points) {
    const stale = noRecordedValue(dp.flags);
    const h = stale ? undefined : nativeHistogram(dp);
    // Checked before open(): a rejected point must not move the series' clock.
    if (typeof h === "string") {
      e.drop("invalid_histogram", 1, `${family}: ${h}`);
      continue;
    }
    const p = e.open(family, "e", base, dp.attributes, dp.timeUnixNano, dp.startTimeUnixNano, true);
    if (!p) continue;
    const labels = e.named(p, family);
    e.histogram(p, labels, h);
    for (const ex of dp.exemplars) e.exemplar(p, labels, toExemplar(ex));
  }
}

/**
 * The label sets of a point's `le` / `quantile` series, kept with the series while the list of
 * values stays the same (it usually does: bucket bounds and quantiles rarely change).
 */
function partLabels<T>(kept: SeriesParts, items: readonly T[], valueOf: (item: T) => string, make: (value: string) => Labels): Labels[] {
  let same = kept.values.length === items.length;
  for (let i = 0; same && i < items.length; i++) same = kept.values[i] === valueOf(items[i]!);
  if (!same) {
    kept.values = items.map(valueOf);
    kept.labels = kept.values.map(make);
  }
  return kept.labels;
}

/** Summaries: `name{quantile}` per quantile, `_sum` (always) and `_count`; no exemplars (spec §3.3). */
export function writeSummaryPoints(e: Emitter, family: string, base: BaseLabels, points: readonly SummaryDataPoint[]): void {
  const sumName = named(`${family}_sum`);
  const countName = named(`${family}_count`);
  for (const dp of points) {
    const p = e.open(family, "s", base, dp.attributes, dp.timeUnixNano, dp.startTimeUnixNano, true);
    if (!p) continue;
    const stale = noRecordedValue(dp.flags);
    const s = summarySeries(dp);
    const kept = (p.state.parts ??= { sum: withReserved(p.labels, sumName), count: withReserved(p.labels, countName), values: [], labels: [] });
    e.sample(p, kept.sum, s.sum, stale);
    e.sample(p, kept.count, s.count, stale);
    const quantileLabels = partLabels(kept, s.quantiles, (q) => q.quantile, (quantile) => withReserved(p.labels, [["__name__", family], ["quantile", quantile]]));
    // Quantile series carry no start-time zero: a zero quantile would be a made-up value.
    const noZero = { ...p, zeroAt: 0 };
    for (let i = 0; i < s.quantiles.length; i++) e.sample(noZero, quantileLabels[i]!, s.quantiles[i]!.value, stale);
  }
}
