// Scrape targets (alloy-components.md §14): from a discovered label map to a URL, per-target
// interval and timeout, and the public label set every scraped series carries; plus the label
// rules applied to each sample (honor_labels, label limits).

import type { Label, Labels } from "../../prom/appender.ts";
import { formatDuration, parseDuration } from "../../runtime/duration.ts";

/** What building a target needs from the arguments. */
export interface TargetDefaults {
  jobName: string;
  scheme: string;
  metricsPath: string;
  params: Record<string, string[]>;
  intervalMs: number;
  timeoutMs: number;
}

/** One target, ready to scrape. */
export interface Target {
  /** Identity across updates: same key → the running loop is kept. */
  key: string;
  url: string;
  address: string;
  /** Without `__`-prefixed labels; sorted. `job` and `instance` are always set. */
  labels: Labels;
  intervalMs: number;
  timeoutMs: number;
}

/** Builds a target from discovered labels, or returns why it cannot be scraped. */
export function buildTarget(raw: Record<string, string>, d: TargetDefaults): Target | string {
  const l = new Map(Object.entries(raw).filter(([, v]) => v !== ""));
  const address = l.get("__address__");
  if (address === undefined) return "no address";
  const intervalMs = durationLabel(l.get("__scrape_interval__"), d.intervalMs);
  const timeoutMs = durationLabel(l.get("__scrape_timeout__"), d.timeoutMs);
  if (typeof intervalMs === "string") return `error parsing scrape interval: ${intervalMs}`;
  if (typeof timeoutMs === "string") return `error parsing scrape timeout: ${timeoutMs}`;
  if (intervalMs <= 0) return "scrape interval cannot be 0";
  if (timeoutMs <= 0) return "scrape timeout cannot be 0";
  if (timeoutMs > intervalMs) return `scrape timeout cannot be greater than scrape interval (${JSON.stringify(formatDuration(timeoutMs))} > ${JSON.stringify(formatDuration(intervalMs))})`;

  const url = `${l.get("__scheme__") ?? d.scheme}://${address}${l.get("__metrics_path__") ?? d.metricsPath}${query(l, d.params)}`;
  if (!URL.canParse(url)) return `invalid URL ${JSON.stringify(url)}`;
  if (!l.has("job")) l.set("job", d.jobName);
  if (!l.has("instance")) l.set("instance", address);
  const labels = [...l].filter(([n]) => !n.startsWith("__")).sort(byName);
  return { key: JSON.stringify([url, intervalMs, timeoutMs, labels]), url, address, labels, intervalMs, timeoutMs };
}

function durationLabel(value: string | undefined, fallback: number): number | string {
  if (value === undefined) return fallback;
  try {
    return parseDuration(value);
  } catch (err) {
    return (err as Error).message;
  }
}

/** `?a=1&b=2`: configured params, whose first value a `__param_<name>` label overrides; sorted like Go's url.Values. */
function query(l: Map<string, string>, params: Record<string, string[]>): string {
  const q = new Map<string, string[]>(Object.entries(params).map(([k, v]) => [k, [...v]]));
  for (const [n, v] of l) {
    if (!n.startsWith("__param_")) continue;
    const k = n.slice("__param_".length);
    const values = q.get(k);
    if (values && values.length > 0) values[0] = v;
    else q.set(k, [v]);
  }
  const parts: string[] = [];
  for (const k of [...q.keys()].sort()) for (const v of q.get(k)!) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

/**
 * Where in each interval this target is scraped: a deterministic hash of its key, so targets
 * spread over the interval and keep their phase across restarts (as Prometheus's offset).
 */
export function scrapeOffsetMs(t: Target): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < t.key.length; i++) h = Math.imul(h ^ t.key.charCodeAt(i), 0x01000193) >>> 0;
  return h % Math.max(1, Math.floor(t.intervalMs));
}

/** Milliseconds from `now` until this target's next slot. */
export function delayUntilSlot(t: Target, now: number): number {
  const interval = Math.max(1, Math.floor(t.intervalMs));
  return (((scrapeOffsetMs(t) - now) % interval) + interval) % interval;
}

const byName = (a: Label, b: Label) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * A scraped series' labels with the target's added. With honor_labels the scraped value wins;
 * otherwise the target's does and the scraped one moves to `exported_<name>` (Prometheus's
 * mutateSampleLabels). Empty values are dropped.
 */
export function mutateLabels(scraped: Labels, target: Labels, honor: boolean): Labels {
  const m = new Map<string, string>(scraped);
  if (honor) {
    for (const [n, v] of target) if (!m.has(n)) m.set(n, v);
  } else {
    const conflicts: Label[] = [];
    for (const [n, v] of target) {
      const existing = m.get(n);
      if (existing) conflicts.push([n, existing]);
      m.set(n, v);
    }
    // Shorter names first, so `exported_job` is taken by `job` before `exported_job` needs it.
    conflicts.sort((a, b) => a[0].length - b[0].length);
    for (const [n, v] of conflicts) {
      let name = n;
      do name = `exported_${name}`;
      while (m.get(name));
      m.set(name, v);
    }
  }
  return [...m].filter(([, v]) => v !== "").sort(byName);
}

export interface LabelLimits {
  label_limit: number;
  label_name_length_limit: number;
  label_value_length_limit: number;
}

/** Prometheus's label limit check; returns the error message, or undefined. */
export function checkLabelLimits(labels: Labels, lim: LabelLimits): string | undefined {
  const metric = (labels.find(([n]) => n === "__name__")?.[1] ?? "").slice(0, 50);
  if (lim.label_limit > 0 && labels.length > lim.label_limit) return `label_limit exceeded (metric: ${metric}, number of labels: ${labels.length}, limit: ${lim.label_limit})`;
  for (const [n, v] of labels) {
    if (lim.label_name_length_limit > 0 && n.length > lim.label_name_length_limit) {
      return `label_name_length_limit exceeded (metric: ${metric}, label name: ${n.slice(0, 50)}, length: ${n.length}, limit: ${lim.label_name_length_limit})`;
    }
    if (lim.label_value_length_limit > 0 && v.length > lim.label_value_length_limit) {
      return `label_value_length_limit exceeded (metric: ${metric}, label name: ${n.slice(0, 50)}, value: ${JSON.stringify(v.slice(0, 50))}, length: ${v.length}, limit: ${lim.label_value_length_limit})`;
    }
  }
  return undefined;
}

/** Identity of a series within one target. */
export function seriesKey(labels: Labels): string {
  let k = "";
  for (const [n, v] of labels) k += `${n}\xff${v}\xff`;
  return k;
}
