// The WAL on its own: records written by commits and read back, segment cutting and deletion,
// a torn last record (tolerated), corruption (detected, reported, the rest of the segment
// skipped), the progress file, and the series table's checks.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Labels } from "../../../src/prom/appender.ts";
import { hashLabels } from "../../../src/prom/remote_write/batch.ts";
import { RemoteWriteMetrics } from "../../../src/prom/remote_write/metrics.ts";
import { ProgressFile, progressPath, readProgress } from "../../../src/prom/remote_write/progress.ts";
import { SAMPLES, SERIES, type WalRecord, decodeRecord } from "../../../src/prom/remote_write/records.ts";
import { WalStorage, newTxn, normalizeLabels } from "../../../src/prom/remote_write/storage.ts";
import { type Corruption, RECORD_HEADER, SEGMENT_MAGIC, WalReader, WalWriter, listSegments, segmentName } from "../../../src/prom/remote_write/wal.ts";
import { MetricsRegistry } from "../../../src/runtime/metrics.ts";
import { tempDir } from "./harness.ts";

function storage(dir: string, segmentBytes?: number): { writer: WalWriter; storage: WalStorage } {
  const writer = new WalWriter(dir, segmentBytes);
  writer.open();
  return { writer, storage: new WalStorage(writer, new RemoteWriteMetrics(new MetricsRegistry())) };
}

function commit(s: WalStorage, samples: Array<[Labels, number, number | "stale"]>): void {
  const txn = newTxn();
  for (const [labels, ts, v] of samples) txn.samples.push({ labels, ts, value: v === "stale" ? Number.NaN : v, stale: v === "stale" });
  s.commit(txn);
}

/** Everything readable in `dir`, decoded, plus the corruptions reported. */
function readAll(dir: string, from = 0): { records: Array<WalRecord & { segment: number }>; corruptions: Corruption[] } {
  const corruptions: Corruption[] = [];
  const reader = new WalReader(dir, from, (c) => corruptions.push(c));
  const records = [];
  for (;;) {
    const batch = reader.read(undefined, 64);
    if (batch.length === 0) break;
    for (const r of batch) records.push({ ...decodeRecord(r.type, r.payload), segment: r.segment });
  }
  reader.close();
  return { records, corruptions };
}

/** Samples as `labels value@ts` strings, resolving refs through the series records of each segment. */
function samplesOf(records: Array<WalRecord & { segment: number }>): string[] {
  const out: string[] = [];
  let names = new Map<number, string>();
  let segment = -1;
  for (const r of records) {
    if (r.segment !== segment) (names = new Map()), (segment = r.segment);
    if (r.type === SERIES) for (const d of r.series) names.set(d.ref, d.labels.map(([n, v]) => `${n}=${v}`).join(","));
    if (r.type === SAMPLES) for (const s of r.samples) out.push(`${names.get(s.ref) ?? "?"} ${s.stale ? "stale" : s.value}@${s.ts}`);
  }
  return out;
}

const A: Labels = [["__name__", "a"], ["job", "x"]];
const B: Labels = [["__name__", "b"]];

