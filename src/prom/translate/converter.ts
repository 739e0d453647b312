// OTLP metrics → Prometheus samples, the way Alloy's otelcol.exporter.prometheus converts them
// (spec: alloy-components.md §6; the rules in detail: prometheus.md §1–§4). One convert() call
// is one append transaction's worth of data; the caller commits or rolls back.

import type { Metric, ResourceMetrics } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { AggregationTemporality } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Appender, Labels, Metadata, MetricType } from "../appender.ts";
import { type BaseLabels, type ConvertReport, Emitter } from "./emit.ts";
import { attributeLabels, labelsKey, sortedLabels } from "./labels.ts";
import { NameCache, type NameKind } from "./names.ts";
import { writeExponentialPoints, writeHistogramPoints, writeNumberPoints, writeSummaryPoints } from "./points.ts";
import { SCOPE_INFO, TARGET_INFO, identityOf, scopeBaseLabels, scopeIdentity, scopeInfoLabels, targetInfoLabels } from "./resource.ts";
import { SERIES_MAX_AGE_MS, SeriesCache } from "./series_cache.ts";
import { SeriesKeys } from "./series_keys.ts";
import { metadataUnit } from "./units.ts";

export type { ConvertReport, DropReason } from "./emit.ts";

/** The component's arguments, as the converter needs them. */
export interface ConvertOptions {
  includeTargetInfo: boolean;
  includeScopeInfo: boolean;
  includeScopeLabels: boolean;
  addMetricSuffixes: boolean;
  resourceToTelemetryConversion: boolean;
  keepIdentifyingResourceAttributes: boolean;
  /** Send metric family metadata to the appender (Alloy: experimental, off by default). */
  honorMetadata: boolean;
  /** A zero sample at the start time before a cumulative series' first sample (experimental). */
  startTimestampZeroIngestion: boolean;
  /** Prefix for every family name; not an Alloy argument, the rules allow one (spec §1.1 step 6). */
  namespace?: string;
}

/** Alloy's defaults (spec: alloy-components.md §6). */
export const DEFAULT_CONVERT_OPTIONS: Readonly<ConvertOptions> = {
  includeTargetInfo: true,
  includeScopeInfo: false,
  includeScopeLabels: true,
  addMetricSuffixes: true,
  resourceToTelemetryConversion: false,
  keepIdentifyingResourceAttributes: false,
  honorMetadata: false,
  startTimestampZeroIngestion: false,
};

/** Metadata last sent per family, so it is sent again only when it changes (as Alloy does). */
interface SentMetadata {
  key: string;
  lastSeen: number;
}

export class Converter {
  private opts: ConvertOptions;
  private names: NameCache;
  private readonly series = new SeriesCache();
  private readonly keys = new SeriesKeys();
  private readonly metadata = new Map<string, SentMetadata>();
  private conversions = 0;

  constructor(
    opts: Partial<ConvertOptions> = {},
    /** Wall clock (ms); info series are stamped with it and the caches age by it. */
    private readonly now: () => number = Date.now,
  ) {
    this.opts = { ...DEFAULT_CONVERT_OPTIONS, ...opts };
    this.names = new NameCache(this.nameOptions());
  }

  /** New options; metadata is sent afresh, since the receivers may have changed. */
  update(opts: Partial<ConvertOptions>): void {
    this.opts = { ...DEFAULT_CONVERT_OPTIONS, ...opts };
    this.names = new NameCache(this.nameOptions());
    this.metadata.clear();
  }

  /** Forgets series and metadata not seen for `maxAgeMs`; returns the number of series forgotten. */
  gc(maxAgeMs = SERIES_MAX_AGE_MS): number {
    const cutoff = this.now() - maxAgeMs;
    for (const [family, sent] of this.metadata) if (sent.lastSeen < cutoff) this.metadata.delete(family);
    return this.series.gc(cutoff);
  }

  /** Number of series remembered for out-of-order checks. */
  get seriesCount(): number {
    return this.series.size;
  }

