// Explicit-bucket histogram point → the values of its classic series `_bucket{le}`, `_sum`,
// `_count` (spec: prometheus.md §3.1, alloy-components.md §6.4).

import type { HistogramDataPoint } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { formatFloat } from "../format.ts";

/** One `_bucket` series: its `le` label value and cumulative count. */
export interface ClassicBucket {
  le: string;
  value: number;
}

export interface ClassicHistogram {
  /** Ascending by bound, ending with `le="+Inf"`. */
  buckets: ClassicBucket[];
  /** The finite bounds of `buckets` (all but the last), for placing exemplars. */
  bounds: number[];
  count: number;
  /** Absent when the point has no sum: then no `_sum` series (spec §3.1). */
  sum: number | undefined;
}

/** Bounds repeat point after point; their `le` text (float formatting) is kept. Bounded. */
const leTexts = new Map<number, string>();
const LE_LIMIT = 10_000;

/** formatFloat(bound), memoised; not for 0, whose two signs one Map key cannot tell apart. */
function leOf(bound: number): string {
  if (bound === 0) return formatFloat(bound);
  let le = leTexts.get(bound);
  if (le === undefined) {
    if (leTexts.size >= LE_LIMIT) leTexts.clear();
    le = formatFloat(bound);
    leTexts.set(bound, le);
  }
  return le;
}

/**
 * OTLP bucket counts are per bucket, Prometheus' are cumulative: emit running sums over
 * `i < min(len(bounds), len(counts))`, then `+Inf` = the point's `count` — not the running sum,
 * even when the two disagree (spec §3.1). Bounds out of order are sorted and equal bounds
 * merged (Alloy sorts too), so no two series share an `le`; a `+Inf` or NaN bound is skipped
 * because the implicit `+Inf` bucket already covers it.
 */
export function classicHistogram(point: HistogramDataPoint): ClassicHistogram {
  const n = Math.min(point.explicitBounds.length, point.bucketCounts.length);
  const pairs: [bound: number, count: bigint][] = [];
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const bound = point.explicitBounds[i]!;
    if (Number.isNaN(bound) || bound === Infinity) continue;
    if (pairs.length > 0 && bound <= pairs[pairs.length - 1]![0]) sorted = false;
    pairs.push([bound, point.bucketCounts[i]!]);
  }
  if (!sorted) pairs.sort((a, b) => a[0] - b[0]);
  const buckets: ClassicBucket[] = [];
  const bounds: number[] = [];
  let running = 0n;
  for (let i = 0; i < pairs.length; i++) {
    const [bound, count] = pairs[i]!;
    running += count;
    // Equal bounds: one series, carrying the counts of all of them.
    if (i + 1 < pairs.length && pairs[i + 1]![0] === bound) continue;
    buckets.push({ le: leOf(bound), value: Number(running) });
    bounds.push(bound);
  }
  const count = Number(point.count);
  buckets.push({ le: "+Inf", value: count });
  return { buckets, bounds, count, sum: point.sum };
}
