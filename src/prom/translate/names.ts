// OTLP metric name + unit + type → Prometheus metric family name (spec: prometheus.md §1,
// alloy-components.md §6.3). The family name is what `_bucket`/`_sum`/`_count` are appended to.

import { splitTokens, unitWords } from "./units.ts";

/** What decides the type suffix: counters get `_total`, gauges with unit `1` get `_ratio`. */
export type NameKind = "counter" | "gauge" | "other";

export interface NameOptions {
  /** `add_metric_suffixes` (default true). */
  addSuffixes: boolean;
  /** Prefixed as its own token; Alloy's component has none, the rules do (spec §1.1 step 6). */
  namespace?: string;
}

/**
 * The Prometheus family name, or undefined when nothing legal is left of the OTLP name
 * (`@#$%`, "", only underscores): such a metric is dropped (spec §1.1 step 8).
 */
export function metricName(name: string, unit: string, kind: NameKind, opts: NameOptions): string | undefined {
  return opts.addSuffixes ? withSuffixes(name, unit, kind, opts.namespace ?? "") : withoutSuffixes(name, opts.namespace ?? "");
}

/** Spec §1.1: tokens, unit words, `_total` / `_ratio`, namespace, leading-digit guard. */
function withSuffixes(name: string, unit: string, kind: NameKind, namespace: string): string | undefined {
  let tokens = splitTokens(name);
  // Checked before suffixes: `@#$%` as a counter must not become a metric called `total`.
  if (tokens.length === 0) return undefined;
  const { main, per } = unitWords(unit);
  // A unit word already among the tokens — anywhere, not just at the end — is not repeated.
  if (main !== "" && !tokens.includes(main)) tokens.push(main);
  // The older Collector rule, pinned by a test: `requests_per_second` + `1/s` stays as it is
  // (the current shared module would append `_per_second` again).
  if (per !== "" && !tokens.includes(per)) tokens.push("per", per);
  if (kind === "counter") tokens = [...tokens.filter((t) => t !== "total"), "total"];
  // Only OTLP gauges: counters with unit 1 are usually miscounted things, not ratios.
  if (kind === "gauge" && unit === "1") tokens = [...tokens.filter((t) => t !== "ratio"), "ratio"];
  const ns = splitTokens(namespace);
  if (ns.length > 0) tokens = [...ns, ...tokens];
  const joined = tokens.join("_");
  return startsWithDigit(joined) ? `_${joined}` : joined;
}

/**
 * Spec §1.2 / §6.3 without suffixes: runs of characters other than ASCII letters, digits, `_`
 * and `:` become one `_` between tokens (Collector's RemovePromForbiddenRunes, so leading and
 * trailing runs vanish); existing `_` runs are kept.
 */
function withoutSuffixes(name: string, namespace: string): string | undefined {
  const cleaned = keepLegal(name);
  if (!hasLegalChar(cleaned)) return undefined;
  const ns = keepLegal(namespace);
  if (ns !== "") return `${ns}_${cleaned}`;
  return startsWithDigit(cleaned) ? `_${cleaned}` : cleaned;
}

function keepLegal(s: string): string {
  const parts: string[] = [];
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const legal = i < s.length && isNameChar(s.charCodeAt(i));
    if (legal && start < 0) start = i;
    else if (!legal && start >= 0) {
      parts.push(s.slice(start, i));
      start = -1;
    }
  }
  return parts.join("_");
}

/** A name made only of `_` is as good as empty (spec §1.1 step 8). */
function hasLegalChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 0x5f) return true;
  return false;
}

function isNameChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a;
}

function startsWithDigit(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 0x30 && c <= 0x39;
}

/** Memoises metricName per (name, unit, kind); bounded, because names come from clients. */
export class NameCache {
  /** By OTLP name, then the (unit, kind) pairs seen with it: no key string is built per metric. */
  private readonly names = new Map<string, NameEntry[]>();
  private size = 0;

  constructor(
    private readonly opts: NameOptions,
    private readonly limit = 10_000,
  ) {}

  /** As metricName, with the options given at construction. */
  get(name: string, unit: string, kind: NameKind): string | undefined {
    let entries = this.names.get(name);
    if (entries !== undefined) {
      for (const e of entries) if (e.unit === unit && e.kind === kind) return e.family ?? undefined;
    }
    if (this.size >= this.limit) {
      this.names.clear();
      this.size = 0;
      entries = undefined;
    }
    const family = metricName(name, unit, kind, this.opts);
    const entry: NameEntry = { unit, kind, family: family ?? null };
    if (entries === undefined) this.names.set(name, [entry]);
    else entries.push(entry);
    this.size++;
    return family;
  }
}

interface NameEntry {
  unit: string;
  kind: NameKind;
  /** null: no legal name (the metric is dropped). */
  family: string | null;
}
