// WAL record payloads: what prometheus.remote_write writes per commit (series definitions,
// samples, exemplars, native histograms, metadata) and reads back for sending. The framing
// around each payload (type, length, CRC) and the segment files are wal.ts's business.
//
// Payload layouts (varint = protobuf base-128 varint of a non-negative integer, zz = zig-zag
// varint, f64 = IEEE 754 little-endian, str = varint length + UTF-8):
//   1 series      count, { ref, nlabels, { name str, value str }… }…
//   2 samples     count, base_ts f64, { ref, zz(ts − base_ts), kind byte (0 value, 1 stale), [value f64 if kind 0] }…
//   3 exemplars   count, { ref, flags byte (1 = has ts), [ts f64], value f64, nlabels, labels… }…
//   4 histograms  count, { ref, ts f64, zz schema, zero_threshold f64, zero_count, count, sum f64,
//                         reset_hint byte, nspans, {zz offset, length}…, ndeltas, zz delta…  (negative, then positive) }…
//   5 metadata    count, { family str, type byte (MetricMetadata.MetricType), help str, unit str }…
// A stale sample is a flag (kind 1), so the StaleNaN bit pattern never passes through a JS number.

import type { BucketSpan, Exemplar, Labels, Metadata, MetricType, NativeHistogram } from "../appender.ts";
import { ByteReader, ByteWriter, unzigzag, zigzag } from "./bytes.ts";
import { METRIC_TYPE_NUMBER } from "./encode.ts";

export const SERIES = 1;
export const SAMPLES = 2;
export const EXEMPLARS = 3;
export const HISTOGRAMS = 4;
export const METADATA = 5;

export interface SeriesDef {
  ref: number;
  labels: Labels;
}
export interface SampleRec {
  ref: number;
  ts: number;
  value: number;
  stale: boolean;
}
export interface ExemplarRec {
  ref: number;
  exemplar: Exemplar;
}
export interface HistogramRec {
  ref: number;
  ts: number;
  histogram: NativeHistogram;
}
export interface MetadataRec {
  family: string;
  metadata: Metadata;
}

export type WalRecord =
  | { type: typeof SERIES; series: SeriesDef[] }
  | { type: typeof SAMPLES; samples: SampleRec[] }
  | { type: typeof EXEMPLARS; exemplars: ExemplarRec[] }
  | { type: typeof HISTOGRAMS; histograms: HistogramRec[] }
  | { type: typeof METADATA; metadata: MetadataRec[] };

const TYPE_OF_NUMBER = Object.fromEntries(Object.entries(METRIC_TYPE_NUMBER).map(([k, v]) => [v, k])) as Record<number, MetricType>;

// ---- encoding --------------------------------------------------------------------------------

export function writeSeries(w: ByteWriter, list: readonly SeriesDef[]): void {
  w.ensure(10);
  w.varint(list.length);
  for (const s of list) {
    w.ensure(20);
    w.varint(s.ref);
    w.varint(s.labels.length);
    for (const [n, v] of s.labels) (w.string(n), w.string(v));
  }
}

export function writeSamples(w: ByteWriter, list: readonly SampleRec[]): void {
  const base = list.length > 0 ? list[0]!.ts : 0;
  w.ensure(18 + list.length * 28);
  w.varint(list.length);
  w.f64(base);
  for (const s of list) {
    w.varint(s.ref);
    w.varint(zigzag(s.ts - base));
    if (s.stale) w.byte(1);
    else (w.byte(0), w.f64(s.value));
  }
}

export function writeExemplars(w: ByteWriter, list: readonly ExemplarRec[]): void {
  w.ensure(10);
  w.varint(list.length);
  for (const { ref, exemplar: e } of list) {
    w.ensure(40);
    w.varint(ref);
    const ts = e.timestampMs;
    w.byte(ts === undefined ? 0 : 1);
    if (ts !== undefined) w.f64(ts);
    w.f64(e.value);
    w.varint(e.labels.length);
    for (const [n, v] of e.labels) (w.string(n), w.string(v));
  }
}

function writeBuckets(w: ByteWriter, spans: readonly BucketSpan[], deltas: readonly number[]): void {
  w.ensure(20 + spans.length * 20 + deltas.length * 10);
  w.varint(spans.length);
  for (const s of spans) (w.varint(zigzag(s.offset)), w.varint(s.length));
  w.varint(deltas.length);
  for (const d of deltas) w.varint(zigzag(d));
}

