// The on-disk log behind a persistent sending queue (`sending_queue { storage = … }`): one
// directory per exporter, `<otelcol.storage.file directory>/<exporter component id>/`, holding
// numbered segment files in the framing of prometheus.remote_write's WAL (src/prom/remote_write/
// wal.ts: 8-byte "SOLDWAL\x01" header, then records `type u8 | length u32 LE | CRC-32C u32 LE |
// payload`). Two record types, both solder's own:
//
//   PUT (1)  seq u32 LE ×2 (low, high) | signal u8 (0 traces, 1 metrics, 2 logs)
//            | metadata length u32 LE | client metadata as JSON [[key, [values…]], …]
//            | the Export*ServiceRequest bytes, exactly as the exporter would send them
//   ACK (2)  count u32 LE | seq u32 LE ×2, `count` times
//
// A PUT is written (one write() of the whole record; with `fsync` set, fdatasync'd, and the
// directory fsync'd once per new segment) before the exporter's consume call returns, so an acknowledged request survives a crash of
// the process. An ACK marks requests the backend took (or refused for good); it is never
// fsync'd by itself: losing one only means the request is sent again (at-least-once).
//
// Disk stays bounded: a process never appends to a segment written before it started, segments
// are cut at `segmentBytes`, and every segment older than the oldest live request is deleted at
// once. When acknowledged records still outweigh the live ones (one old request pins its
// segment while later ones are sent), the log compacts: it cuts a new segment, copies the live
// PUTs into it (same seq, so order is kept) and deletes every older segment. A crash during
// that leaves both copies; recovery keeps one per seq.
//
// Recovery reads every segment in order; a torn last record (a write cut short by a crash) ends
// its segment silently, any other damage is reported and the rest of that segment is skipped.
// Live requests come back in seq order, i.e. in the order they were first accepted.

import { closeSync, fsyncSync, openSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ClientMetadata, Signal } from "../../../otlp/batch.ts";
import { type Corruption, RECORD_HEADER, SEGMENT_MAGIC, WalReader, WalWriter, frameRecord, listSegments, segmentName } from "../../../prom/remote_write/wal.ts";

export const PUT = 1;
export const ACK = 2;
/** Segments are cut once they pass this size. */
export const QUEUE_SEGMENT_BYTES = 8 * 1024 * 1024;

const SIGNAL_CODES: Signal[] = ["traces", "metrics", "logs"];
const PUT_FIXED = 8 + 1 + 4;

/** One live request as read back at start. */
export interface StoredRequest {
  seq: number;
  signal: Signal;
  metadata: ClientMetadata | undefined;
  /** The Export*ServiceRequest bytes. */
  request: Uint8Array;
}

export interface QueueLogOptions {
  /** fdatasync every PUT before it counts as written; read at each PUT (a reload may change it). */
  fsync: boolean | (() => boolean);
  segmentBytes?: number;
  onCorruption?(c: Corruption): void;
  /** Rewrite the live requests into a fresh segment at open (compaction.on_start). */
  compactOnOpen?: boolean;
}

interface Live {
  segment: number;
  /** Whole record size, header included. */
  bytes: number;
}

/** Figures for metrics, logs and tests. */
export interface QueueLogStats {
  segments: number;
  /** Bytes of all segment files. */
  diskBytes: number;
  liveRequests: number;
  liveBytes: number;
}

/** The persistent log of one exporter's queue. Synchronous: every call finishes its I/O. */
export class QueueLog {
  private readonly writer: WalWriter;
  private readonly segmentBytes: number;
  private readonly live = new Map<number, Live>();
  /** Live request count per segment, for deleting whole segments. */
  private readonly perSegment = new Map<number, number>();
  private readonly segmentSizes = new Map<number, number>();
  private nextSeq = 0;
  private liveBytes = 0;
  private open = false;
  /** The segment whose creation was last made durable with a directory fsync. */
  private dirSyncedFor = -1;

