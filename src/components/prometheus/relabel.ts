// `prometheus.relabel` (spec: alloy-components.md §15): relabels every series passing through and
// forwards the survivors to `forward_to`. Results are cached per input series (an LRU bounded by
// `max_cache_size`, or entries expiring after `cache_ttl` unused); stale markers are forwarded
// and evict their entry, since the series is gone. Exemplars, histograms and metadata follow
// their series' new labels.

import { type Appendable, type Appender, type Exemplar, type Labels, type Metadata, type NativeHistogram, RECEIVER_TYPE, fanout, labelValue, receiverCapsule } from "../../prom/appender.ts";
import { type RelabelRule, type RuleArgs, applyRules, compileRules, ruleBlock, rulesCapsule } from "../../prom/relabel.ts";
import { defineComponent } from "../../runtime/component.ts";
import type { Counter, Histogram, MetricsRegistry } from "../../runtime/metrics.ts";
import { attr, required, t } from "../../runtime/schema.ts";

export interface PrometheusRelabelArgs {
  forward_to: Appendable[];
  max_cache_size: number;
  /** Milliseconds; 0 = size-bounded mode. */
  cache_ttl: number;
  rule: RuleArgs[];
}

const MIN_CACHE_TTL_MS = 60_000;

/** Checks the cache settings (§15: exactly one of the two is non-zero; TTL at least 1m). */
export function validatePrometheusRelabelArgs(a: PrometheusRelabelArgs): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(a.max_cache_size) || a.max_cache_size < 0) problems.push(`max_cache_size must be a non-negative integer, got ${a.max_cache_size}`);
  if (a.cache_ttl < 0) problems.push("cache_ttl must not be negative");
  else if (a.cache_ttl > 0 && a.cache_ttl < MIN_CACHE_TTL_MS) problems.push("cache_ttl must be at least 1m");
  if ((a.max_cache_size === 0) === (a.cache_ttl === 0)) problems.push("exactly one of max_cache_size and cache_ttl must be non-zero");
  return problems;
}

/** The component definition. */
export const prometheusRelabel = defineComponent<PrometheusRelabelArgs>({
  name: "prometheus.relabel",
  summary: "Relabels, filters and drops Prometheus series before forwarding them to other receivers.",
  stability: "generally-available",
  args: {
    attrs: {
      forward_to: required(t.list(t.capsule(RECEIVER_TYPE))),
      max_cache_size: attr(t.int, 100_000),
      cache_ttl: attr(t.duration, 0),
    },
    blocks: { rule: ruleBlock },
    validate: validatePrometheusRelabelArgs,
  },
  exports: ["receiver", "rules"],
  build(opts, args) {
    const relabeler = new Relabeler(args, opts.metrics);
    const publish = () => opts.onStateChange({ receiver: receiverCapsule(relabeler), rules: rulesCapsule(relabeler.rules) });
    publish();
    return {
      run: (signal) => relabeler.run(signal),
      update(next) {
        relabeler.update(next);
        publish();
      },
    };
  },
});

interface CacheEntry {
  /** The output labels; null when the rules drop the series. */
  labels: Labels | null;
  lastUsed: number;
}

/** Input series → output labels; Map order doubles as recency order (oldest first). */
export class RelabelCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly maxSize: number,
    private readonly ttlMs: number,
    private readonly onExpire: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached entry, refreshed as most recently used; undefined when absent or expired. */
  get(key: string): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (this.expired(e)) {
      this.onExpire();
      return undefined;
    }
    e.lastUsed = this.now();
    this.entries.set(key, e);
    return e;
  }

  set(key: string, labels: Labels | null): void {
    this.entries.delete(key);
    this.entries.set(key, { labels, lastUsed: this.now() });
    if (this.maxSize > 0 && this.entries.size > this.maxSize) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Removes every expired entry (TTL mode). */
  sweep(): void {
    for (const [key, e] of this.entries) {
      if (!this.expired(e)) break; // recency order: the rest are fresher
      this.entries.delete(key);
      this.onExpire();
    }
  }

  private expired(e: CacheEntry): boolean {
    return this.ttlMs > 0 && this.now() - e.lastUsed >= this.ttlMs;
  }
}

interface RelabelMetrics {
  processed: Counter;
  written: Counter;
  hits: Counter;
  misses: Counter;
  ttlEvictions: Counter;
  forwarded: Counter;
  latency: Histogram;
}

