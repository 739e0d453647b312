// OTLP exponential histogram point → Prometheus native histogram (spec: prometheus.md §3.2).

import type { ExponentialHistogramDataPoint, ExponentialHistogramDataPoint_Buckets } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { BucketSpan, NativeHistogram } from "../appender.ts";

/** What the reference implementations (Alloy included) always send, whatever OTLP says. */
export const ZERO_THRESHOLD = 1e-128;
/** Native histogram schemas run from -4 to 8. */
export const MIN_SCHEMA = -4;
export const MAX_SCHEMA = 8;

/** Sparse buckets: spans, count deltas, and the total count they hold. */
export interface SparseBuckets {
  spans: BucketSpan[];
  deltas: number[];
  total: number;
}

/**
 * The native histogram of a point, or the reason it cannot be one: a scale below −4, or a
 * `count` smaller than the observations in its buckets — Prometheus rejects the whole request
 * with 500 for that (spec §3.2, §5.2), so the point must not reach a remote-write queue.
 * Scales above 8 are reduced to 8 by merging buckets.
 */
export function nativeHistogram(point: ExponentialHistogramDataPoint): NativeHistogram | string {
  if (point.scale < MIN_SCHEMA) return `cannot convert exponential to native histogram: scale must be >= ${MIN_SCHEMA}, was ${point.scale}`;
  const scaleDown = Math.max(0, point.scale - MAX_SCHEMA);
  const positive = sparseBuckets(point.positive, scaleDown);
  const negative = sparseBuckets(point.negative, scaleDown);
  const zeroCount = Number(point.zeroCount);
  const count = Number(point.count);
  // Counts are floats from here on (as Prometheus reads them); exact below 2^53.
  const inBuckets = positive.total + negative.total + zeroCount;
  if (count < inBuckets) return `${inBuckets} observations found in buckets, but the count is ${count}`;
  return {
    schema: Math.min(point.scale, MAX_SCHEMA),
    zeroThreshold: ZERO_THRESHOLD,
    zeroCount,
    count,
    sum: point.sum ?? 0,
    positiveSpans: positive.spans,
    positiveDeltas: positive.deltas,
    negativeSpans: negative.spans,
    negativeDeltas: negative.deltas,
    // UNKNOWN for cumulative data: a wrong NO can corrupt Prometheus' chunks (spec §3.2).
    resetHint: 0,
  };
}

/**
 * Dense OTLP buckets → Prometheus spans and deltas. OTLP bucket i covers (base^i, base^(i+1)],
 * Prometheus bucket i covers (base^(i-1), base^i], so the Prometheus index is the OTLP index + 1
 * after merging `2^scaleDown` neighbours (`i >> k`, floor for negatives). Empty buckets are
 * left out; a gap of up to two is filled with zero buckets rather than opening a span, as the
 * reference does. Deltas run across spans, the first relative to 0.
 */
export function sparseBuckets(buckets: ExponentialHistogramDataPoint_Buckets | undefined, scaleDown: number): SparseBuckets {
  const out: SparseBuckets = { spans: [], deltas: [], total: 0 };
  if (!buckets || buckets.bucketCounts.length === 0) return out;
  const counts = buckets.bucketCounts;
  const divisor = 2 ** scaleDown;
  let previous = 0;
  let lastIndex: number | undefined;
  let span: BucketSpan | undefined;
  const emit = (index: number, count: number) => {
    if (count === 0) return;
    const gap = lastIndex === undefined ? Infinity : index - lastIndex - 1;
    if (gap > 2) {
      span = { offset: lastIndex === undefined ? index : gap, length: 0 };
      out.spans.push(span);
    } else {
      for (let j = 0; j < gap; j++) {
        out.deltas.push(0 - previous);
        previous = 0;
      }
      span!.length += gap;
    }
    span!.length++;
    out.deltas.push(count - previous);
    previous = count;
    lastIndex = index;
    out.total += count;
  };
  // Numbers rather than BigInt: several times faster, exact below 2^53 observations.
  let index = Math.floor(buckets.offset / divisor) + 1;
  let count = 0;
  for (let i = 0; i < counts.length; i++) {
    // Division rather than `>>`: offset + i can leave the int32 range.
    const next = divisor === 1 ? buckets.offset + i + 1 : Math.floor((buckets.offset + i) / divisor) + 1;
    if (next !== index) {
      emit(index, count);
      index = next;
      count = 0;
    }
    count += Number(counts[i]!);
  }
  emit(index, count);
  return out;
}

/** An empty histogram of the same layout, for start-timestamp zero ingestion. */
export function emptyLike(h: NativeHistogram): NativeHistogram {
  return { ...h, zeroCount: 0, count: 0, sum: 0, positiveSpans: [], positiveDeltas: [], negativeSpans: [], negativeDeltas: [] };
}
