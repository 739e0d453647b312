// The writing side of the WAL (Prometheus agent mode's storage, in spirit): a series table that
// gives each label set a ref, checks labels and time order, and turns one committed
// transaction into framed records written with a single append (records.ts, wal.ts).

import type { Exemplar, Labels, Metadata, NativeHistogram } from "../appender.ts";
import { hashLabels } from "./batch.ts";
import { ByteWriter } from "./bytes.ts";
import { EXEMPLARS, HISTOGRAMS, METADATA, SAMPLES, SERIES, type SeriesDef, writeExemplars, writeHistograms, writeMetadata, writeSamples, writeSeries } from "./records.ts";
import type { RemoteWriteMetrics } from "./metrics.ts";
import { RECORD_HEADER, WalWriter, frameRecord } from "./wal.ts";

/** At most this many items per record, so readers handle big commits in pieces. */
const RECORD_ITEMS = 4096;

/** One committed transaction, as the appender collected it. */
export interface Txn {
  samples: { labels: Labels; ts: number; value: number; stale: boolean }[];
  exemplars: { labels: Labels; exemplar: Exemplar }[];
  histograms: { labels: Labels; ts: number; histogram: NativeHistogram }[];
  metadata: Map<string, Metadata>;
}

/** An empty transaction. */
export function newTxn(): Txn {
  return { samples: [], exemplars: [], histograms: [], metadata: new Map() };
}

interface SeriesEntry {
  ref: number;
  labels: Labels;
  hash: number;
  /** Newest timestamp written for this series (samples and histograms). */
  lastTs: number;
  /** Wall-clock time of the last append, for garbage collection. */
  lastSeen: number;
  /** The segment whose records already define this series. */
  definedIn: number;
  /** Scratch state of the commit in progress. */
  commit: number;
  pendingTs: number;
  /** Set when gc() drops the entry, so label arrays remembered for it stop finding it. */
  removed: boolean;
}

interface MetaEntry {
  metadata: Metadata;
  definedIn: number;
}

/** What a commit did, for logging by the caller. */
export interface CommitResult {
  outOfOrder: number;
  invalid: number;
  /** The first invalid label set, described. */
  invalidExample?: string;
}

/** Series table + record encoding on top of a WalWriter. */
export class WalStorage {
  private readonly series = new Map<number, SeriesEntry | SeriesEntry[]>();
  /**
   * The entry of a label array seen before. Producers that keep a series' labels (the OTLP
   * converter does) hand the same immutable array every time; it then skips the checks,
   * the hash and the comparison.
   */
  private readonly known = new WeakMap<Labels, SeriesEntry>();
  private size = 0;
  private readonly meta = new Map<string, MetaEntry>();
  private nextRef = 1;
  private commitId = 0;
  private scratch = new ByteWriter(64 * 1024);

  constructor(
    readonly writer: WalWriter,
    private readonly metrics: RemoteWriteMetrics,
  ) {}

  /** Number of series in the table. */
  get activeSeries(): number {
    return this.size;
  }

  /** Writes `txn` to the WAL; throws when the write fails (nothing of it is kept then). */
  commit(txn: Txn, now = Date.now()): CommitResult {
    this.writer.cutIfFull();
    const seg = this.writer.segment;
    const id = ++this.commitId;
    const result: CommitResult = { outOfOrder: 0, invalid: 0 };
    const defs: SeriesDef[] = [];
    const touched: SeriesEntry[] = [];
    const use = (labels: Labels): SeriesEntry | undefined => {
      const e = this.resolve(labels, result);
      if (!e) return undefined;
      if (e.commit !== id) {
        e.commit = id;
        e.pendingTs = e.lastTs;
        touched.push(e);
        if (e.definedIn !== seg) defs.push({ ref: e.ref, labels: e.labels });
      }
      return e;
    };
    const inOrder = (e: SeriesEntry, ts: number): boolean => {
      if (ts < e.pendingTs) return (result.outOfOrder++, false);
      e.pendingTs = ts;
      return true;
    };

    const samples = [];
    for (const s of txn.samples) {
      const e = use(s.labels);
      if (e && inOrder(e, s.ts)) samples.push({ ref: e.ref, ts: s.ts, value: s.value, stale: s.stale });
    }
    const histograms = [];
    for (const h of txn.histograms) {
      const e = use(h.labels);
      if (e && inOrder(e, h.ts)) histograms.push({ ref: e.ref, ts: h.ts, histogram: h.histogram });
    }
    const exemplars = [];
    for (const x of txn.exemplars) {
      const e = use(x.labels);
      if (e) exemplars.push({ ref: e.ref, exemplar: x.exemplar });
    }
    const metadata = [];
    const metaChanged: string[] = [];
    for (const [family, m] of txn.metadata) {
      const known = this.meta.get(family);
      const changed = !known || known.metadata.type !== m.type || known.metadata.help !== m.help || known.metadata.unit !== m.unit;
      if (changed) metaChanged.push(family);
      if (changed || known.definedIn !== seg) metadata.push({ family, metadata: m });
    }

    const w = this.scratch;
    w.pos = 0;
    chunked(w, SERIES, defs, writeSeries);
    chunked(w, SAMPLES, samples, writeSamples);
    chunked(w, EXEMPLARS, exemplars, writeExemplars);
    chunked(w, HISTOGRAMS, histograms, writeHistograms);
    chunked(w, METADATA, metadata, writeMetadata);
    if (w.pos > 0) this.writer.append(w.finish());
    if (w.buf.length > 4 * 1024 * 1024) this.scratch = new ByteWriter(64 * 1024);

    // Only now, with the bytes written, does the table move on.
    for (const e of touched) {
      e.lastTs = e.pendingTs;
      e.lastSeen = now;
      e.definedIn = seg;
    }
    for (const m of metadata) this.meta.set(m.family, { metadata: m.metadata, definedIn: seg });
    this.metrics.walAppended(samples.length, exemplars.length, histograms.length, result.outOfOrder, metaChanged.length);
    this.metrics.activeSeries(this.size);
    return result;
  }