function registerMetrics(m: MetricsRegistry, cacheSize: () => number): RelabelMetrics {
  m.gaugeFunc("prometheus_relabel_cache_size", "Total size of relabel cache.", () => [{ labels: {}, value: cacheSize() }]);
  return {
    processed: m.counter("prometheus_relabel_metrics_processed", "Total number of metrics processed."),
    written: m.counter("prometheus_relabel_metrics_written", "Total number of metrics written."),
    hits: m.counter("prometheus_relabel_cache_hits", "Total number of cache hits."),
    misses: m.counter("prometheus_relabel_cache_misses", "Total number of cache misses."),
    ttlEvictions: m.counter("prometheus_relabel_cache_ttl_evictions", "Total number of cache entries evicted because their TTL expired."),
    forwarded: m.counter("prometheus_forwarded_samples_total", "Total number of samples sent to downstream components."),
    latency: m.histogram("prometheus_fanout_latency", "Write latency for sending to direct and indirect components.", [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
  };
}

function seriesKey(labels: Labels): string {
  let key = "";
  for (const [n, v] of labels) key += `${n}\u00ff${v}\u00ff`;
  return key;
}

// Suffixes a family's series carry beyond the family name (for metadata, which is keyed by family).
const FAMILY_SUFFIXES = ["", "_total", "_bucket", "_count", "_sum", "_created", "_info"];

/** The relabeling state shared by every transaction; also the exported Appendable. */
class Relabeler implements Appendable {
  rules: readonly RelabelRule[];
  private args: PrometheusRelabelArgs;
  private cache: RelabelCache;
  private readonly metrics: RelabelMetrics;
  private readonly next: Appendable;
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(args: PrometheusRelabelArgs, metrics: MetricsRegistry) {
    this.args = args;
    this.rules = compileRules(args.rule);
    this.metrics = registerMetrics(metrics, () => this.cache.size);
    this.cache = this.newCache(args);
    this.next = fanout(() => this.args.forward_to);
  }

  /** New arguments: new rules invalidate every cached result. */
  update(args: PrometheusRelabelArgs): void {
    this.rules = compileRules(args.rule);
    this.args = args;
    this.cache = this.newCache(args);
    if (this.running) this.scheduleSweep();
  }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.running = true;
    this.scheduleSweep();
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    this.running = false;
    clearTimeout(this.sweepTimer);
  }

  /** The output labels of `labels`, or undefined when dropped; a stale marker evicts the entry. */
  relabel(labels: Labels, stale = false): Labels | undefined {
    if (this.rules.length === 0) return labels.length > 0 ? labels : undefined;
    const key = seriesKey(labels);
    let out = this.cache.get(key)?.labels;
    if (out !== undefined) this.metrics.hits.inc();
    else {
      this.metrics.misses.inc();
      const result = applyRules(labels, this.rules);
      out = result && result.length > 0 ? result : null;
      this.cache.set(key, out);
    }
    if (stale) this.cache.delete(key);
    return out ?? undefined;
  }

  appender(): Appender {
    return new RelabelAppender(this, this.next.appender(), this.metrics);
  }

  private newCache(args: PrometheusRelabelArgs): RelabelCache {
    return new RelabelCache(args.cache_ttl > 0 ? 0 : args.max_cache_size, args.cache_ttl, () => this.metrics.ttlEvictions.inc());
  }

  private scheduleSweep(): void {
    clearTimeout(this.sweepTimer);
    if (this.args.cache_ttl <= 0) return;
    this.sweepTimer = setTimeout(() => {
      this.cache.sweep();
      if (this.running) this.scheduleSweep();
    }, this.args.cache_ttl);
  }
}

/** One transaction: relabels as it goes, forwards to the downstream fan-out appender. */
class RelabelAppender implements Appender {
  /** Input metric name → output names seen in this transaction (empty set: all dropped). */
  private readonly names = new Map<string, Set<string>>();
  private readonly metadata = new Map<string, Metadata>();

  constructor(
    private readonly relabeler: Relabeler,
    private readonly next: Appender,
    private readonly metrics: RelabelMetrics,
  ) {}

  append(labels: Labels, timestampMs: number, value: number): void {
    const out = this.sample(labels);
    if (out) this.next.append(out, timestampMs, value);
  }

  appendStale(labels: Labels, timestampMs: number): void {
    const out = this.sample(labels, true);
    if (out) this.next.appendStale(out, timestampMs);
  }

  appendHistogram(labels: Labels, timestampMs: number, histogram: NativeHistogram): void {
    const out = this.sample(labels);
    if (out) this.next.appendHistogram(out, timestampMs, histogram);
  }

  appendExemplar(labels: Labels, exemplar: Exemplar): void {
    const out = this.relabeler.relabel(labels);
    if (out) this.next.appendExemplar(out, exemplar);
  }

  updateMetadata(family: string, metadata: Metadata): void {
    // Held until commit: the family's series (appended before or after) say where it goes.
    this.metadata.set(family, metadata);
  }

  async commit(): Promise<void> {
    this.flushMetadata();
    const started = performance.now();
    try {
      await this.next.commit();
    } finally {
      this.metrics.latency.observe({}, (performance.now() - started) / 1000);
    }
  }

  rollback(): void {
    this.next.rollback();
  }

  private sample(labels: Labels, stale = false): Labels | undefined {
    this.metrics.processed.inc();
    const out = this.relabeler.relabel(labels, stale);
    this.track(labelValue(labels, "__name__"), out);
    if (!out) return undefined;
    this.metrics.written.inc();
    this.metrics.forwarded.inc();
    return out;
  }

  private track(input: string, out: Labels | undefined): void {
    let names = this.names.get(input);
    if (!names) this.names.set(input, (names = new Set()));
    const name = out ? labelValue(out, "__name__") : "";
    if (name) names.add(name);
  }

  /** Forwards each family's metadata under the names its relabeled series now carry. */
  private flushMetadata(): void {
    for (const [family, md] of this.metadata) {
      for (const name of this.outputFamilies(family)) this.next.updateMetadata(name, md);
    }
  }

  private outputFamilies(family: string): Set<string> {
    const out = new Set<string>();
    let seen = false;
    for (const suffix of FAMILY_SUFFIXES) {
      const names = this.names.get(family + suffix);
      if (!names) continue;
      seen = true;
      for (const n of names) out.add(suffix && n.endsWith(suffix) ? n.slice(0, -suffix.length) : n);
    }
    if (!seen) {
      // No series of the family in this transaction: relabel the bare name instead.
      const name = labelValue(applyRules([["__name__", family]], this.relabeler.rules) ?? [], "__name__");
      if (name) out.add(name);
    }
    return out;
  }
}
