// One endpoint's queue: tails the WAL (wal.ts WalReader) from where the endpoint's progress file
// says it stopped, hands every sample, exemplar and histogram to the shard of its series, and
// records per shard how far sending got (progress.ts), so that the WAL can be truncated and a
// restart resumes there. Shards scale between min_shards and max_shards with the ratio of
// incoming samples to sending time, resharding only after draining so per-series order holds
// (alloy-components.md §16 queue_config; Prometheus's QueueManager, simplified).

import type { Labels, Metadata } from "../appender.ts";
import type { Logger } from "../../runtime/logger.ts";
import { EXEMPLAR, HISTOGRAM, type QueueEntry, SAMPLE, type SeriesInfo, seriesInfo } from "./batch.ts";
import type { MetadataEntry } from "./encode.ts";
import type { Kind, QueueMetrics } from "./metrics.ts";
import { type Cursor, ProgressFile, type ShardProgress, before, earliest, progressPath, readProgress } from "./progress.ts";
import { EXEMPLARS, HISTOGRAMS, METADATA, SAMPLES, SERIES, type WalRecord, decodeRecord } from "./records.ts";
import { type ProtocolState, type SendResult, Sender, type SenderConfig, sleep } from "./sender.ts";
import { Shard, type ShardLimits } from "./shard.ts";
import { type Corruption, type Position, WalReader, listSegments, positionNumber, segmentOf } from "./wal.ts";

export interface QueueSettings extends ShardLimits {
  minShards: number;
  maxShards: number;
}

export interface EndpointSettings {
  name: string;
  url: string;
  sender: SenderConfig;
  queue: QueueSettings;
  protocol: ProtocolState["current"];
  sendExemplars: boolean;
  sendNativeHistograms: boolean;
  metadata: { send: boolean; sendIntervalMs: number; maxSamplesPerSend: number };
}

export interface QueueDeps {
  walDir: string;
  /** The writer's end; undefined while the WAL is not open. */
  walEnd(): Position | undefined;
  externalLabels(): Labels;
  logger: Logger;
  metrics: QueueMetrics;
  onCorruption(c: Corruption): void;
  /** How long shutdown may keep sending what is queued. */
  drainMs: number;
}

const READ_BYTES = 1 << 20;
const RESHARD_INTERVAL_MS = 10_000;
const PROGRESS_INTERVAL_MS = 1_000;

export class EndpointQueue {
  private shards: Shard[] = [];
  private shardRuns: Promise<void>[] = [];
  private skip: Cursor[] | undefined;
  /** Per shard, the last entry of the batch in flight when the previous process stopped. */
  private replayEnd: Array<Cursor | undefined> | undefined;
  private cursor: Cursor = { pos: 0, idx: 0 };
  private readonly progressFile: ProgressFile;
  private readonly metadata = new Map<string, Metadata>();
  private readonly sender: Sender;
  private dataWaiter: (() => void) | undefined;
  private paused: Promise<void> | undefined;
  /** Aborts sends: at the end of the shutdown drain. */
  private readonly hardStop = new AbortController();
  private stats = { dispatched: 0, sent: 0, sendSeconds: 0, retries: false };
  private reader: WalReader | undefined;
  /** True while the pump holds records it read but has not handed to shards yet. */
  private dispatching = false;
  private progressError: string | undefined;
  /** Entries placed in shards whose pending gauges are not updated yet (see flushPending). */
  private pendingIn: Record<Kind, number> = { samples: 0, exemplars: 0, histograms: 0 };

  constructor(
    readonly settings: EndpointSettings,
    private readonly deps: QueueDeps,
  ) {
    this.progressFile = new ProgressFile(progressPath(deps.walDir, settings.name));
    const protocol: ProtocolState = { current: settings.protocol };
    this.sender = new Sender(settings.sender, protocol, (name) => this.metadataOf(name), deps.logger, deps.metrics);
  }

