// Remote write 2.0 (`io.prometheus.write.v2.Request`, spec status experimental; prometheus.md
// §5.3): label strings go once into a symbol table (entry 0 is ""), series refer to them by
// index. Histograms share remote write 1.0's field numbers, so encode.ts writes them. Not the
// hot path: each TimeSeries is built in its own small buffer, then copied.

import type { Exemplar, Labels, Metadata } from "../appender.ts";
import { ByteWriter, varintSize } from "./bytes.ts";
import { type HistogramValue, METRIC_TYPE_NUMBER, type SampleValue, histogramSize, writeHistogram, writeSample } from "./encode.ts";

/** One series for a 2.0 request. */
export interface SeriesV2 {
  labels: Labels;
  samples: readonly SampleValue[];
  exemplars: readonly Exemplar[];
  histograms: readonly HistogramValue[];
  metadata?: Metadata;
}

class Symbols {
  readonly list: string[] = [""];
  private readonly index = new Map<string, number>([["", 0]]);

  ref(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  refs(labels: Labels): number[] {
    const out: number[] = [];
    for (const [n, v] of labels) out.push(this.ref(n), this.ref(v));
    return out;
  }
}

/** Encodes a v2 Request: symbols (field 4), then timeseries (field 5). */
export function encodeV2Request(series: readonly SeriesV2[]): Uint8Array {
  const symbols = new Symbols();
  const bodies: Uint8Array[] = [];
  for (const s of series) {
    // A series carries samples or histograms, not both (§5.3): split when both are present.
    if (s.samples.length > 0 || s.histograms.length === 0) bodies.push(timeSeries(symbols, s, s.samples, [], s.exemplars));
    if (s.histograms.length > 0) bodies.push(timeSeries(symbols, s, [], s.histograms, s.samples.length > 0 ? [] : s.exemplars));
  }
  const w = new ByteWriter(1024);
  for (const sym of symbols.list) {
    w.ensure(1);
    w.byte(0x22);
    w.string(sym);
  }
  for (const b of bodies) message(w, 0x2a, b);
  return w.finish();
}

function timeSeries(symbols: Symbols, s: SeriesV2, samples: readonly SampleValue[], histograms: readonly HistogramValue[], exemplars: readonly Exemplar[]): Uint8Array {
  const w = new ByteWriter(256);
  packed(w, 0x0a, symbols.refs(s.labels));
  for (const x of samples) {
    const m = new ByteWriter(32);
    writeSample(m, x);
    message(w, 0x12, m.finish());
  }
  for (const h of histograms) {
    const m = new ByteWriter(histogramSize(h));
    writeHistogram(m, h);
    message(w, 0x1a, m.finish());
  }
  for (const e of exemplars) {
    const m = new ByteWriter(64);
    packed(m, 0x0a, symbols.refs(e.labels));
    m.ensure(20);
    if (e.value !== 0) (m.byte(0x11), m.f64(e.value));
    const ts = e.timestampMs ?? 0;
    if (ts !== 0) (m.byte(0x18), m.int64(ts));
    message(w, 0x22, m.finish());
  }
  if (s.metadata) {
    const m = new ByteWriter(32);
    const type = METRIC_TYPE_NUMBER[s.metadata.type] ?? 0;
    const help = s.metadata.help === "" ? 0 : symbols.ref(s.metadata.help);
    const unit = s.metadata.unit === "" ? 0 : symbols.ref(s.metadata.unit);
    if (type !== 0) (m.byte(0x08), m.varint(type));
    if (help !== 0) (m.byte(0x18), m.varint(help));
    if (unit !== 0) (m.byte(0x20), m.varint(unit));
    message(w, 0x2a, m.finish());
  }
  return w.finish();
}

function packed(w: ByteWriter, key: number, values: readonly number[]): void {
  if (values.length === 0) return;
  let size = 0;
  for (const v of values) size += varintSize(v);
  w.ensure(1 + 10 + size);
  w.byte(key);
  w.varint(size);
  for (const v of values) w.varint(v);
}

function message(w: ByteWriter, key: number, body: Uint8Array): void {
  w.ensure(1 + 10 + body.length);
  w.byte(key);
  w.varint(body.length);
  w.bytes(body);
}
