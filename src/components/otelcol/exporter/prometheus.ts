// `otelcol.exporter.prometheus` (spec: alloy-components.md §6; translation rules:
// prometheus.md §1–§4): the bridge from OTLP metrics to Prometheus samples. Each
// consumeMetrics is one append transaction on the `forward_to` receivers; its commit error is
// the call's error. Traces and logs are accepted and ignored (§0.2).

import type { MetricsBatch } from "../../../otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../otlp/consumer.ts";
import { PipelineError } from "../../../otlp/errors.ts";
import { type Appendable, RECEIVER_TYPE, fanout } from "../../../prom/appender.ts";
import { type ConvertOptions, type ConvertReport, Converter, type DropReason } from "../../../prom/translate/converter.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Logger } from "../../../runtime/logger.ts";
import type { Counter, MetricsRegistry } from "../../../runtime/metrics.ts";
import { attr, inert, required, t } from "../../../runtime/schema.ts";

export interface PrometheusExporterArgs {
  forward_to: Appendable[];
  include_target_info: boolean;
  include_scope_info: boolean;
  include_scope_labels: boolean;
  add_metric_suffixes: boolean;
  resource_to_telemetry_conversion: boolean;
  keep_identifying_resource_attributes: boolean;
  /** Milliseconds between sweeps of the series cache. */
  gc_frequency: number;
  honor_metadata: boolean;
  convert_classic_histograms_to_nhcb: boolean;
  start_timestamp_zero_ingestion: boolean;
}

/** Checks the arguments as a whole (message as Alloy's Validate). */
export function validatePrometheusExporterArgs(a: PrometheusExporterArgs): string[] {
  return a.gc_frequency > 0 ? [] : ["gc_frequency must be greater than 0"];
}

/** The component definition. */
export const prometheusExporter = defineComponent<PrometheusExporterArgs>({
  name: "otelcol.exporter.prometheus",
  summary: "Converts OTLP metrics to Prometheus samples and forwards them to `prometheus.*` receivers.",
  stability: "generally-available",
  args: {
    attrs: {
      forward_to: required(t.list(t.capsule(RECEIVER_TYPE))),
      include_target_info: attr(t.bool, true),
      include_scope_info: attr(t.bool, false),
      include_scope_labels: attr(t.bool, true),
      add_metric_suffixes: attr(t.bool, true),
      resource_to_telemetry_conversion: attr(t.bool, false),
      keep_identifying_resource_attributes: attr(t.bool, false),
      gc_frequency: attr(t.duration, 5 * 60_000),
      honor_metadata: attr(t.bool, false),
      convert_classic_histograms_to_nhcb: inert(t.bool, false, "native histograms with custom buckets are not produced; classic histograms are sent as _bucket/_sum/_count series"),
      start_timestamp_zero_ingestion: attr(t.bool, false),
    },
    validate: validatePrometheusExporterArgs,
  },
  exports: ["input"],
  build(opts, args) {
    const exporter = new PrometheusExporter(args, opts.logger, opts.metrics);
    const input: Consumer = {
      consumeTraces: async () => {},
      consumeMetrics: (b) => exporter.consume(b),
      consumeLogs: async () => {},
    };
    opts.onStateChange({ input: consumerCapsule(input) });
    return {
      run: (signal) => exporter.run(signal),
      update: (next) => exporter.update(next),
    };
  },
});

/** The converter options of the arguments. */
export function convertOptionsOf(a: PrometheusExporterArgs): ConvertOptions {
  return {
    includeTargetInfo: a.include_target_info,
    includeScopeInfo: a.include_scope_info,
    includeScopeLabels: a.include_scope_labels,
    addMetricSuffixes: a.add_metric_suffixes,
    resourceToTelemetryConversion: a.resource_to_telemetry_conversion,
    keepIdentifyingResourceAttributes: a.keep_identifying_resource_attributes,
    honorMetadata: a.honor_metadata,
    startTimestampZeroIngestion: a.start_timestamp_zero_ingestion,
  };
}

// setTimeout treats anything above 2^31-1 ms (~24.8 days) as 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;
// Drops that point at bad input are warnings; the rest (delta data, stragglers) are expected.
const WARN_REASONS: ReadonlySet<DropReason> = new Set(["invalid_name", "empty_metric", "zero_timestamp", "invalid_histogram", "invalid_label"]);
const WARN_EVERY_MS = 60_000;

/** The converter, the transaction per batch, the cache sweeps. */
export class PrometheusExporter {
  private args: PrometheusExporterArgs;
  private readonly converter: Converter;
  private readonly target: Appendable;
  private readonly dropped: Counter;
  private readonly lastWarned = new Map<DropReason, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    args: PrometheusExporterArgs,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
    private readonly now: () => number = Date.now,
  ) {
    this.args = args;
    this.converter = new Converter(convertOptionsOf(args), now);
    // Read at the start of every transaction, so an update applies to the next batch.
    this.target = fanout(() => this.args.forward_to);
    this.dropped = metrics.counter("otelcol_exporter_prometheus_dropped_total", "Data points (for empty_metric: metrics; for invalid_label: attributes) the conversion to Prometheus dropped, by reason.");
  }

  /** Converts one batch and commits it to every `forward_to` receiver. */
  async consume(batch: MetricsBatch): Promise<void> {
    const app = this.target.appender();
    let report: ConvertReport;
    try {
      report = this.converter.convert(batch.full(), app);
    } catch (err) {
      app.rollback();
      throw PipelineError.permanent(`converting metrics to Prometheus samples: ${err instanceof Error ? err.message : String(err)}`, undefined, err);
    }
    this.record(report);
    try {
      await app.commit();
    } catch (err) {
      // A receiver's own classification (permanent or not) is kept; anything else is retryable.
      throw PipelineError.from(err);
    }
  }

  /** Sweeps the series cache every `gc_frequency` until aborted. */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.running = true;
    this.schedule();
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    this.running = false;
    clearTimeout(this.timer);
  }

  /** New arguments: the next batch converts with them; the sweep interval restarts if it changed. */
  update(next: PrometheusExporterArgs): void {
    const previous = this.args;
    this.args = next;
    this.converter.update(convertOptionsOf(next));
    if (this.running && previous.gc_frequency !== next.gc_frequency) this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const removed = this.converter.gc();
      if (removed > 0) this.logger.debug("forgot inactive series", { removed, remaining: this.converter.seriesCount });
      if (this.running) this.schedule();
    }, Math.min(this.args.gc_frequency, MAX_TIMER_MS));
  }

  private record(report: ConvertReport): void {
    for (const [reason, n] of Object.entries(report.dropped) as [DropReason, number][]) {
      this.dropped.inc({ reason }, n);
      const example = report.examples[reason];
      if (!WARN_REASONS.has(reason)) {
        this.logger.debug("dropped data while converting to Prometheus", { reason, count: n, example });
        continue;
      }
      const t = this.now();
      if (t - (this.lastWarned.get(reason) ?? -Infinity) < WARN_EVERY_MS) continue;
      this.lastWarned.set(reason, t);
      this.logger.warn("dropped data while converting to Prometheus", { reason, count: n, example });
    }
  }
}