  /** Forgets series not appended to since `before` (wall clock); returns how many. */
  gc(before: number): number {
    let n = 0;
    for (const [hash, found] of this.series) {
      const list = Array.isArray(found) ? found : [found];
      const kept: SeriesEntry[] = [];
      for (const e of list) {
        if (e.lastSeen >= before) kept.push(e);
        else e.removed = true;
      }
      n += list.length - kept.length;
      if (kept.length === 0) this.series.delete(hash);
      else if (kept.length !== list.length) this.series.set(hash, kept.length === 1 ? kept[0]! : kept);
    }
    this.size -= n;
    if (n > 0) this.metrics.seriesRemoved(n, this.size);
    return n;
  }

  /** The entry for a label set, created when new; undefined when the labels are unusable. */
  private resolve(raw: Labels, result: CommitResult): SeriesEntry | undefined {
    const seen = this.known.get(raw);
    if (seen !== undefined && !seen.removed) return seen;
    const e = this.lookup(raw, result);
    if (e !== undefined) this.known.set(raw, e);
    return e;
  }

  private lookup(raw: Labels, result: CommitResult): SeriesEntry | undefined {
    const labels = normalizeLabels(raw);
    if (!labels) {
      result.invalid++;
      result.invalidExample ??= describeLabels(raw);
      return undefined;
    }
    // Keyed by a hash of the labels (cheaper than building a key string per sample); equal
    // hashes are told apart by comparing the labels.
    const hash = hashLabels(labels);
    const found = this.series.get(hash);
    let e: SeriesEntry | undefined;
    if (found !== undefined) {
      if (!Array.isArray(found)) e = sameLabels(found.labels, labels) ? found : undefined;
      else e = found.find((x) => sameLabels(x.labels, labels));
    }
    if (!e) {
      e = { ref: this.nextRef++, labels, hash, lastTs: -Infinity, lastSeen: 0, definedIn: -1, commit: 0, pendingTs: -Infinity, removed: false };
      if (found === undefined) this.series.set(hash, e);
      else if (Array.isArray(found)) found.push(e);
      else this.series.set(hash, [found, e]);
      this.size++;
      this.metrics.seriesCreated(this.size);
    }
    return e;
  }
}

/** Writes `items` as records of at most RECORD_ITEMS each. */
function chunked<T>(w: ByteWriter, type: number, items: readonly T[], write: (w: ByteWriter, list: readonly T[]) => void): void {
  for (let i = 0; i < items.length; i += RECORD_ITEMS) {
    w.ensure(RECORD_HEADER);
    const at = w.pos;
    w.pos += RECORD_HEADER;
    write(w, items.length <= RECORD_ITEMS ? items : items.slice(i, i + RECORD_ITEMS));
    frameRecord(w.buf, at, type, w.pos - at - RECORD_HEADER);
  }
}

/**
 * Labels as remote write needs them (prometheus.md §2): sorted by name, empty values dropped,
 * names unique. Returns the input itself when it already complies; undefined for duplicate names.
 */
export function normalizeLabels(labels: Labels): Labels | undefined {
  let ok = true;
  for (let i = 0; i < labels.length; i++) {
    const [n, v] = labels[i]!;
    if (v === "" || n === "" || (i > 0 && !(labels[i - 1]![0] < n))) {
      ok = false;
      break;
    }
  }
  if (ok) return labels;
  const out = labels.filter(([n, v]) => n !== "" && v !== "").sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < out.length; i++) if (out[i - 1]![0] === out[i]![0]) return undefined;
  return out;
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}

/** `{a="1", b="2"}`, for log lines. */
export function describeLabels(labels: Labels): string {
  return `{${labels.map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(", ")}}`;
}
