// Self-metrics of prometheus.remote_write, named as Prometheus/Alloy name them
// (alloy-components.md §16 "Debug metrics"): prometheus_remote_storage_* per endpoint
// (labels remote_name, url) and prometheus_remote_write_wal_* for the WAL.

import type { Counter, Gauge, Histogram, MetricsRegistry } from "../../runtime/metrics.ts";

/** What a queue counts: float samples, exemplars, native histograms. */
export type Kind = "samples" | "exemplars" | "histograms";
export const KINDS: readonly Kind[] = ["samples", "exemplars", "histograms"];

const P = "prometheus_remote_storage_";
const W = "prometheus_remote_write_wal_";

/** The component-wide metrics (WAL and intake). */
export class RemoteWriteMetrics {
  private readonly c: Record<string, Counter> = {};
  private readonly g: Record<string, Gauge> = {};

  constructor(readonly registry: MetricsRegistry) {
    const counter = (name: string, help: string) => (this.c[name] = registry.counter(name, help));
    const gauge = (name: string, help: string) => (this.g[name] = registry.gauge(name, help));
    counter(`${W}samples_appended_total`, "Total number of samples appended to the WAL");
    counter(`${W}exemplars_appended_total`, "Total number of exemplars appended to the WAL");
    counter(`${W}out_of_order_samples_total`, "Total number of out of order samples ingestion failed attempts.");
    counter(`${W}storage_created_series_total`, "Total number of created series appended to the WAL");
    counter(`${W}storage_removed_series_total`, "Total number of created series removed from the WAL");
    counter(`${W}metadata_updates_total`, "Total number of metadata updates sent through the WAL");
    counter(`${W}corruptions_total`, "Total number of WAL corruptions found while reading segments (solder).");
    counter(`${W}write_failures_total`, "Total number of commits that could not be written to the WAL (solder).");
    gauge(`${W}storage_active_series`, "Current number of active series being tracked by the WAL storage");
    gauge(`${W}storage_deleted_series`, "Current number of series marked for deletion from memory");
    counter(`${P}samples_in_total`, "Samples in to remote storage, compare to samples out for queue managers.");
    counter(`${P}exemplars_in_total`, "Exemplars in to remote storage, compare to exemplars out for queue managers.");
    counter(`${P}histograms_in_total`, "HistogramSamples in to remote storage, compare to histograms out for queue managers.");
    gauge(`${P}highest_timestamp_in_seconds`, "Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.");
    this.g[`${W}storage_deleted_series`]!.set({}, 0);
  }

  walAppended(samples: number, exemplars: number, histograms: number, outOfOrder: number, metadata: number): void {
    this.c[`${W}samples_appended_total`]!.inc({}, samples + histograms);
    this.c[`${W}exemplars_appended_total`]!.inc({}, exemplars);
    this.c[`${P}samples_in_total`]!.inc({}, samples);
    this.c[`${P}exemplars_in_total`]!.inc({}, exemplars);
    this.c[`${P}histograms_in_total`]!.inc({}, histograms);
    if (outOfOrder > 0) this.c[`${W}out_of_order_samples_total`]!.inc({}, outOfOrder);
    if (metadata > 0) this.c[`${W}metadata_updates_total`]!.inc({}, metadata);
  }

  highestTimestamp(ms: number): void {
    this.g[`${P}highest_timestamp_in_seconds`]!.set({}, ms / 1000);
  }

  seriesCreated(active: number): void {
    this.c[`${W}storage_created_series_total`]!.inc();
    this.activeSeries(active);
  }

  seriesRemoved(n: number, active: number): void {
    this.c[`${W}storage_removed_series_total`]!.inc({}, n);
    this.activeSeries(active);
  }

  activeSeries(n: number): void {
    this.g[`${W}storage_active_series`]!.set({}, n);
  }

  corruption(): void {
    this.c[`${W}corruptions_total`]!.inc();
  }

  writeFailure(): void {
    this.c[`${W}write_failures_total`]!.inc();
  }

  /** The metrics of one endpoint's queue. */
  queue(remoteName: string, url: string): QueueMetrics {
    return new QueueMetrics(this.registry, { remote_name: remoteName, url });
  }
}