describe("WAL write and replay", () => {
  test("commits come back in order, with series definitions and stale flags", () => {
    const dir = tempDir();
    const { writer, storage: s } = storage(dir);
    commit(s, [[A, 1000, 1.5], [B, 1000, 2]]);
    commit(s, [[A, 2000, "stale"], [B, 2000, -0.25]]);
    writer.close();
    const { records, corruptions } = readAll(dir);
    assert.deepEqual(corruptions, []);
    assert.deepEqual(samplesOf(records), ["__name__=a,job=x 1.5@1000", "__name__=b 2@1000", "__name__=a,job=x stale@2000", "__name__=b -0.25@2000"]);
    // A series is defined once per segment.
    assert.equal(records.filter((r) => r.type === SERIES).length, 1);
  });

  test("every segment is self-contained: series are defined again after a cut", () => {
    const dir = tempDir();
    const { writer, storage: s } = storage(dir);
    commit(s, [[A, 1, 1]]);
    writer.cut();
    commit(s, [[A, 2, 2]]);
    writer.close();
    assert.deepEqual(listSegments(dir), [0, 1]);
    const second = readAll(dir, 1);
    assert.deepEqual(samplesOf(second.records), ["__name__=a,job=x 2@2"]);
  });

  test("segments are cut when full; a reopened writer starts a new segment", () => {
    const dir = tempDir();
    const { writer, storage: s } = storage(dir, 200);
    for (let i = 0; i < 20; i++) commit(s, [[A, i, i]]);
    writer.close();
    const segments = listSegments(dir);
    assert.ok(segments.length > 3, `${segments.length} segments`);
    const again = new WalWriter(dir, 200);
    again.open();
    assert.equal(again.segment, segments[segments.length - 1]! + 1);
    again.close();
    assert.equal(samplesOf(readAll(dir).records).length, 20);
  });

  test("background fsync: appends go on meanwhile, a cut waits for it, one runs at a time", async () => {
    const dir = tempDir();
    const { writer, storage: s } = storage(dir, 200);
    commit(s, [[A, 1, 1]]);
    const first = writer.syncInBackground(Date.now() + 10_000);
    // A second call while the first runs starts nothing; an append and a cut meanwhile are safe.
    await writer.syncInBackground(Date.now() + 20_000);
    for (let i = 2; i < 20; i++) commit(s, [[A, i, i]]);
    writer.cut();
    await first;
    // Nothing written since the last flush: no new fsync is due within the interval.
    const again = writer.syncInBackground();
    await again;
    commit(s, [[A, 20, 20]]);
    await writer.syncInBackground(Date.now() + 30_000);
    writer.close();
    assert.equal(samplesOf(readAll(dir).records).length, 20);
    assert.ok(listSegments(dir).length > 2);
  });

  test("removeBefore deletes old segments but never the current one", () => {
    const dir = tempDir();
    const { writer } = storage(dir);
    writer.cut();
    writer.cut();
    assert.deepEqual(writer.removeBefore(100), [0, 1]);
    assert.deepEqual(listSegments(dir), [2]);
    writer.close();
  });

  test("a live segment is read only up to the writer's end", () => {
    const dir = tempDir();
    const { writer, storage: s } = storage(dir);
    const reader = new WalReader(dir, 0);
    commit(s, [[A, 1, 1]]);
    const first = reader.read(writer.end());
    assert.equal(first.length, 2);
    assert.deepEqual(reader.read(writer.end()), []);
    commit(s, [[A, 2, 2]]);
    const next = reader.read(writer.end());
    assert.deepEqual(next.map((r) => r.type), [SAMPLES]);
    reader.close();
    writer.close();
  });
});