  /** New WAL data was written. */
  notify(): void {
    this.dataWaiter?.();
  }

  /** Progress per current shard: the first WAL item each has not finished, and its batch in flight. */
  progress(): ShardProgress[] {
    return this.shards.map((s, i) => {
      const e = s.oldestPending();
      const last = s.inflightLast();
      const inflightEnd = last ? { pos: last.pos, idx: last.idx } : undefined;
      if (e) return { next: { pos: e.pos, idx: e.idx }, inflightEnd };
      const skip = this.skip?.[i];
      return { next: skip && before(this.cursor, skip) ? skip : this.cursor };
    });
  }

  /**
   * The oldest WAL segment this queue still needs. `closedEnd`, the end of a segment the writer
   * has just closed, counts as done when this queue has read up to it and sent everything.
   */
  neededSegment(closedEnd?: Position): number {
    const at = this.reader?.position();
    const drained = !this.dispatching && this.shards.every((s) => s.idle);
    if (closedEnd && at && drained && at.segment === closedEnd.segment && at.offset >= closedEnd.offset) return closedEnd.segment + 1;
    const min = earliest(this.progress().map((p) => p.next));
    return min ? segmentOf(min.pos) : 0;
  }

  /** Runs until `signal` aborts; then drains for up to drainMs and saves progress. */
  async run(signal: AbortSignal): Promise<void> {
    const start = this.restore();
    this.startShards(start.shards);
    const timers = [setInterval(() => this.saveProgress(), PROGRESS_INTERVAL_MS), setInterval(() => void this.autoscale(signal), RESHARD_INTERVAL_MS)];
    // The drain deadline starts at shutdown, whatever the pump is waiting for.
    let drain: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => (drain = setTimeout(() => this.hardStop.abort(), this.deps.drainMs));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    const metadataLoop = this.sendMetadataLoop(signal);
    try {
      await this.pump(start.segment, signal);
    } catch (err) {
      this.deps.logger.error("the WAL reader stopped", { err: (err as Error).message, remote_name: this.settings.name });
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    } finally {
      for (const t of timers) clearInterval(t);
    }
    for (const s of this.shards) s.close();
    await Promise.all(this.shardRuns);
    clearTimeout(drain);
    this.hardStop.abort();
    await metadataLoop;
    this.saveProgress();
    this.progressFile.close();
  }

  /** Reads the progress file: the shard count to start with, where to skip to, and the first segment. */
  private restore(): { shards: number; segment: number } {
    const { minShards, maxShards } = this.settings.queue;
    const saved = readProgress(this.progressFile.path);
    const segments = listSegments(this.deps.walDir);
    const oldest = segments[0] ?? 0;
    if (!saved) return { shards: minShards, segment: oldest };
    const n = saved.length;
    const min = earliest(saved.map((s) => s.next))!;
    this.cursor = min;
    // Exact skipping needs the same series → shard mapping, so start with the saved count.
    if (n >= minShards && n <= maxShards) {
      this.skip = saved.map((s) => s.next);
      this.replayEnd = saved.map((s) => s.inflightEnd);
    }
    return { shards: this.skip ? n : minShards, segment: Math.max(oldest, segmentOf(min.pos)) };
  }

  private startShards(n: number): void {
    const limits: ShardLimits = { capacity: this.settings.queue.capacity, maxSamplesPerSend: this.settings.queue.maxSamplesPerSend, batchSendDeadlineMs: this.settings.queue.batchSendDeadlineMs };
    this.shards = Array.from({ length: n }, (_, i) => new Shard(i, limits, (batch) => this.sendBatch(batch), () => this.saveProgress()));
    this.shardRuns = this.shards.map((s) => s.run());
    const m = this.deps.metrics;
    m.set("shards", n);
    m.set("shards_min", this.settings.queue.minShards);
    m.set("shards_max", this.settings.queue.maxShards);
    m.set("shard_capacity", limits.capacity);
    m.set("max_samples_per_send", limits.maxSamplesPerSend);
  }