  constructor(
    readonly dir: string,
    private readonly opts: QueueLogOptions,
  ) {
    this.segmentBytes = opts.segmentBytes ?? QUEUE_SEGMENT_BYTES;
    this.writer = new WalWriter(dir, this.segmentBytes);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /**
   * Reads what an earlier run left (live requests in the order they were accepted), then opens
   * a new segment for writing. The directory must exist or be creatable by the caller.
   */
  openAndRecover(): StoredRequest[] {
    const puts = new Map<number, { segment: number; bytes: number; payload: Uint8Array }>();
    const acked = new Set<number>();
    let maxSeq = -1;
    const existing = listSegments(this.dir);
    if (existing.length > 0) {
      const reader = new WalReader(this.dir, existing[0]!, (c) => this.opts.onCorruption?.(c));
      try {
        for (;;) {
          const records = reader.read(undefined);
          if (records.length === 0) break;
          for (const r of records) {
            if (r.type === PUT && r.payload.length >= PUT_FIXED) {
              const seq = readSeq(r.payload, 0);
              // A compaction copy and its original: keep the later copy's place.
              puts.set(seq, { segment: r.segment, bytes: RECORD_HEADER + r.payload.length, payload: r.payload });
              maxSeq = Math.max(maxSeq, seq);
            } else if (r.type === ACK) {
              for (const seq of readAcks(r.payload)) {
                acked.add(seq);
                maxSeq = Math.max(maxSeq, seq);
              }
            } else {
              this.opts.onCorruption?.({ segment: r.segment, offset: 0, reason: `unknown record type ${r.type} in a queue log` });
            }
          }
        }
      } finally {
        reader.close();
      }
    }
    for (const n of existing) this.segmentSizes.set(n, fileSize(join(this.dir, segmentName(n))));
    this.nextSeq = maxSeq + 1;
    const out: StoredRequest[] = [];
    for (const [seq, p] of [...puts].sort((a, b) => a[0] - b[0])) {
      if (acked.has(seq)) continue;
      const decoded = decodePut(p.payload);
      if (!decoded) {
        this.opts.onCorruption?.({ segment: p.segment, offset: 0, reason: `malformed queued request ${seq}` });
        continue;
      }
      out.push(decoded);
      this.track(seq, p.segment, p.bytes);
    }
    this.writer.open();
    this.segmentSizes.set(this.writer.segment, SEGMENT_MAGIC.length);
    this.open = true;
    if (this.opts.compactOnOpen && this.live.size > 0) this.compact();
    else this.removeDeadSegments();
    return out;
  }

  /** Writes one request durably; returns its seq (for ack). Throws on I/O errors (nothing is half-written). */
  put(signal: Signal, request: Uint8Array, metadata?: ClientMetadata): number {
    if (!this.open) throw new Error("the persistent queue is not open");
    const seq = this.nextSeq;
    const meta = metadata && metadata.size > 0 ? new TextEncoder().encode(JSON.stringify([...metadata])) : new Uint8Array(0);
    const payloadLength = PUT_FIXED + meta.length + request.length;
    const rec = new Uint8Array(RECORD_HEADER + payloadLength);
    const view = new DataView(rec.buffer);
    const p = RECORD_HEADER;
    writeSeq(view, p, seq);
    rec[p + 8] = SIGNAL_CODES.indexOf(signal);
    view.setUint32(p + 9, meta.length, true);
    rec.set(meta, p + PUT_FIXED);
    rec.set(request, p + PUT_FIXED + meta.length);
    frameRecord(rec, 0, PUT, payloadLength);
    this.append(rec);
    if (typeof this.opts.fsync === "function" ? this.opts.fsync() : this.opts.fsync) {
      this.writer.sync(true);
      // A new segment's directory entry must be durable too, or a power loss could drop the file.
      if (this.dirSyncedFor !== this.writer.segment) {
        syncDirectory(this.dir);
        this.dirSyncedFor = this.writer.segment;
      }
    }
    this.nextSeq++;
    this.track(seq, this.writer.segment, rec.length);
    return seq;
  }

  /** Marks requests as done: sent, or refused for good. Unknown seqs are ignored. */
  ack(seqs: readonly number[]): void {
    const known = seqs.filter((s) => this.live.has(s));
    if (known.length === 0 || !this.open) return;
    const rec = new Uint8Array(RECORD_HEADER + 4 + 8 * known.length);
    const view = new DataView(rec.buffer);
    view.setUint32(RECORD_HEADER, known.length, true);
    known.forEach((s, i) => writeSeq(view, RECORD_HEADER + 4 + 8 * i, s));
    frameRecord(rec, 0, ACK, rec.length - RECORD_HEADER);
    this.append(rec);
    for (const s of known) this.untrack(s);
    this.removeDeadSegments();
    if (this.needsCompaction()) this.compact();
  }

  /** Flushes and closes; what is live stays for the next start. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.writer.close();
  }

  stats(): QueueLogStats {
    let diskBytes = 0;
    for (const s of this.segmentSizes.values()) diskBytes += s;
    return { segments: this.segmentSizes.size, diskBytes, liveRequests: this.live.size, liveBytes: this.liveBytes };
  }

  private append(rec: Uint8Array): void {
    this.writer.cutIfFull();
    if (!this.segmentSizes.has(this.writer.segment)) this.segmentSizes.set(this.writer.segment, SEGMENT_MAGIC.length);
    this.writer.append(rec);
    this.segmentSizes.set(this.writer.segment, this.writer.end().offset);
  }

  private track(seq: number, segment: number, bytes: number): void {
    this.live.set(seq, { segment, bytes });
    this.perSegment.set(segment, (this.perSegment.get(segment) ?? 0) + 1);
    this.liveBytes += bytes;
  }

  private untrack(seq: number): void {
    const l = this.live.get(seq);
    if (!l) return;
    this.live.delete(seq);
    this.liveBytes -= l.bytes;
    const left = (this.perSegment.get(l.segment) ?? 1) - 1;
    if (left > 0) this.perSegment.set(l.segment, left);
    else this.perSegment.delete(l.segment);
  }

  /** Deletes the segments before the oldest one that still holds a live request. */
  private removeDeadSegments(): void {
    let firstLive = this.writer.segment;
    for (const s of this.perSegment.keys()) firstLive = Math.min(firstLive, s);
    for (const n of this.writer.removeBefore(firstLive)) this.segmentSizes.delete(n);
  }

  /** Dead records outweigh live ones by more than two segments' worth. */
  private needsCompaction(): boolean {
    const { diskBytes } = this.stats();
    return diskBytes > 2 * this.liveBytes + 2 * this.segmentBytes;
  }

  /** Copies every live PUT into a new segment, then deletes all older segments. */
  private compact(): void {
    this.writer.cut();
    const current = this.writer.segment;
    this.segmentSizes.set(current, SEGMENT_MAGIC.length);
    const first = listSegments(this.dir)[0] ?? current;
    const reader = new WalReader(this.dir, first, (c) => this.opts.onCorruption?.(c));
    const limit = { segment: current, offset: SEGMENT_MAGIC.length };
    const moved = new Set<number>();
    try {
      for (;;) {
        const records = reader.read(limit);
        if (records.length === 0) break;
        for (const r of records) {
          if (r.type !== PUT || r.payload.length < PUT_FIXED) continue;
          const seq = readSeq(r.payload, 0);
          if (!this.live.has(seq) || moved.has(seq)) continue;
          const rec = new Uint8Array(RECORD_HEADER + r.payload.length);
          rec.set(r.payload, RECORD_HEADER);
          frameRecord(rec, 0, PUT, r.payload.length);
          this.append(rec);
          moved.add(seq);
          const bytes = this.live.get(seq)!.bytes;
          this.untrack(seq);
          this.track(seq, this.writer.segment, bytes);
        }
      }
    } finally {
      reader.close();
    }
    // The copies must be on disk before the originals go.
    this.writer.sync(true);
    this.removeDeadSegments();
  }
}

function writeSeq(view: DataView, at: number, seq: number): void {
  view.setUint32(at, seq % 0x1_0000_0000, true);
  view.setUint32(at + 4, Math.floor(seq / 0x1_0000_0000), true);
}

function readSeq(payload: Uint8Array, at: number): number {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000;
}

function readAcks(payload: Uint8Array): number[] {
  if (payload.length < 4) return [];
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const n = Math.min(view.getUint32(0, true), Math.floor((payload.length - 4) / 8));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(readSeq(payload, 4 + 8 * i));
  return out;
}

function decodePut(payload: Uint8Array): StoredRequest | undefined {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const seq = readSeq(payload, 0);
  const signal = SIGNAL_CODES[payload[8]!];
  const metaLength = view.getUint32(9, true);
  if (!signal || PUT_FIXED + metaLength > payload.length) return undefined;
  let metadata: ClientMetadata | undefined;
  if (metaLength > 0) {
    try {
      const pairs = JSON.parse(new TextDecoder().decode(payload.subarray(PUT_FIXED, PUT_FIXED + metaLength))) as [string, string[]][];
      metadata = new Map(pairs);
    } catch {
      return undefined;
    }
  }
  return { seq, signal, metadata, request: payload.subarray(PUT_FIXED + metaLength) };
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