describe("WAL damage", () => {
  /** Three commits in one segment, closed; returns the file and the record boundaries. */
  function threeCommits(): { dir: string; file: string; sizes: number[] } {
    const dir = tempDir();
    const { writer, storage: s } = storage(dir);
    const sizes = [statSync(join(dir, segmentName(0))).size];
    for (let i = 1; i <= 3; i++) {
      commit(s, [[A, i, i]]);
      sizes.push(writer.end().offset);
    }
    writer.close();
    return { dir, file: join(dir, segmentName(0)), sizes };
  }

  test("a torn last record (crash mid-write) is tolerated silently", () => {
    const { dir, file, sizes } = threeCommits();
    truncateSync(file, sizes[3]! - 3);
    const { records, corruptions } = readAll(dir);
    assert.deepEqual(corruptions, []);
    assert.deepEqual(samplesOf(records), ["__name__=a,job=x 1@1", "__name__=a,job=x 2@2"]);
  });

  test("a torn record header and a zero-filled tail are tolerated too", () => {
    const { dir, file, sizes } = threeCommits();
    truncateSync(file, sizes[2]! + 4);
    assert.deepEqual(readAll(dir).corruptions, []);
    truncateSync(file, sizes[2]!);
    appendFileSync(file, new Uint8Array(64));
    const { records, corruptions } = readAll(dir);
    assert.deepEqual(corruptions, []);
    assert.equal(samplesOf(records).length, 2);
  });

  test("a CRC mismatch is detected and reported; the rest of that segment is skipped, later segments are read", () => {
    const { dir, file, sizes } = threeCommits();
    const bytes = readFileSync(file);
    bytes[sizes[1]! + RECORD_HEADER + 2]! ^= 0x40; // inside the second commit's payload
    writeFileSync(file, bytes);
    const later = new WalWriter(dir);
    later.open();
    const s = new WalStorage(later, new RemoteWriteMetrics(new MetricsRegistry()));
    commit(s, [[B, 9, 9]]);
    later.close();
    const { records, corruptions } = readAll(dir);
    assert.deepEqual(corruptions, [{ segment: 0, offset: sizes[1], reason: "CRC mismatch" }]);
    assert.deepEqual(samplesOf(records), ["__name__=a,job=x 1@1", "__name__=b 9@9"]);
  });

  test("garbage in the middle and a bad segment header are corruption", () => {
    const { dir, file, sizes } = threeCommits();
    const bytes = readFileSync(file);
    bytes.fill(0x5a, sizes[1]!, sizes[1]! + RECORD_HEADER);
    writeFileSync(file, bytes);
    assert.equal(readAll(dir).corruptions.length, 1);
    bytes[0] = 0;
    writeFileSync(file, bytes);
    const { records, corruptions } = readAll(dir);
    assert.deepEqual(corruptions, [{ segment: 0, offset: 0, reason: "not a solder WAL segment (bad header)" }]);
    assert.deepEqual(records, []);
    assert.deepEqual([...SEGMENT_MAGIC.subarray(0, 7)].map((c) => String.fromCharCode(c)).join(""), "SOLDWAL");
  });
});

