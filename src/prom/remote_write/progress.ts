// How far one endpoint's queue has sent the WAL, kept on disk so that a restart resumes where
// the previous process stopped (neither losing nor, within a request or so, repeating samples).
//
// Per shard the file keeps the first WAL item that is not yet done (sent, or dropped after a
// non-retryable answer): a record position (wal.ts positionNumber) and an item index inside the
// record. Every series always goes to the same shard (hash of its labels modulo the shard
// count) and each shard sends in WAL order, so "everything of shard i before its position is
// done" is exact — also for the shards that ran ahead of the slowest one.
//
// It also keeps the last item of the batch in flight, written before the request goes out: a
// crash after the receiver applied a batch but before the progress moved on makes the next
// process send that batch again, and it must go out alone — mixed with newer samples, a
// receiver that rejects the re-sent (now out-of-order) samples with 400 would drop the newer
// ones too (Prometheus rolls back the whole request, prometheus-backend.md §6).
//
// File `<wal dir>/progress-<endpoint name>`: two slots of equal size, written alternately with
// one positional write each, so a crash in the middle of a write (power loss) leaves the other
// slot intact; the valid slot with the higher sequence number wins. Slot layout (little endian):
//   magic "SPRG" u32 | sequence f64 | shard count u32 |
//   { next position f64, next index u32, in-flight-end position f64 (−1 = none), index u32 } per shard | CRC-32C u32
// A change of the shard count rewrites the file through a temporary file and rename().

import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { crc32c } from "./bytes.ts";

/** A WAL item: record position and index inside the record. */
export interface Cursor {
  pos: number;
  idx: number;
}

/** True when item `a` comes before item `b` in the WAL. */
export function before(a: Cursor, b: Cursor): boolean {
  return a.pos < b.pos || (a.pos === b.pos && a.idx < b.idx);
}

/** One shard's progress: the first item not done, and the last item of the batch in flight. */
export interface ShardProgress {
  next: Cursor;
  inflightEnd?: Cursor;
}

/** The earliest of the cursors. */
export function earliest(list: readonly Cursor[]): Cursor | undefined {
  let min: Cursor | undefined;
  for (const c of list) if (!min || before(c, min)) min = c;
  return min;
}

const MAGIC = 0x47525053; // "SPRG"

const PER_SHARD = 24;
const slotSize = (n: number) => 20 + PER_SHARD * n;

/** The progress file of endpoint `name` in `walDir`. */
export function progressPath(walDir: string, name: string): string {
  return join(walDir, `progress-${name.replace(/[^A-Za-z0-9_.-]/g, "_")}`);
}

/** Reads the newest valid slot; undefined when there is no usable file. */
export function readProgress(path: string): ShardProgress[] | undefined {
  let data: Uint8Array;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  if (data.length === 0 || data.length % 2 !== 0) return undefined;
  const size = data.length / 2;
  let best: { seq: number; shards: ShardProgress[] } | undefined;
  for (const at of [0, size]) {
    const slot = parseSlot(data.subarray(at, at + size));
    if (slot && (!best || slot.seq > best.seq)) best = slot;
  }
  return best?.shards;
}

function parseSlot(b: Uint8Array): { seq: number; shards: ShardProgress[] } | undefined {
  if (b.length < 20) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0, true) !== MAGIC) return undefined;
  const n = v.getUint32(12, true);
  if (slotSize(n) !== b.length || n === 0) return undefined;
  if (crc32c(b, 0, b.length - 4) !== v.getUint32(b.length - 4, true)) return undefined;
  const shards: ShardProgress[] = [];
  for (let i = 0; i < n; i++) {
    const at = 16 + PER_SHARD * i;
    const next = { pos: v.getFloat64(at, true), idx: v.getUint32(at + 8, true) };
    const endPos = v.getFloat64(at + 12, true);
    shards.push(endPos < 0 ? { next } : { next, inflightEnd: { pos: endPos, idx: v.getUint32(at + 20, true) } });
  }
  return { seq: v.getFloat64(4, true), shards };
}

function encodeSlot(seq: number, shards: readonly ShardProgress[]): Uint8Array {
  const b = new Uint8Array(slotSize(shards.length));
  const v = new DataView(b.buffer);
  v.setUint32(0, MAGIC, true);
  v.setFloat64(4, seq, true);
  v.setUint32(12, shards.length, true);
  shards.forEach((s, i) => {
    const at = 16 + PER_SHARD * i;
    v.setFloat64(at, s.next.pos, true);
    v.setUint32(at + 8, s.next.idx, true);
    v.setFloat64(at + 12, s.inflightEnd?.pos ?? -1, true);
    v.setUint32(at + 20, s.inflightEnd?.idx ?? 0, true);
  });
  v.setUint32(b.length - 4, crc32c(b, 0, b.length - 4), true);
  return b;
}

/** Writes progress for one endpoint; keeps the file open between writes. */
export class ProgressFile {
  private fd: number | undefined;
  private shards = 0;
  private seq = 0;
  private last = "";

  constructor(readonly path: string) {}

  /** Persists `shards` unless they equal the last ones written. */
  write(shards: readonly ShardProgress[]): void {
    const key = shards.map((s) => `${s.next.pos}:${s.next.idx}:${s.inflightEnd?.pos}:${s.inflightEnd?.idx}`).join(",");
    if (key === this.last) return;
    this.seq++;
    const slot = encodeSlot(this.seq, shards);
    if (this.fd === undefined || shards.length !== this.shards) this.rewrite(slot);
    else writeSync(this.fd, slot, 0, slot.length, (this.seq % 2) * slot.length);
    this.last = key;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Both slots through a temporary file, then rename: the old file stays valid until then. */
  private rewrite(slot: Uint8Array): void {
    this.close();
    const both = new Uint8Array(slot.length * 2);
    both.set(slot, 0);
    both.set(slot, slot.length);
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, both);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, "r+");
    this.shards = (slot.length - 20) / PER_SHARD;
  }
}