export function writeHistograms(w: ByteWriter, list: readonly HistogramRec[]): void {
  w.ensure(10);
  w.varint(list.length);
  for (const { ref, ts, histogram: h } of list) {
    w.ensure(80);
    w.varint(ref);
    w.f64(ts);
    w.varint(zigzag(h.schema));
    w.f64(h.zeroThreshold);
    w.varint(h.zeroCount);
    w.varint(h.count);
    w.f64(h.sum);
    w.byte(h.resetHint);
    writeBuckets(w, h.negativeSpans, h.negativeDeltas);
    writeBuckets(w, h.positiveSpans, h.positiveDeltas);
  }
}

export function writeMetadata(w: ByteWriter, list: readonly MetadataRec[]): void {
  w.ensure(10);
  w.varint(list.length);
  for (const m of list) {
    w.string(m.family);
    w.ensure(1);
    w.byte(METRIC_TYPE_NUMBER[m.metadata.type] ?? 0);
    w.string(m.metadata.help);
    w.string(m.metadata.unit);
  }
}

// ---- decoding --------------------------------------------------------------------------------

/** Decodes one payload; throws RangeError (or Error for an unknown type) when it is malformed. */
export function decodeRecord(type: number, payload: Uint8Array): WalRecord {
  const r = new ByteReader(payload);
  let rec: WalRecord;
  switch (type) {
    case SERIES:
      rec = { type, series: readList(r, () => ({ ref: r.varint(), labels: readLabels(r) })) };
      break;
    case SAMPLES:
      rec = { type, samples: readSamples(r) };
      break;
    case EXEMPLARS:
      rec = { type, exemplars: readList(r, () => readExemplar(r)) };
      break;
    case HISTOGRAMS:
      rec = { type, histograms: readList(r, () => readHistogram(r)) };
      break;
    case METADATA:
      rec = { type, metadata: readList(r, () => readMetadata(r)) };
      break;
    default:
      throw new Error(`unknown record type ${type}`);
  }
  if (!r.done()) throw new RangeError("trailing bytes after the record");
  return rec;
}

function readList<T>(r: ByteReader, one: () => T): T[] {
  const n = r.varint();
  if (n > r.end) throw new RangeError("implausible item count");
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = one();
  return out;
}

function readLabels(r: ByteReader): Labels {
  return readList(r, () => [r.string(), r.string()] as const);
}

function readSamples(r: ByteReader): SampleRec[] {
  const n = r.varint();
  if (n > r.end) throw new RangeError("implausible item count");
  const base = r.f64();
  const out = new Array<SampleRec>(n);
  for (let i = 0; i < n; i++) {
    const ref = r.varint();
    const ts = base + unzigzag(r.varint());
    const kind = r.byte();
    if (kind === 1) out[i] = { ref, ts, value: Number.NaN, stale: true };
    else if (kind === 0) out[i] = { ref, ts, value: r.f64(), stale: false };
    else throw new RangeError(`bad sample kind ${kind}`);
  }
  return out;
}

function readExemplar(r: ByteReader): ExemplarRec {
  const ref = r.varint();
  const hasTs = r.byte() === 1;
  const ts = hasTs ? r.f64() : undefined;
  const value = r.f64();
  const labels = readLabels(r);
  return { ref, exemplar: ts === undefined ? { labels, value } : { labels, value, timestampMs: ts } };
}

function readBuckets(r: ByteReader): { spans: BucketSpan[]; deltas: number[] } {
  const spans = readList(r, () => ({ offset: unzigzag(r.varint()), length: r.varint() }));
  const deltas = readList(r, () => unzigzag(r.varint()));
  return { spans, deltas };
}

function readHistogram(r: ByteReader): HistogramRec {
  const ref = r.varint();
  const ts = r.f64();
  const schema = unzigzag(r.varint());
  const zeroThreshold = r.f64();
  const zeroCount = r.varint();
  const count = r.varint();
  const sum = r.f64();
  const resetHint = r.byte() as 0 | 1 | 2 | 3;
  const neg = readBuckets(r);
  const pos = readBuckets(r);
  const histogram: NativeHistogram = {
    schema,
    zeroThreshold,
    zeroCount,
    count,
    sum,
    resetHint,
    negativeSpans: neg.spans,
    negativeDeltas: neg.deltas,
    positiveSpans: pos.spans,
    positiveDeltas: pos.deltas,
  };
  return { ref, ts, histogram };
}

function readMetadata(r: ByteReader): MetadataRec {
  const family = r.string();
  const type = TYPE_OF_NUMBER[r.byte()] ?? "unknown";
  return { family, metadata: { type, help: r.string(), unit: r.string() } };
}
