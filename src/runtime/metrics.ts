// The process's own metrics, exposed on /metrics in the Prometheus text format (version 0.0.4).
// Deliberately small: counters, gauges (set or computed at scrape time) and histograms, each
// with labels.

export type Labels = Record<string, string>;

type Kind = "counter" | "gauge" | "histogram";

interface Family {
  name: string;
  help: string;
  kind: Kind;
  series: Map<string, Series>;
  /**
   * The same series looked up by view and the caller's labels as given (insertion order, no
   * merging or sorting), so updates skip building the canonical key. Cleared when a series is
   * removed, so it never hands out one that left `series`.
   */
  fast: Map<string, Series>;
  /** Scrape-time collectors, keyed by the const labels of the registry view that added them. */
  collectors: Map<string, { labels: Labels; collect: () => Array<{ labels: Labels; value: number }> }>;
  buckets?: number[];
}

interface Series {
  labels: Labels;
  value: number;
  counts?: number[];
  sum?: number;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
  inc(labels?: Labels, by?: number): void;
  /** Removes the series with exactly these labels. */
  remove(labels: Labels): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Bounds Family.fast: label sets come from code, but a caller could vary them without end. */
const FAST_LIMIT = 10_000;

/** A set of metric families; registering the same name twice returns the existing family. */
export class MetricsRegistry {
  private families = new Map<string, Family>();
  /** Numbers the views of one root, so their fast keys differ (their const labels may). */
  private views = 0;
  /** This view's prefix in Family.fast keys. */
  private readonly viewKey: string;

  /** Labels added to every series this registry (or a child) writes. */
  constructor(private readonly constLabels: Labels = {}, private readonly shared?: MetricsRegistry) {
    this.viewKey = `${this.root().views++}\u0002`;
  }

  /** A view of the same registry that adds `labels` to every series (e.g. `component_id`). */
  with(labels: Labels): MetricsRegistry {
    return new MetricsRegistry({ ...this.constLabels, ...labels }, this.root());
  }

  counter(name: string, help: string): Counter {
    const fam = this.family(name, help, "counter");
    return { inc: (labels = {}, by = 1) => (this.series(fam, labels).value += by) };
  }

  gauge(name: string, help: string): Gauge {
    const fam = this.family(name, help, "gauge");
    return {
      set: (labels, value) => (this.series(fam, labels).value = value),
      inc: (labels = {}, by = 1) => (this.series(fam, labels).value += by),
      remove: (labels) => {
        if (fam.series.delete(seriesKey({ ...this.constLabels, ...labels }))) fam.fast.clear();
      },
    };
  }

  /** A gauge whose values are computed when scraped. */
  gaugeFunc(name: string, help: string, collect: () => Array<{ labels: Labels; value: number }>): void {
    this.computed(name, help, "gauge", collect);
  }

  /** A counter whose values are computed when scraped (e.g. read from the process). */
  counterFunc(name: string, help: string, collect: () => Array<{ labels: Labels; value: number }>): void {
    this.computed(name, help, "counter", collect);
  }

  private computed(name: string, help: string, kind: Kind, collect: () => Array<{ labels: Labels; value: number }>): void {
    const fam = this.family(name, help, kind);
    fam.collectors.set(seriesKey(this.constLabels), { labels: this.constLabels, collect });
  }

  histogram(name: string, help: string, buckets = DEFAULT_BUCKETS): Histogram {
    const fam = this.family(name, help, "histogram");
    fam.buckets = buckets;
    return {
      observe: (labels, value) => {
        const s = this.series(fam, labels);
        const counts = (s.counts ??= buckets.map(() => 0));
        for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) counts[i]!++;
        s.sum = (s.sum ?? 0) + value;
        s.value += 1;
      },
    };
  }

  /** Drops every series that carries all of `labels` (used when a component is removed). */
  removeMatching(labels: Labels): void {
    for (const fam of this.root().families.values()) {
      const matches = (l: Labels) => Object.entries(labels).every(([k, v]) => l[k] === v);
      for (const [key, s] of fam.series) if (matches(s.labels)) fam.series.delete(key);
      fam.fast.clear();
      for (const [key, c] of fam.collectors) if (matches(c.labels)) fam.collectors.delete(key);
    }
  }

  /** The whole registry in the Prometheus text exposition format. */
  expose(): string {
    const out: string[] = [];
    const fams = [...this.root().families.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const fam of fams) {
      const lines = renderFamily(fam);
      if (lines.length === 0) continue;
      out.push(`# HELP ${fam.name} ${fam.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${fam.name} ${fam.kind}`, ...lines);
    }
    return out.join("\n") + "\n";
  }

  private root(): MetricsRegistry {
    return this.shared ?? this;
  }

  private family(name: string, help: string, kind: Kind): Family {
    const fams = this.root().families;
    const existing = fams.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new Error(`metric ${name} registered as ${existing.kind} and ${kind}`);
      return existing;
    }
    const fam: Family = { name, help, kind, series: new Map(), fast: new Map(), collectors: new Map() };
    fams.set(name, fam);
    return fam;
  }

  /** The series of `labels` (on top of the const labels), created on first use. */
  private series(fam: Family, labels: Labels): Series {
    // Counters and gauges are updated per request or per batch; the canonical key (merge,
    // sort, join) is built only the first time a view updates a label set.
    let fastKey = this.viewKey;
    for (const k in labels) fastKey += `${k}\u0000${labels[k]}\u0001`;
    let s = fam.fast.get(fastKey);
    // A value holding the separators could make two label sets one key: check the values.
    if (s && sameValues(s.labels, labels)) return s;
    const all = { ...this.constLabels, ...labels };
    const key = seriesKey(all);
    s = fam.series.get(key);
    if (!s) {
      s = { labels: all, value: 0 };
      fam.series.set(key, s);
    }
    if (fam.fast.size >= FAST_LIMIT) fam.fast.clear();
    fam.fast.set(fastKey, s);
    return s;
  }
}

/** Whether every label of `given` has the same value in `series`. */
function sameValues(series: Labels, given: Labels): boolean {
  for (const k in given) if (series[k] !== given[k]) return false;
  return true;
}

function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join("\u0001");
}

function renderFamily(fam: Family): string[] {
  const lines: string[] = [];
  for (const s of fam.series.values()) {
    if (fam.kind !== "histogram") {
      lines.push(`${fam.name}${renderLabels(s.labels)} ${formatNumber(s.value)}`);
      continue;
    }
    fam.buckets!.forEach((b, i) => lines.push(`${fam.name}_bucket${renderLabels({ ...s.labels, le: formatNumber(b) })} ${s.counts?.[i] ?? 0}`));
    lines.push(`${fam.name}_bucket${renderLabels({ ...s.labels, le: "+Inf" })} ${s.value}`);
    lines.push(`${fam.name}_sum${renderLabels(s.labels)} ${formatNumber(s.sum ?? 0)}`);
    lines.push(`${fam.name}_count${renderLabels(s.labels)} ${s.value}`);
  }
  for (const c of fam.collectors.values()) {
    for (const s of c.collect()) lines.push(`${fam.name}${renderLabels({ ...c.labels, ...s.labels })} ${formatNumber(s.value)}`);
  }
  return lines;
}

function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "";
  const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return `{${keys.map((k) => `${k}="${esc(labels[k]!)}"`).join(",")}}`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}
