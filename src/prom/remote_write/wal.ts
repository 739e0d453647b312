// The write-ahead log of prometheus.remote_write: numbered segment files under
// `<storage.path>/<component id>/wal/` (alloy-runtime.md §8), appended to by commits and read
// back by every endpoint's queue (alloy-components.md §16: "each endpoint's queue tails the WAL").
//
// Format (solder's own):
//   segment file  name = 8-digit decimal index ("00000000", "00000001", …)
//                 8-byte header "SOLDWAL" + version byte 0x01, then records back to back
//   record        type u8 | payload length u32 LE | CRC-32C u32 LE of (type byte + payload) | payload
//                 (payloads: records.ts)
// Every segment is self-contained: the writer repeats a series' definition (and metadata) in
// each segment before its first sample there, so whole segments can be deleted without a
// checkpoint, and a reader can start at any segment.
//
// Guarantees:
// - A commit is one write() of whole records before commit() resolves: after that it survives a
//   crash of the process (SIGKILL), since the data is in the kernel's page cache.
// - fsync (fdatasync) runs when a segment is closed and at most every FSYNC_INTERVAL_MS while
//   writes happen, so a power loss or kernel crash loses at most about that much. The periodic
//   one runs on the thread pool (syncInBackground): a synchronous fdatasync stalls the event
//   loop, and with it every request in flight, for milliseconds to seconds on a busy disk.
// - A failed write (disk full, I/O error) is rolled back with ftruncate, so the segment never
//   holds a partial record in the middle; the error goes to the caller.
// - A process restart never appends to an old segment: it starts a new one, so a record torn
//   by a crash can only be the last one of its segment. Readers tolerate such a torn tail
//   silently; any other damage (bad header, CRC mismatch, unknown type) is corruption: it is
//   reported and the rest of that segment is skipped.
//
// Size bound (store.ts truncate, every wal.truncate_frequency): the current segment is cut, then
// segments every endpoint has sent are deleted once older than min_keepalive_time, and any
// segment older than max_keepalive_time is deleted, sent or not. So the WAL holds at most about
// max_keepalive_time + truncate_frequency of data, plus what a 128 MiB segment adds.

import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { crc32c } from "./bytes.ts";

/** Segment file header. */
export const SEGMENT_MAGIC = Uint8Array.from([0x53, 0x4f, 0x4c, 0x44, 0x57, 0x41, 0x4c, 0x01]); // "SOLDWAL" v1
export const RECORD_HEADER = 9;
/** Segments are cut once they pass this size (Alloy uses 128 MB segments, §16). */
export const DEFAULT_SEGMENT_BYTES = 128 * 1024 * 1024;
export const FSYNC_INTERVAL_MS = 1000;
/** Records larger than this are treated as corrupt lengths rather than allocated. */
const MAX_RECORD = 512 * 1024 * 1024;

/** A place in the WAL: the segment, and a byte offset in it. */
export interface Position {
  segment: number;
  offset: number;
}

/** A record position as one number, ordered like the WAL: segment·2^32 + offset. */
export function positionNumber(segment: number, offset: number): number {
  return segment * 0x1_0000_0000 + offset;
}

/** The segment a position number lies in. */
export function segmentOf(pos: number): number {
  return Math.floor(pos / 0x1_0000_0000);
}

/** The file name of segment `n`. */
export function segmentName(n: number): string {
  return String(n).padStart(8, "0");
}