describe("series table", () => {
  test("labels are sorted, empty values dropped, duplicate names refused", () => {
    assert.deepEqual(normalizeLabels([["b", "1"], ["a", "2"], ["c", ""]]), [["a", "2"], ["b", "1"]]);
    const sorted: Labels = [["a", "1"]];
    assert.equal(normalizeLabels(sorted), sorted);
    assert.equal(normalizeLabels([["a", "1"], ["a", "2"]]), undefined);
  });

  test("out-of-order samples of a series are dropped and counted; equal timestamps pass", () => {
    const dir = tempDir();
    const metrics = new MetricsRegistry();
    const writer = new WalWriter(dir);
    writer.open();
    const s = new WalStorage(writer, new RemoteWriteMetrics(metrics));
    const txn = newTxn();
    for (const ts of [10, 20, 15, 20, 30]) txn.samples.push({ labels: A, ts, value: ts, stale: false });
    txn.samples.push({ labels: [["a", "1"], ["a", "2"]], ts: 1, value: 1, stale: false });
    const result = s.commit(txn);
    assert.equal(result.outOfOrder, 1);
    assert.equal(result.invalid, 1);
    commit(s, [[A, 25, 25]]);
    writer.close();
    assert.deepEqual(samplesOf(readAll(dir).records), ["__name__=a,job=x 10@10", "__name__=a,job=x 20@20", "__name__=a,job=x 20@20", "__name__=a,job=x 30@30"]);
    assert.match(metrics.expose(), /^prometheus_remote_write_wal_out_of_order_samples_total\{?.*\}? 2$/m);
  });

  test("series whose label hashes collide stay apart", () => {
    const seen = new Map<number, Labels>();
    let pair: [Labels, Labels] | undefined;
    for (let k = 0; !pair; k++) {
      const l: Labels = [["__name__", "c"], ["i", String(k)]];
      const h = hashLabels(l);
      const other = seen.get(h);
      if (other) pair = [other, l];
      seen.set(h, l);
    }
    const dir = tempDir();
    const { writer, storage: s } = storage(dir);
    commit(s, [[pair[0], 1, 1], [pair[1], 1, 2]]);
    commit(s, [[pair[1], 2, 3], [pair[0], 2, 4]]);
    writer.close();
    const name = (l: Labels) => l.map(([n, v]) => `${n}=${v}`).join(",");
    assert.deepEqual(samplesOf(readAll(dir).records), [`${name(pair[0])} 1@1`, `${name(pair[1])} 2@1`, `${name(pair[1])} 3@2`, `${name(pair[0])} 4@2`]);
    assert.equal(s.activeSeries, 2);
    assert.equal(s.gc(Date.now() + 1), 2);
    assert.equal(s.activeSeries, 0);
  });

  test("a label array seen before finds its series; after gc the same array makes a new one", () => {
    const dir = tempDir();
    const { writer, storage: s } = storage(dir);
    const unsorted: Labels = [["job", "x"], ["__name__", "u"]];
    commit(s, [[A, 1, 1], [unsorted, 1, 2]]);
    commit(s, [[A, 2, 3], [unsorted, 2, 4], [[...A], 3, 5]]);
    assert.equal(s.activeSeries, 2);
    assert.equal(s.gc(Date.now() + 1), 2);
    assert.equal(s.activeSeries, 0);
    // The forgotten series comes back: defined again (a new ref), its clock restarted.
    commit(s, [[A, 1, 6]]);
    assert.equal(s.activeSeries, 1);
    writer.close();
    const { records } = readAll(dir);
    const defs = records.flatMap((r) => (r.type === SERIES ? r.series : []));
    assert.deepEqual(
      defs.map((d) => d.labels.map(([n, v]) => `${n}=${v}`).join(",")),
      ["__name__=a,job=x", "__name__=u,job=x", "__name__=a,job=x"],
    );
    assert.notEqual(defs[2]!.ref, defs[0]!.ref);
    assert.deepEqual(samplesOf(records), ["__name__=a,job=x 1@1", "__name__=u,job=x 2@1", "__name__=a,job=x 3@2", "__name__=u,job=x 4@2", "__name__=a,job=x 5@3", "__name__=a,job=x 6@1"]);
  });

  test("a failed write leaves the table as it was: the series is defined again next time", () => {
    const dir = tempDir();
    const { writer, storage: s } = storage(dir);
    writer.close();
    assert.throws(() => commit(s, [[A, 1, 1]]), /not open/);
    writer.open();
    commit(s, [[A, 1, 1]]);
    writer.close();
    assert.deepEqual(samplesOf(readAll(dir).records), ["__name__=a,job=x 1@1"]);
  });
});

describe("progress file", () => {
  test("round trip, alternate slots, a damaged slot falls back to the other", () => {
    const dir = tempDir();
    const path = progressPath(dir, "ep/1");
    assert.equal(readProgress(path), undefined);
    const f = new ProgressFile(path);
    f.write([{ next: { pos: 10, idx: 1 } }, { next: { pos: 20, idx: 0 } }]);
    const second = [{ next: { pos: 11, idx: 2 }, inflightEnd: { pos: 12, idx: 9 } }, { next: { pos: 21, idx: 3 } }];
    f.write(second);
    assert.deepEqual(readProgress(path), second);
    f.write([{ next: { pos: 2 ** 40, idx: 7 } }, { next: { pos: 22, idx: 0 } }]);
    const bytes = readFileSync(path);
    const half = bytes.length / 2;
    // Sequence 3 went to slot 1; break it: the older slot 0 (sequence 2) wins.
    bytes[half + 20] = (bytes[half + 20]! + 1) % 256;
    writeFileSync(path, bytes);
    assert.deepEqual(readProgress(path), second);
    // A different shard count rewrites the file.
    f.write([{ next: { pos: 5, idx: 5 } }]);
    assert.deepEqual(readProgress(path), [{ next: { pos: 5, idx: 5 } }]);
    f.close();
    assert.ok(path.endsWith("progress-ep_1"));
  });
});