  private async sendBatch(batch: readonly QueueEntry[]): Promise<SendResult> {
    const report = await this.sender.send(batch, this.hardStop.signal);
    // Only the attempt that ended it counts as sending time: backoff waits would inflate the shard estimate.
    this.stats.sendSeconds += report.attemptSeconds;
    if (report.result === "done") this.stats.sent += batch.length;
    if (report.retried) this.stats.retries = true;
    this.deps.metrics.pending(pendingDelta(batch, -1));
    return report.result;
  }

  private saveProgress(): void {
    if (this.shards.length === 0) return;
    try {
      this.progressFile.write(this.progress());
      this.progressError = undefined;
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.progressError) this.deps.logger.warn("cannot save the remote-write progress; a restart may send some samples again", { err: message, path: this.progressFile.path });
      this.progressError = message;
    }
  }

  // ---- reading the WAL -------------------------------------------------------------------------

  private async pump(startSegment: number, signal: AbortSignal): Promise<void> {
    const reader = new WalReader(this.deps.walDir, startSegment, (c) => this.deps.onCorruption(c));
    this.reader = reader;
    let segment = -1;
    let series = new Map<number, SeriesInfo>();
    try {
      while (!signal.aborted) {
        const records = reader.read(this.deps.walEnd(), READ_BYTES);
        this.dispatching = records.length > 0;
        if (records.length === 0) {
          this.idleAdvance(reader.segment);
          await this.waitForData(signal);
          continue;
        }
        for (const rec of records) {
          if (rec.segment !== segment) {
            if (segment !== -1 && rec.segment > segment + 1) this.deps.logger.warn("WAL segments were removed before this endpoint sent them (max_keepalive_time)", { remote_name: this.settings.name, from: segment + 1, to: rec.segment - 1 });
            segment = rec.segment;
            series = new Map();
          }
          let decoded: WalRecord;
          try {
            decoded = decodeRecord(rec.type, rec.payload);
          } catch (err) {
            this.deps.onCorruption({ segment: rec.segment, offset: rec.pos - positionNumber(rec.segment, 0), reason: `undecodable record: ${(err as Error).message}` });
            continue;
          }
          if (!(await this.dispatch(rec.pos, decoded, series, signal))) return;
          this.cursor = { pos: rec.pos, idx: itemCount(decoded) };
        }
      }
    } finally {
      this.reader = undefined;
      reader.close();
    }
  }

  /** With nothing pending, an idle queue's progress can move to the segment being read. */
  private idleAdvance(segment: number): void {
    const start = { pos: positionNumber(segment, 0), idx: 0 };
    if (before(this.cursor, start)) this.cursor = start;
    if (this.skip && this.skip.every((s) => !before(this.cursor, s))) this.skip = undefined;
    if (this.replayEnd && this.replayEnd.every((r) => !r || before(r, this.cursor))) this.replayEnd = undefined;
  }

  private waitForData(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.dataWaiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, 1000);
      signal.addEventListener("abort", done, { once: true });
      this.dataWaiter = done;
    });
  }

  /** Hands a record's items to their shards; false when stopped part-way. */
  private async dispatch(pos: number, rec: WalRecord, series: Map<number, SeriesInfo>, signal: AbortSignal): Promise<boolean> {
    // Entries are placed synchronously while their shards have room; only a full shard or a
    // reshard makes the pump wait (an await per sample would cost more than the sample).
    try {
      switch (rec.type) {
        case SERIES:
          for (const d of rec.series) series.set(d.ref, seriesInfo(d.labels, this.deps.externalLabels()));
          return true;
        case METADATA:
          for (const m of rec.metadata) this.metadata.set(m.family, m.metadata);
          return true;
        case SAMPLES:
          for (let i = 0; i < rec.samples.length; i++) {
            const s = rec.samples[i]!;
            const info = series.get(s.ref);
            if (!info) continue;
            const placed = this.enqueue({ series: info, kind: SAMPLE, pos, idx: i, ts: s.ts, value: s.value, stale: s.stale }, signal);
            if (placed !== true && !(await this.settle(placed))) return false;
          }
          return true;
        case EXEMPLARS:
          if (!this.settings.sendExemplars) return true;
          for (let i = 0; i < rec.exemplars.length; i++) {
            const x = rec.exemplars[i]!;
            const info = series.get(x.ref);
            if (!info) continue;
            const placed = this.enqueue({ series: info, kind: EXEMPLAR, pos, idx: i, ts: x.exemplar.timestampMs ?? 0, value: x.exemplar.value, stale: false, exemplar: x.exemplar }, signal);
            if (placed !== true && !(await this.settle(placed))) return false;
          }
          return true;
        case HISTOGRAMS:
          if (!this.settings.sendNativeHistograms) return true;
          for (let i = 0; i < rec.histograms.length; i++) {
            const h = rec.histograms[i]!;
            const info = series.get(h.ref);
            if (!info) continue;
            const placed = this.enqueue({ series: info, kind: HISTOGRAM, pos, idx: i, ts: h.ts, value: 0, stale: false, histogram: h.histogram }, signal);
            if (placed !== true && !(await this.settle(placed))) return false;
          }
          return true;
      }
    } finally {
      this.flushPending();
    }
  }

  /** Waits for an entry that could not be placed at once; the pending gauges are brought up to date first. */
  private settle(placed: Promise<boolean>): Promise<boolean> {
    this.flushPending();
    return placed;
  }

  /**
   * Puts one entry in its shard: true when done (placed, or skipped as already sent), else a
   * promise that waits while the queue is paused or the shard is full; it resolves false when stopped.
   */
  private enqueue(e: QueueEntry, signal: AbortSignal): true | Promise<boolean> {
    if (this.paused) return this.afterPause(e, signal);
    const index = e.series.hash % this.shards.length;
    const done = this.skip?.[index];
    if (done && before(e, done)) return true;
    const replayEnd = this.replayEnd?.[index];
    if (replayEnd && !before(replayEnd, e)) e.replay = true;
    this.cursor = { pos: e.pos, idx: e.idx };
    const shard = this.shards[index]!;
    if (!shard.push(e)) return this.waitAndPush(e, shard, signal);
    this.placed(e);
    return true;
  }

  private async afterPause(e: QueueEntry, signal: AbortSignal): Promise<boolean> {
    await this.paused;
    return await this.enqueue(e, signal);
  }

  /** Waits for room in `shard` (the one that refused `e`), or in the shard `e` maps to after a reshard. */
  private async waitAndPush(e: QueueEntry, shard: Shard, signal: AbortSignal): Promise<boolean> {
    do {
      this.deps.metrics.inc("enqueue_retries_total");
      await shard.waitForSpace(signal);
      if (signal.aborted) return false;
      if (this.paused) await this.paused;
      shard = this.shards[e.series.hash % this.shards.length]!;
    } while (!shard.push(e));
    this.placed(e);
    return true;
  }

  /** Counts an entry handed to a shard; the gauges follow in flushPending. */
  private placed(e: QueueEntry): void {
    this.stats.dispatched++;
    if (e.kind === SAMPLE) this.pendingIn.samples++;
    else if (e.kind === EXEMPLAR) this.pendingIn.exemplars++;
    else this.pendingIn.histograms++;
  }

  /** Adds the entries placed since the last call to the pending gauges. */
  private flushPending(): void {
    const d = this.pendingIn;
    if (d.samples === 0 && d.exemplars === 0 && d.histograms === 0) return;
    this.deps.metrics.pending(d);
    this.pendingIn = { samples: 0, exemplars: 0, histograms: 0 };
  }

  // ---- metadata --------------------------------------------------------------------------------

  private metadataOf(name: string): Metadata | undefined {
    return this.metadata.get(name) ?? this.metadata.get(name.replace(/_(bucket|sum|count|total)$/, ""));
  }

  /** Sends all known metadata every send_interval (remote write 1.0; 2.0 carries it per series). */
  private async sendMetadataLoop(signal: AbortSignal): Promise<void> {
    const cfg = this.settings.metadata;
    if (!cfg.send || cfg.sendIntervalMs <= 0) return;
    while (await sleep(cfg.sendIntervalMs, signal)) {
      const all: MetadataEntry[] = [...this.metadata].map(([family, metadata]) => ({ family, metadata }));
      for (let i = 0; i < all.length && !signal.aborted; i += cfg.maxSamplesPerSend) {
        await this.sender.sendMetadata(all.slice(i, i + cfg.maxSamplesPerSend), signal, cfg.sendIntervalMs);
      }
    }
  }

  // ---- resharding ------------------------------------------------------------------------------

  private lastScale = { at: performance.now(), dispatched: 0, sent: 0, sendSeconds: 0 };

  /** Every RESHARD_INTERVAL_MS: desired shards = time per sample × incoming rate, with headroom. */
  private async autoscale(signal: AbortSignal): Promise<void> {
    const now = performance.now();
    const dt = (now - this.lastScale.at) / 1000;
    const s = this.stats;
    const dIn = s.dispatched - this.lastScale.dispatched;
    const dSent = s.sent - this.lastScale.sent;
    const dTime = s.sendSeconds - this.lastScale.sendSeconds;
    const retried = s.retries;
    this.lastScale = { at: now, dispatched: s.dispatched, sent: s.sent, sendSeconds: s.sendSeconds };
    s.retries = false;
    const { minShards, maxShards } = this.settings.queue;
    const current = this.shards.length;
    let desired = current;
    if (dSent > 0 && dt > 0) desired = Math.ceil((dTime / dSent) * (dIn / dt) * 1.3);
    else if (dIn === 0) desired = minShards;
    desired = Math.min(maxShards, Math.max(minShards, desired));
    this.deps.metrics.set("shards_desired", desired);
    // Not while the endpoint fails (more shards would not help), nor while skipping a restart's backlog.
    if (retried || this.skip || this.paused || signal.aborted) return;
    if (Math.abs(desired - current) / current <= 0.3) return;
    await this.reshard(desired, signal);
  }

  /** Drains every shard, then restarts with `n` shards; the pump waits meanwhile. */
  async reshard(n: number, signal: AbortSignal): Promise<void> {
    let resume!: () => void;
    this.paused = new Promise((r) => (resume = r));
    try {
      for (const s of this.shards) s.close();
      await Promise.all(this.shardRuns);
      // A drain cut short by shutdown keeps the old shards: their pending entries define the progress.
      if (signal.aborted || !this.shards.every((s) => s.idle)) return;
      this.deps.logger.info("Remote storage resharding", { remote_name: this.settings.name, from: this.shards.length, to: n });
      this.replayEnd = undefined;
      this.startShards(n);
      this.saveProgress();
    } finally {
      this.paused = undefined;
      resume();
    }
  }
}

function itemCount(rec: WalRecord): number {
  switch (rec.type) {
    case SERIES:
      return rec.series.length;
    case SAMPLES:
      return rec.samples.length;
    case EXEMPLARS:
      return rec.exemplars.length;
    case HISTOGRAMS:
      return rec.histograms.length;
    case METADATA:
      return rec.metadata.length;
  }
}

function pendingDelta(entries: readonly QueueEntry[], sign: 1 | -1): { samples: number; exemplars: number; histograms: number } {
  const d = { samples: 0, exemplars: 0, histograms: 0 };
  for (const e of entries) {
    if (e.kind === SAMPLE) d.samples += sign;
    else if (e.kind === EXEMPLAR) d.exemplars += sign;
    else d.histograms += sign;
  }
  return d;
}
