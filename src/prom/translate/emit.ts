// One conversion's view of the Appender: opens data points (time, labels, out-of-order check),
// writes their samples, histograms and exemplars, and counts what it drops and why.

import type { KeyValue } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Appender, Exemplar, Labels, NativeHistogram } from "../appender.ts";
import { withReserved } from "./labels.ts";
import { emptyLike } from "./native_histogram.ts";
import type { SeriesCache, SeriesState } from "./series_cache.ts";
import type { BaseLabels, Family, SeriesKeys } from "./series_keys.ts";
import { timestampMs } from "./time.ts";

/** Why something was not written. */
export type DropReason =
  /** A data point (or whole metric) that is not cumulative: delta or unspecified temporality. */
  | "non_cumulative"
  /** A metric whose name has nothing legal in it. */
  | "invalid_name"
  /** A metric without data points, or without data at all. */
  | "empty_metric"
  /** A data point with time 0 (it would land in 1970). */
  | "zero_timestamp"
  /** A data point older than the last one written for the same series. */
  | "out_of_order"
  /** A second point of the same series and time in one batch (labels that became equal). */
  | "duplicate"
  /** An exponential histogram that cannot be a native one (scale < −4, count < bucket total). */
  | "invalid_histogram"
  /** An attribute whose key has no legal label name; the point is kept without it. */
  | "invalid_label";

/** What one conversion did. */
export interface ConvertReport {
  /** Data points written (each may be many series). */
  points: number;
  /** Float samples appended, stale markers included. */
  samples: number;
  histograms: number;
  exemplars: number;
  dropped: Partial<Record<DropReason, number>>;
  /** The first problem met per reason, for the log. */
  examples: Partial<Record<DropReason, string>>;
}

export type { BaseLabels } from "./series_keys.ts";

/** An opened data point. */
export interface Point {
  /** Its labels without `__name__`/`le`/`quantile`, sorted. */
  labels: Labels;
  ts: number;
  /** Where a zero sample goes before the first sample (start_timestamp_zero_ingestion); 0 = none. */
  zeroAt: number;
  state: SeriesState;
  /** Exemplars older than this were written before; they are skipped. */
  exemplarFloor: number;
}

export class Emitter {
  readonly report: ConvertReport = { points: 0, samples: 0, histograms: 0, exemplars: 0, dropped: {}, examples: {} };
  /** The family of the previous open() and its series prefix and hash seed (points come per metric). */
  private family = "";
  private tag = "";
  private series: Family = { prefix: "", seed: 0 };

  constructor(
    readonly app: Appender,
    private readonly cache: SeriesCache,
    private readonly keys: SeriesKeys,
    /** Wall-clock time of this conversion (ms). */
    readonly now: number,
    private readonly zeroIngestion: boolean,
    /** Numbers the conversions, to tell a repeat inside one batch from a retried batch. */
    private readonly conversion: number,
  ) {}

  /** Counts `n` dropped things; `example` names the first one for the log. */
  drop(reason: DropReason, n = 1, example?: string): void {
    this.report.dropped[reason] = (this.report.dropped[reason] ?? 0) + n;
    if (example !== undefined && this.report.examples[reason] === undefined) this.report.examples[reason] = example;
  }

  /** Reports an attribute key without a legal label name. */
  readonly invalidKey = (key: string): void => this.drop("invalid_label", 1, JSON.stringify(key));

  /**
   * Opens a data point of family `family` (`tag` tells types apart): undefined when its time is
   * 0 or it is older than the last point written for the same labels. `cumulative` types may
   * get a zero sample at their start time.
   */
  open(family: string, tag: string, base: BaseLabels, attrs: readonly KeyValue[], timeUnixNano: bigint, startUnixNano: bigint, cumulative: boolean): Point | undefined {
    const ts = timestampMs(timeUnixNano);
    if (ts === 0) {
      this.drop("zero_timestamp", 1, family);
      return undefined;
    }
    if (family !== this.family || tag !== this.tag) {
      this.family = family;
      this.tag = tag;
      this.series = this.keys.family(tag, family);
    }
    const hash = this.keys.point(this.series.seed, base, attrs, this.invalidKey);
    const state = this.cache.touch(hash, this.series.prefix, this.keys, this.now);
    if (ts < state.lastTs) {
      this.drop("out_of_order", 1, family);
      return undefined;
    }
    // Same series, same time, same batch: Prometheus would refuse the whole request if the
    // values differ (400 duplicate sample). A retried batch is a new conversion and passes.
    if (ts === state.lastTs && state.lastConversion === this.conversion) {
      this.drop("duplicate", 1, family);
      return undefined;
    }
    const start = this.zeroIngestion && cumulative ? timestampMs(startUnixNano) : 0;
    const zeroAt = start > 0 && start < ts && start > state.lastTs ? start : 0;
    const exemplarFloor = state.lastExemplarTs;
    state.lastTs = ts;
    state.lastConversion = this.conversion;
    this.report.points++;
    return { labels: state.labels, ts, zeroAt, state, exemplarFloor };
  }

  /** The labels of a point's one series named `family` (gauges, sums, native histograms), kept with the series. */
  named(p: Point, family: string): Labels {
    return (p.state.named ??= withReserved(p.labels, [["__name__", family]]));
  }

  /** A float sample, or the stale marker (appendStale: JS numbers cannot carry StaleNaN, §4.5). */
  sample(p: Point, labels: Labels, value: number, stale: boolean): void {
    if (p.zeroAt > 0) this.app.append(labels, p.zeroAt, 0);
    if (stale) this.app.appendStale(labels, p.ts);
    else this.app.append(labels, p.ts, value);
    this.report.samples++;
  }

  /** A native histogram; a stale one is written as a stale marker, which Prometheus applies to the histogram series. */
  histogram(p: Point, labels: Labels, h: NativeHistogram | undefined): void {
    if (h === undefined) {
      this.app.appendStale(labels, p.ts);
      this.report.samples++;
      return;
    }
    if (p.zeroAt > 0) this.app.appendHistogram(labels, p.zeroAt, emptyLike(h));
    this.app.appendHistogram(labels, p.ts, h);
    this.report.histograms++;
  }

  /** An exemplar for a series of the point, unless older than one already written for it. */
  exemplar(p: Point, labels: Labels, e: Exemplar): void {
    const ts = e.timestampMs ?? Infinity;
    if (ts < p.exemplarFloor) return;
    if (e.timestampMs !== undefined && e.timestampMs > p.state.lastExemplarTs) p.state.lastExemplarTs = e.timestampMs;
    this.app.appendExemplar(labels, e);
    this.report.exemplars++;
  }
}