/** Indexes of the segment files in `dir`, ascending; [] when the directory does not exist. */
export function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names
    .filter((n) => /^\d{8}$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/** Frames one payload as a record into `out` at `at` (header space must already be reserved). */
export function frameRecord(out: Uint8Array, at: number, type: number, payloadLength: number): void {
  out[at] = type;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(at + 1, payloadLength, true);
  let crc = crc32c(out, at, at + 1);
  crc = crc32c(out, at + RECORD_HEADER, at + RECORD_HEADER + payloadLength, crc);
  view.setUint32(at + 5, crc, true);
}

/** Appends to the newest segment; one instance per WAL directory. */
export class WalWriter {
  private fd: number | undefined;
  private seg = -1;
  private size = 0;
  private dirty = false;
  private lastSync = 0;
  /** The descriptor a background fdatasync works on, and one to close once it is done. */
  private syncingFd: number | undefined;
  private closeAfterSync: number | undefined;

  constructor(
    readonly dir: string,
    private readonly segmentBytes = DEFAULT_SEGMENT_BYTES,
  ) {}

  /** Creates the directory if needed and starts a new segment after the existing ones. */
  open(): void {
    mkdirSync(this.dir, { recursive: true });
    const existing = listSegments(this.dir);
    this.startSegment(existing.length > 0 ? existing[existing.length - 1]! + 1 : 0);
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** The segment the next append goes to. */
  get segment(): number {
    return this.seg;
  }

  /** Where the next record will start: everything before is complete. */
  end(): Position {
    return { segment: this.seg, offset: this.size };
  }

  /** True when the current segment has records (a cut would not leave an empty file behind). */
  hasRecords(): boolean {
    return this.size > SEGMENT_MAGIC.length;
  }

  /** Cuts to a new segment when the current one is full; call before encoding a commit. */
  cutIfFull(): void {
    if (this.size >= this.segmentBytes) this.cut();
  }

  /** Closes the current segment (fsynced) and starts the next one. */
  cut(): void {
    const next = this.seg + 1;
    this.closeSegment();
    this.startSegment(next);
  }

  /** Writes whole framed records; on failure the segment is rolled back and the error thrown. */
  append(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error("the WAL is not open");
    const before = this.size;
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, before + done);
    } catch (err) {
      this.rollback(before);
      throw err;
    }
    this.size += bytes.length;
    this.dirty = true;
  }

  /** Flushes to stable storage when writes happened and the interval passed (or `force`). */
  sync(force = false, now = Date.now()): void {
    if (this.fd === undefined || !this.dirty) return;
    if (!force && now - this.lastSync < FSYNC_INTERVAL_MS) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
    this.lastSync = now;
  }

  /**
   * sync() off the event loop: fdatasync on the thread pool; appends go on meanwhile (they are
   * flushed by the next one). At most one runs at a time; a segment closed meanwhile keeps its
   * descriptor open until it is done. Rejects with the fdatasync error (the data stays dirty).
   */
  syncInBackground(now = Date.now()): Promise<void> {
    if (this.syncingFd !== undefined) return Promise.resolve();
    if (this.fd === undefined || !this.dirty || now - this.lastSync < FSYNC_INTERVAL_MS) return Promise.resolve();
    const fd = this.fd;
    this.syncingFd = fd;
    this.dirty = false;
    this.lastSync = now;
    return new Promise<void>((resolve, reject) => {
      fdatasync(fd, (err) => {
        this.syncingFd = undefined;
        if (this.closeAfterSync === fd) {
          this.closeAfterSync = undefined;
          try {
            closeSync(fd);
          } catch {
            // Already synced and unused: nothing is lost.
          }
        } else if (err && this.fd === fd) this.dirty = true;
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Syncs and closes; the writer can be opened again (a new segment). */
  close(): void {
    this.closeSegment();
  }

  /** Deletes segments `< before`, never the current one; returns the deleted indexes. */
  removeBefore(before: number): number[] {
    const removed: number[] = [];
    for (const n of listSegments(this.dir)) {
      if (n >= before || n >= this.seg) break;
      rmSync(join(this.dir, segmentName(n)), { force: true });
      removed.push(n);
    }
    return removed;
  }

  private startSegment(n: number): void {
    const fd = openSync(join(this.dir, segmentName(n)), "w");
    try {
      writeSync(fd, SEGMENT_MAGIC, 0, SEGMENT_MAGIC.length, 0);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.fd = fd;
    this.seg = n;
    this.size = SEGMENT_MAGIC.length;
    this.dirty = true;
  }

  private closeSegment(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (this.dirty) fdatasyncSync(fd);
    } finally {
      this.dirty = false;
      // A background fdatasync still uses the descriptor: it closes it when done.
      if (this.syncingFd === fd) this.closeAfterSync = fd;
      else closeSync(fd);
    }
  }

  /** Undoes a partial write; if even that fails the segment is abandoned for a fresh one. */
  private rollback(size: number): void {
    try {
      ftruncateSync(this.fd!, size);
    } catch {
      const next = this.seg + 1;
      try {
        closeSync(this.fd!);
      } catch {
        // already broken
      }
      this.fd = undefined;
      try {
        this.startSegment(next);
      } catch {
        // The next append reports the problem again.
      }
    }
  }
}

/** One record as read back. */
export interface ReadRecord {
  segment: number;
  /** positionNumber(segment, offset of the record header). */
  pos: number;
  type: number;
  payload: Uint8Array;
}

/** Something wrong in a segment, other than a torn last record. */
export interface Corruption {
  segment: number;
  offset: number;
  reason: string;
}

const CHUNK = 1 << 20;

/** Reads records in order across segments, tailing the live one up to the writer's end. */
export class WalReader {
  private fd: number | undefined;
  private seg: number;
  private offset = 0;
  private buf = new Uint8Array(CHUNK);
  private bufStart = 0;
  private bufEnd = 0;

  constructor(
    readonly dir: string,
    startSegment: number,
    private readonly onCorruption: (c: Corruption) => void = () => {},
  ) {
    this.seg = startSegment;
  }

  /** The segment being read. */
  get segment(): number {
    return this.seg;
  }

  /** Where the next record would be read. */
  position(): Position {
    return { segment: this.seg, offset: this.offset };
  }

  /**
   * Complete records after the last one returned, up to about `maxBytes` of payload. `limit` is
   * the writer's end (undefined when nothing writes: every segment is complete). Returns []
   * when caught up.
   */
  read(limit: Position | undefined, maxBytes = CHUNK): ReadRecord[] {
    const out: ReadRecord[] = [];
    let bytes = 0;
    while (bytes < maxBytes) {
      if (this.fd === undefined && !this.openCurrent(limit)) break;
      const live = limit !== undefined && this.seg >= limit.segment;
      const avail = live ? limit.offset : fstatSync(this.fd!).size;
      if (this.offset >= avail) {
        if (live) break;
        this.advance();
        continue;
      }
      const rec = this.readRecord(avail, !live);
      if (rec === "end") {
        if (live) break;
        this.advance();
        continue;
      }
      out.push(rec);
      bytes += rec.payload.length;
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Opens segment `seg`, or the next existing one after it; false when there is none yet. */
  private openCurrent(limit: Position | undefined): boolean {
    for (;;) {
      try {
        this.fd = openSync(join(this.dir, segmentName(this.seg)), "r");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        const later = listSegments(this.dir).find((n) => n > this.seg);
        if (later === undefined || (limit !== undefined && this.seg >= limit.segment)) return false;
        this.seg = later;
        continue;
      }
      this.bufStart = this.bufEnd = 0;
      if (!this.checkHeader()) {
        this.onCorruption({ segment: this.seg, offset: 0, reason: "not a solder WAL segment (bad header)" });
        this.advance();
        continue;
      }
      this.offset = SEGMENT_MAGIC.length;
      return true;
    }
  }

  private checkHeader(): boolean {
    const head = this.fill(0, SEGMENT_MAGIC.length, SEGMENT_MAGIC.length);
    return head !== undefined && SEGMENT_MAGIC.every((b, i) => head[i] === b);
  }

  private advance(): void {
    this.close();
    this.seg++;
    this.offset = 0;
  }

  /** The next record, or "end" at the end of the readable data (a torn tail counts as the end). */
  private readRecord(avail: number, complete: boolean): ReadRecord | "end" {
    const at = this.offset;
    const head = this.fill(at, RECORD_HEADER, avail);
    if (!head) return this.tornOrCorrupt(at, avail, complete, "truncated record header");
    const view = new DataView(head.buffer, head.byteOffset, RECORD_HEADER);
    const type = view.getUint8(0);
    const length = view.getUint32(1, true);
    const crc = view.getUint32(5, true);
    if (type === 0 && length === 0 && crc === 0) return this.tornOrCorrupt(at, avail, complete, "zeroed record");
    if (length > MAX_RECORD) return this.corrupt(at, `implausible record length ${length}`);
    const whole = this.fill(at, RECORD_HEADER + length, avail);
    if (!whole) return this.tornOrCorrupt(at, avail, complete, "truncated record");
    let sum = crc32c(whole, 0, 1);
    sum = crc32c(whole, RECORD_HEADER, RECORD_HEADER + length, sum);
    if (sum !== crc) return this.corrupt(at, "CRC mismatch");
    this.offset = at + RECORD_HEADER + length;
    // Copy: the buffer is reused by the next read.
    return { segment: this.seg, pos: positionNumber(this.seg, at), type, payload: whole.slice(RECORD_HEADER) };
  }

  /** A short read at the end of a complete segment is a torn tail (tolerated); elsewhere, corruption. */
  private tornOrCorrupt(at: number, avail: number, complete: boolean, reason: string): "end" {
    if (!complete) return "end";
    if (reason === "zeroed record" && !this.allZero(at, avail)) return this.corrupt(at, reason);
    this.offset = avail;
    return "end";
  }

  private corrupt(at: number, reason: string): "end" {
    this.onCorruption({ segment: this.seg, offset: at, reason });
    this.offset = Number.MAX_SAFE_INTEGER;
    return "end";
  }

  private allZero(from: number, to: number): boolean {
    for (let at = from; at < to; at += CHUNK) {
      const part = this.fill(at, Math.min(CHUNK, to - at), to);
      if (!part || part.some((b) => b !== 0)) return false;
    }
    return true;
  }

  /** Bytes [at, at+n) of the current segment, or undefined when they are not all below `avail`. */
  private fill(at: number, n: number, avail: number): Uint8Array | undefined {
    if (at + n > avail) return undefined;
    if (at >= this.bufStart && at + n <= this.bufEnd) return this.buf.subarray(at - this.bufStart, at - this.bufStart + n);
    if (this.buf.length < n) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
    const want = Math.min(this.buf.length, avail - at);
    let got = 0;
    while (got < want) {
      const r = readSync(this.fd!, this.buf, got, want - got, at + got);
      if (r === 0) break;
      got += r;
    }
    this.bufStart = at;
    this.bufEnd = at + got;
    return got >= n ? this.buf.subarray(0, n) : undefined;
  }
}

/** Milliseconds since segment `n` was last written, or undefined when it is gone. */
export function segmentAgeMs(dir: string, n: number, now = Date.now()): number | undefined {
  try {
    return now - statSync(join(dir, segmentName(n))).mtimeMs;
  } catch {
    return undefined;
  }
}
