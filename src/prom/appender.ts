// The contract between components that carry Prometheus samples (style: Prometheus's
// storage.Appender). A component that accepts samples exports `receiver`, an Appendable capsule;
// a producer opens one Appender per transaction (one scrape, one ConsumeMetrics call), appends,
// then commits — or rolls back, and nothing it appended is kept.

import { Capsule } from "../runtime/value.ts";

/** One label; a series' labels are sorted by name, `__name__` included. */
export type Label = readonly [name: string, value: string];
export type Labels = readonly Label[];

export type MetricType = "counter" | "gauge" | "histogram" | "gaugehistogram" | "summary" | "info" | "stateset" | "unknown";

export interface Metadata {
  type: MetricType;
  help: string;
  unit: string;
}

export interface Exemplar {
  /** Exemplar labels (e.g. trace_id, span_id), sorted by name. */
  labels: Labels;
  value: number;
  /** Milliseconds since the epoch, when known. */
  timestampMs?: number;
}

/** A span of buckets in a native histogram: `length` buckets starting `offset` after the previous span. */
export interface BucketSpan {
  offset: number;
  length: number;
}

/** A Prometheus native histogram (integer counts), the target of OTLP exponential histograms. */
export interface NativeHistogram {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positiveSpans: BucketSpan[];
  /** Counts as deltas between consecutive buckets, as the remote-write protocol carries them. */
  positiveDeltas: number[];
  negativeSpans: BucketSpan[];
  negativeDeltas: number[];
  /** 0 unknown, 1 yes, 2 no, 3 gauge (remote write's ResetHint). */
  resetHint: 0 | 1 | 2 | 3;
}

/**
 * One transaction. Label arrays handed to it are never changed afterwards: receivers keep them,
 * and may recognise a series by its array (remote write's WAL storage does).
 */
export interface Appender {
  append(labels: Labels, timestampMs: number, value: number): void;
  /**
   * Marks the series stale at `timestampMs`. A separate call rather than a NaN value because JS
   * engines do not keep NaN payloads: the StaleNaN bit pattern exists only where encoders write
   * it (see STALE_NAN_BITS).
   */
  appendStale(labels: Labels, timestampMs: number): void;
  appendExemplar(labels: Labels, exemplar: Exemplar): void;
  appendHistogram(labels: Labels, timestampMs: number, histogram: NativeHistogram): void;
  /** Metadata of a metric family, keyed by the family name (without `_bucket`, `_total` …). */
  updateMetadata(family: string, metadata: Metadata): void;
  /** Hands everything appended since the start to the destination; rejects when it refuses. */
  commit(): Promise<void>;
  /** Drops everything appended since the start. */
  rollback(): void;
}

export interface Appendable {
  appender(): Appender;
}

/** The capsule type name Alloy's docs use for `receiver` exports and `forward_to` lists. */
export const RECEIVER_TYPE = "MetricsReceiver";

/** Wraps an Appendable for export as `receiver`. */
export function receiverCapsule(a: Appendable): Capsule<Appendable> {
  return new Capsule(RECEIVER_TYPE, a);
}

/**
 * An Appendable that writes every transaction to all of `targets` (a `forward_to` list). Each
 * target gets its own appender; commit waits for all and fails when any fails.
 */
export function fanout(targets: () => readonly Appendable[]): Appendable {
  return {
    appender(): Appender {
      const list = targets().map((t) => t.appender());
      // One receiver (the usual case): its own appender, without a forwarding call per sample.
      if (list.length === 1) return list[0]!;
      return {
        append: (l, t, v) => list.forEach((a) => a.append(l, t, v)),
        appendStale: (l, t) => list.forEach((a) => a.appendStale(l, t)),
        appendExemplar: (l, e) => list.forEach((a) => a.appendExemplar(l, e)),
        appendHistogram: (l, t, h) => list.forEach((a) => a.appendHistogram(l, t, h)),
        updateMetadata: (f, m) => list.forEach((a) => a.updateMetadata(f, m)),
        async commit() {
          const results = await Promise.allSettled(list.map((a) => a.commit()));
          const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
          if (failed.length === 1) throw failed[0]!.reason;
          if (failed.length > 1) throw new AggregateError(failed.map((f) => f.reason), "several receivers failed to commit");
        },
        rollback: () => list.forEach((a) => a.rollback()),
      };
    },
  };
}

/** Labels from a record, sorted by name. */
export function labelsOf(record: Record<string, string>): Labels {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The value of label `name`, or "" when absent (Prometheus treats the two alike). */
export function labelValue(labels: Labels, name: string): string {
  for (const [n, v] of labels) if (n === name) return v;
  return "";
}

/**
 * Prometheus's staleness marker: a NaN with a specific bit pattern (0x7ff0000000000002). JS
 * numbers cannot carry it (engines quiet or canonicalise NaNs), so encoders write these bits
 * directly (DataView.setBigUint64) for samples appended with appendStale. A plain NaN is an
 * ordinary value.
 */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
