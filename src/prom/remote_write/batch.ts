// What the queues carry: series as a queue knows them (outgoing labels, shard hash, cached label
// bytes) and entries (one sample, exemplar or native histogram each, with its WAL place), and
// how a batch of entries becomes request bodies for remote write 1.0 or 2.0.

import type { Exemplar, Labels, Metadata, NativeHistogram } from "../appender.ts";
import { ByteWriter } from "./bytes.ts";
import { type HistogramValue, type MetadataEntry, type SampleValue, type SeriesData, encodeLabels, encodeWriteRequest } from "./encode.ts";
import { encodeV2Request } from "./encode_v2.ts";
import type { Kind } from "./metrics.ts";

/** A series as a queue sends it. */
export interface SeriesInfo {
  /** Outgoing labels: the WAL's plus external labels, sorted. */
  labels: Labels;
  /** FNV-1a of the labels; picks the shard. */
  hash: number;
  /** encodeLabels(labels), made on first use. */
  bytes?: Uint8Array;
  /** groupEntries' scratch: the group of the batch being built. */
  group?: Group;
}

export const SAMPLE = 0;
export const EXEMPLAR = 1;
export const HISTOGRAM = 2;

/** One item in a shard's queue. */
export interface QueueEntry {
  series: SeriesInfo;
  kind: typeof SAMPLE | typeof EXEMPLAR | typeof HISTOGRAM;
  /** WAL record position and item index (progress.ts Cursor). */
  pos: number;
  idx: number;
  ts: number;
  value: number;
  stale: boolean;
  exemplar?: Exemplar;
  histogram?: NativeHistogram;
  /** Part of a batch that was in flight when the previous process stopped: sent again on its own. */
  replay?: boolean;
}

/**
 * The outgoing labels of a WAL series: external labels are added where no label of that name
 * exists yet (alloy-components.md §16), the result sorted by name.
 */
export function seriesInfo(labels: Labels, external: Labels): SeriesInfo {
  let out = labels;
  if (external.length > 0) {
    const have = new Set(labels.map(([n]) => n));
    const extra = external.filter(([n]) => !have.has(n));
    if (extra.length > 0) out = [...labels, ...extra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  return { labels: out, hash: hashLabels(out) };
}

/** FNV-1a (32 bit) over names and values. */
export function hashLabels(labels: Labels): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < labels.length; k++) {
    const n = labels[k]![0];
    const v = labels[k]![1];
    for (let i = 0; i < n.length; i++) h = Math.imul(h ^ n.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xfe, 0x01000193);
  }
  return h >>> 0;
}

/** Entries of one series, in WAL order. */
export interface Group {
  series: SeriesInfo;
  samples: SampleValue[];
  exemplars: Exemplar[];
  histograms: HistogramValue[];
}

/** Shared empty list for groups without exemplars or histograms (replaced on first push, never mutated). */
const NONE: never[] = [];

/** Groups entries by series, keeping first-seen order (prometheus.md §4.6: one TimeSeries per label set). */
export function groupEntries(entries: readonly QueueEntry[]): Group[] {
  // The group hangs on the series while this runs (no Map); it is removed before returning.
  const groups: Group[] = [];
  for (const e of entries) {
    let g = e.series.group;
    if (!g) groups.push((g = e.series.group = { series: e.series, samples: NONE, exemplars: NONE, histograms: NONE }));
    if (e.kind === SAMPLE) {
      if (g.samples === NONE) g.samples = [e];
      else g.samples.push(e);
    } else if (e.kind === EXEMPLAR) {
      if (g.exemplars === NONE) g.exemplars = [e.exemplar!];
      else g.exemplars.push(e.exemplar!);
    } else {
      const h = { ts: e.ts, histogram: e.histogram! };
      if (g.histograms === NONE) g.histograms = [h];
      else g.histograms.push(h);
    }
  }
  for (const g of groups) g.series.group = undefined;
  return groups;
}

/** Counts per kind. */
export function countKinds(entries: readonly QueueEntry[]): Record<Kind, number> {
  const c = { samples: 0, exemplars: 0, histograms: 0 };
  for (const e of entries) {
    if (e.kind === SAMPLE) c.samples++;
    else if (e.kind === EXEMPLAR) c.exemplars++;
    else c.histograms++;
  }
  return c;
}

/** One reusable buffer for request bodies: they are compressed right after encoding (no await between). */
const scratch = new ByteWriter(1 << 20);

/** A remote write 1.0 body (before compression): a view of a shared buffer, valid until the next call. */
export function encodeV1(groups: readonly Group[], metadata: readonly MetadataEntry[] = []): Uint8Array {
  const series: SeriesData[] = groups.map((g) => ({
    labels: (g.series.bytes ??= encodeLabels(g.series.labels)),
    samples: g.samples,
    exemplars: g.exemplars,
    histograms: g.histograms,
  }));
  const body = encodeWriteRequest(series, metadata, scratch);
  // Do not keep a huge buffer around after a one-off giant request.
  if (scratch.buf.length > 64 << 20) scratch.buf = new Uint8Array(1 << 20);
  return body;
}

/** A remote write 2.0 body; metadata is looked up per series by metric family. */
export function encodeV2(groups: readonly Group[], metadataOf: (name: string) => Metadata | undefined): Uint8Array {
  return encodeV2Request(
    groups.map((g) => ({ labels: g.series.labels, samples: g.samples, exemplars: g.exemplars, histograms: g.histograms, metadata: metadataOf(metricName(g.series.labels)) })),
  );
}

/** The `__name__` label's value, or "". */
export function metricName(labels: Labels): string {
  for (const [n, v] of labels) if (n === "__name__") return v;
  return "";
}

/** Up to `max` distinct series of a batch, described for a log line. */
export function exampleSeries(entries: readonly QueueEntry[], max = 3): string[] {
  const seen = new Set<SeriesInfo>();
  const out: string[] = [];
  for (const e of entries) {
    if (seen.has(e.series)) continue;
    seen.add(e.series);
    out.push(`{${e.series.labels.map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(", ")}}`);
    if (out.length >= max) break;
  }
  return out;
}