/** One endpoint's prometheus_remote_storage_* series. */
export class QueueMetrics {
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly duration: Histogram;
  private pendingCounts: Record<Kind, number> = { samples: 0, exemplars: 0, histograms: 0 };
  private highestSent = 0;

  constructor(
    private readonly registry: MetricsRegistry,
    readonly labels: Record<string, string>,
  ) {
    this.duration = registry.histogram(`${P}sent_batch_duration_seconds`, "Duration of send calls to the remote storage.", [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300]);
    for (const k of KINDS) {
      for (const [suffix, help] of [
        ["total", `Total number of ${k} sent to remote storage.`],
        ["failed_total", `Total number of ${k} which failed on send to remote storage, non-recoverable errors.`],
        ["retried_total", `Total number of ${k} which failed on send to remote storage but were retried because the send error was recoverable.`],
        ["dropped_total", `Total number of ${k} which were dropped after being read from the WAL before being sent via remote write.`],
      ] as const) this.counter(`${P}${k}_${suffix}`, help);
      this.gauge(`${P}${k}_pending`, `The number of ${k} pending in the queues shards to be sent to the remote storage.`).set(labels, 0);
    }
    for (const [name, help] of [
      ["metadata_total", "Total number of metadata entries sent to remote storage."],
      ["metadata_failed_total", "Total number of metadata entries which failed on send to remote storage, non-recoverable errors."],
      ["metadata_retried_total", "Total number of metadata entries which failed on send to remote storage but were retried because the send error was recoverable."],
      ["metadata_bytes_total", "The total number of bytes of metadata sent by the queue after compression."],
      ["bytes_total", "The total number of bytes of data (not metadata) sent by the queue after compression."],
      ["enqueue_retries_total", "Total number of times enqueue has failed because a shards queue was full."],
    ]) this.counter(`${P}${name}`, help!);
    for (const name of ["shards", "shards_desired", "shards_min", "shards_max", "shard_capacity", "max_samples_per_send", "queue_highest_sent_timestamp_seconds"]) {
      this.gauge(`${P}${name}`, gaugeHelp(name));
    }
  }

  private counter(name: string, help: string): Counter {
    const c = this.registry.counter(name, help);
    c.inc(this.labels, 0);
    this.counters.set(name, c);
    return c;
  }

  private gauge(name: string, help: string): Gauge {
    const g = this.registry.gauge(name, help);
    this.gauges.set(name, g);
    return g;
  }

  /** Adds to `prometheus_remote_storage_<name>`. */
  inc(name: string, by = 1): void {
    if (by !== 0) this.counters.get(`${P}${name}`)!.inc(this.labels, by);
  }

  /** Sets `prometheus_remote_storage_<name>`. */
  set(name: string, value: number): void {
    this.gauges.get(`${P}${name}`)!.set(this.labels, value);
  }

  /** Adjusts the pending gauges by `delta` per kind. */
  pending(delta: Record<Kind, number>): void {
    for (const k of KINDS) {
      if (delta[k] === 0) continue;
      this.pendingCounts[k] += delta[k];
      this.set(`${k}_pending`, this.pendingCounts[k]);
    }
  }

  /** Records one successful send. */
  sent(counts: Record<Kind, number>, bytes: number, seconds: number, newestTs: number): void {
    for (const k of KINDS) this.inc(`${k}_total`, counts[k]);
    this.inc("bytes_total", bytes);
    this.duration.observe(this.labels, seconds);
    if (newestTs > this.highestSent) {
      this.highestSent = newestTs;
      this.set("queue_highest_sent_timestamp_seconds", newestTs / 1000);
    }
  }

  observeDuration(seconds: number): void {
    this.duration.observe(this.labels, seconds);
  }
}

function gaugeHelp(name: string): string {
  const help: Record<string, string> = {
    shards: "The number of shards used for parallel sending to the remote storage.",
    shards_desired: "The number of shards that the queues shard calculation wants to run based on the rate of samples in vs. samples out.",
    shards_min: "The minimum number of shards that the queue is allowed to run.",
    shards_max: "The maximum number of shards that the queue is allowed to run.",
    shard_capacity: "The capacity of each shard of the queue used for parallel sending to the remote storage.",
    max_samples_per_send: "The maximum number of samples to be sent, in a single request, to the remote storage.",
    queue_highest_sent_timestamp_seconds: "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.",
  };
  return help[name] ?? name;
}