  /** Converts every resource of a batch into `app`; never commits. */
  convert(resources: readonly ResourceMetrics[], app: Appender): ConvertReport {
    const e = new Emitter(app, this.series, this.keys, this.now(), this.opts.startTimestampZeroIngestion, this.conversions++);
    // Identical resources (or scopes) in one batch give one info sample, not duplicates.
    const infoWritten = new Set<string>();
    for (const rm of resources) {
      const attrs = rm.resource?.attributes ?? [];
      const id = identityOf(attrs);
      if (this.opts.includeTargetInfo) {
        const name = this.prefixed(TARGET_INFO);
        this.writeInfo(e, infoWritten, name, targetInfoLabels(attrs, id, this.opts.keepIdentifyingResourceAttributes, name, e.invalidKey), "Target metadata");
      }
      const promoted = this.opts.resourceToTelemetryConversion ? attributeLabels(attrs, e.invalidKey) : undefined;
      for (const sm of rm.scopeMetrics) {
        if (this.opts.includeScopeInfo) {
          const name = this.prefixed(SCOPE_INFO);
          this.writeInfo(e, infoWritten, name, scopeInfoLabels(sm.scope, id, name, e.invalidKey), "");
        }
        const base = this.keys.base(sortedLabels(scopeBaseLabels(id, scopeIdentity(sm.scope), this.opts.includeScopeLabels, promoted)));
        for (const m of sm.metrics) this.writeMetric(e, m, base);
      }
    }
    return e.report;
  }

  /** `target_info` / `otel_scope_info`: value 1 at the current time (Alloy stamps them with time.Now()). */
  private writeInfo(e: Emitter, written: Set<string>, name: string, labels: Labels, help: string): void {
    const key = labelsKey(labels);
    if (written.has(key)) return;
    written.add(key);
    this.sendMetadata(e, name, { type: "gauge", help, unit: "" });
    e.app.append(labels, e.now, 1);
    e.report.samples++;
  }

  private writeMetric(e: Emitter, m: Metric, base: BaseLabels): void {
    const data = m.data;
    if (data.case === undefined || data.value.dataPoints.length === 0) {
      e.drop("empty_metric", 1, m.name);
      return;
    }
    const points = data.value.dataPoints.length;
    if (data.case !== "gauge" && data.case !== "summary" && data.value.aggregationTemporality !== AggregationTemporality.CUMULATIVE) {
      // The Collector and Alloy drop all delta data and expect deltatocumulative upstream (spec §3).
      e.drop("non_cumulative", points, m.name);
      return;
    }
    const counter = data.case === "sum" && data.value.isMonotonic;
    const kind: NameKind = data.case === "gauge" ? "gauge" : counter ? "counter" : "other";
    const family = this.names.get(m.name, m.unit, kind);
    if (family === undefined) {
      e.drop("invalid_name", points, JSON.stringify(m.name));
      return;
    }
    if (this.opts.honorMetadata) this.sendMetadata(e, family, { type: typeOf(data.case, counter), help: m.description, unit: metadataUnit(m.unit) });
    switch (data.case) {
      case "gauge":
        return writeNumberPoints(e, family, base, data.value.dataPoints, false);
      case "sum":
        return writeNumberPoints(e, family, base, data.value.dataPoints, counter);
      case "histogram":
        return writeHistogramPoints(e, family, base, data.value.dataPoints);
      case "exponentialHistogram":
        return writeExponentialPoints(e, family, base, data.value.dataPoints);
      case "summary":
        return writeSummaryPoints(e, family, base, data.value.dataPoints);
    }
  }

  private sendMetadata(e: Emitter, family: string, md: Metadata): void {
    if (!this.opts.honorMetadata) return;
    const key = `${md.type}\u0000${md.unit}\u0000${md.help}`;
    const sent = this.metadata.get(family);
    if (sent?.key === key) {
      sent.lastSeen = e.now;
      return;
    }
    this.metadata.set(family, { key, lastSeen: e.now });
    e.app.updateMetadata(family, md);
  }

  private prefixed(name: string): string {
    return this.opts.namespace ? `${this.opts.namespace}_${name}` : name;
  }

  private nameOptions() {
    return { addSuffixes: this.opts.addMetricSuffixes, namespace: this.opts.namespace };
  }
}

/** TYPE of a family (spec §3 table): non-monotonic sums are gauges, exponential histograms histograms. */
function typeOf(kind: NonNullable<Metric["data"]["case"]>, counter: boolean): MetricType {
  switch (kind) {
    case "sum":
      return counter ? "counter" : "gauge";
    case "histogram":
    case "exponentialHistogram":
      return "histogram";
    default:
      return kind;
  }
}
