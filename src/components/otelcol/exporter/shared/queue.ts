// The `sending_queue` block and the bounded queue behind it (spec: alloy-components.md §0.6; the
// Collector's exporterhelper queue sender). Callers get control back as soon as a batch is queued;
// `num_consumers` background senders take batches off the queue and send them, retries included.
// On shutdown the senders drain what they can before a deadline; whatever is left is dropped and
// counted in one log line — or, with `storage` set, stays on disk for the next start.
//
// Persistent queue (`storage = otelcol.storage.file.<label>.handler`): enqueue writes the request
// to the exporter's queue log (../../storage/queue_log.ts) before it returns, so the caller's
// success means "on disk"; the request is also kept in memory for the senders (that part is
// bounded by queue_size exactly like the plain queue). A request is acknowledged in the log once
// it was sent, refused for good, or given up after its retries ran out while running; a request
// that fails while shutting down stays in the log. At start the log's live requests are queued
// again, oldest first, before anything new.

import { Batch, type Signal } from "../../../../otlp/batch.ts";
import { PipelineError } from "../../../../otlp/errors.ts";
import type { Logger } from "../../../../runtime/logger.ts";
import { type BlockSpec, attr, t } from "../../../../runtime/schema.ts";
import { type BatchArgs, Batcher, type Job, batchBlock } from "./batcher.ts";
import { StorageHandler, checkStorage } from "../../storage/handler.ts";
import type { QueueLog } from "../../storage/queue_log.ts";

export type Sizer = "requests" | "items" | "bytes";

/** Decoded `sending_queue` block. */
export interface QueueArgs {
  enabled: boolean;
  num_consumers: number;
  queue_size: number;
  sizer: Sizer;
  block_on_overflow: boolean;
  /** Deprecated alias of block_on_overflow. */
  blocking?: boolean;
  wait_for_result: boolean;
  storage?: unknown;
  /** The `batch` sub-block; batching is off when absent. */
  batch?: BatchArgs;
}

const SIZERS = ["requests", "items", "bytes"];

/** Checks a `sending_queue` block (Alloy's QueueArguments.Validate, plus what solder lacks). */
export function validateQueue(a: QueueArgs): string[] {
  const problems: string[] = [];
  const badStorage = checkStorage(a.storage);
  if (badStorage) problems.push(badStorage);
  if (!a.enabled) return problems;
  if (a.queue_size <= 0) problems.push("queue_size must be greater than zero");
  if (a.num_consumers <= 0) problems.push("num_consumers must be greater than zero");
  if (!SIZERS.includes(a.sizer)) problems.push(`invalid sizer: ${a.sizer}`);
  // Otherwise the queue could never hold enough data for one batch.
  if (a.batch && a.batch.sizer === a.sizer && a.batch.min_size > a.queue_size) problems.push("`min_size` must be less than or equal to `queue_size`");
  return problems;
}

/** `sending_queue { … }`: present with defaults when absent. */
export const queueBlock: BlockSpec = {
  defaultPresent: true,
  schema: {
    attrs: {
      enabled: attr(t.bool, true),
      num_consumers: attr(t.int, 10),
      queue_size: attr(t.int, 1000),
      sizer: attr(t.string, "requests"),
      block_on_overflow: attr(t.bool, false),
      blocking: attr(t.bool),
      wait_for_result: attr(t.bool, false),
      storage: attr(t.capsule("otelcol.Handler")),
    },
    blocks: { batch: batchBlock },
    validate: validateQueue,
  },
};

/** What the queue calls to send one batch (retries included); it never sees the batch again. */
export type Process = (batch: Batch<Signal>, stop: StopSignals) => Promise<void>;

/** How a sender learns about shutdown. */
export interface StopSignals {
  /** Aborts at the end of the drain: in-flight requests and retry waits stop. */
  signal: AbortSignal;
  /** Time (ms since epoch) by which the drain ends; undefined while running normally. */
  deadline(): number | undefined;
}

export interface QueueOptions {
  args: QueueArgs;
  process: Process;
  logger: Logger;
  /** Called with the queue's size and capacity (in sizer units) whenever they change. */
  onSize?(size: number, capacity: number): void;
  /** Called for every batch dropped because shutdown could not send it in time. */
  onDrop?(batch: Batch<Signal>, err: PipelineError): void;
  /** How long shutdown may spend sending what is still queued. */
  drainTimeoutMs: number;
  /** The component id that owns the queue; names its log under the storage directory (required with storage). */
  owner?: string;
}

interface Item {
  batch: Batch<Signal>;
  size: number;
  settle?: (err?: unknown) => void;
  /** The request's seq in the queue log (persistent queue only). */
  seq?: number;
}

/** A bounded FIFO of batches with background senders. */
export class SendingQueue {
  /** Slots before `head` are taken and cleared. */
  private items: Array<Item | undefined> = [];
  private head = 0;
  private used = 0;
  private args: QueueArgs;
  private closed = false;
  private drainDeadline: number | undefined;
  private readonly hardStop = new AbortController();
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly itemWaiters: Array<() => void> = [];
  private readonly workers = new Set<number>();
  private workersDone: (() => void) | undefined;
  private running = false;
  private readonly batcher: Batcher;
  /** The storage handler the queue was built with; fixed for the queue's life. */
  private readonly storage: StorageHandler | undefined;
  private log: QueueLog | undefined;
  private pendingAcks: number[] = [];

  constructor(private readonly opts: QueueOptions) {
    this.args = opts.args;
    this.storage = opts.args.storage instanceof StorageHandler ? opts.args.storage : undefined;
    this.batcher = new Batcher(opts.args.batch, () => this.itemWaiters.shift()?.());
    this.report();
  }

  /** Capacity in sizer units. */
  get capacity(): number {
    return this.args.queue_size;
  }

  /** Current size in sizer units. */
  get size(): number {
    return this.used;
  }

  /** Number of batches waiting to be sent. */
  get length(): number {
    return this.items.length - this.head;
  }

  /**
   * Queues a batch. Resolves once it is queued (or, with wait_for_result, once it was sent).
   * A full queue rejects at once with a retryable error carrying a 1 s retry delay (receivers
   * answer 503 + Retry-After / UNAVAILABLE + RetryInfo) unless block_on_overflow is set.
   */
  async enqueue(batch: Batch<Signal>): Promise<void> {
    const size = sizeOf(batch, this.args.sizer);
    while (!this.closed && this.used + size > this.capacity) {
      if (size > this.capacity) {
        // Can never fit; waiting or retrying would not help.
        throw PipelineError.permanent(`request of size ${size} (sizer ${this.args.sizer}) is larger than the queue capacity ${this.capacity}`);
      }
      if (!(this.args.block_on_overflow || this.args.blocking)) throw PipelineError.overloaded("sending queue is full");
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.closed) throw PipelineError.retryable("sending queue is shutting down");
    const item: Item = { batch, size };
    if (this.storage) item.seq = this.write(batch);
    const result = this.args.wait_for_result ? new Promise<void>((resolve, reject) => (item.settle = (err) => (err === undefined ? resolve() : reject(err)))) : undefined;
    this.items.push(item);
    this.used += size;
    this.report();
    this.itemWaiters.shift()?.();
    return result;
  }

  /** True when the queue keeps requests on disk. */
  get persistent(): boolean {
    return this.storage !== undefined;
  }

  /** True when a failed send leaves the request in the queue log rather than dropping it. */
  keeps(err: unknown): boolean {
    return this.storage !== undefined && this.closed && !PipelineError.from(err).permanent;
  }

  /**
   * Applies new arguments: capacity and the number of senders change in place. The storage
   * cannot change under a running queue (it would strand or duplicate what is on disk).
   */
  update(args: QueueArgs): void {
    const next = args.storage instanceof StorageHandler ? args.storage : undefined;
    if (next !== this.storage) throw new Error("sending_queue.storage cannot change while the exporter runs; restart solder to apply it");
    this.args = args;
    this.batcher.update(args.batch);
    this.report();
    this.wakeSpaceWaiters();
    // Idle senders re-check their id against num_consumers; new ones start if it grew.
    this.wakeItemWaiters();
    if (this.running && !this.closed) this.spawnWorkers();
  }

  /** Runs the senders until `signal` aborts, then drains within drainTimeoutMs and drops the rest. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.storage) this.openLog(this.storage);
    this.running = true;
    const allDone = new Promise<void>((resolve) => (this.workersDone = resolve));
    this.spawnWorkers();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    this.closed = true;
    this.drainDeadline = Date.now() + this.opts.drainTimeoutMs;
    this.wakeSpaceWaiters();
    this.wakeItemWaiters();
    const timer = setTimeout(() => this.hardStop.abort(new Error("sending queue drain timed out")), this.opts.drainTimeoutMs);
    if (this.workers.size > 0) await allDone;
    clearTimeout(timer);
    this.dropRemaining();
    this.flushAcks();
    this.log?.close();
  }

  /** Opens the queue log and queues what an earlier run left in it, oldest first. */
  private openLog(storage: StorageHandler): void {
    if (!this.opts.owner) throw new Error("a persistent sending queue needs an owner id");
    const log = storage.openQueue(safeName(this.opts.owner), {
      onCorruption: (c) => this.opts.logger.error("damaged record in the persistent queue; skipping the rest of its segment", { segment: c.segment, offset: c.offset, reason: c.reason }),
    });
    const stored = log.openAndRecover();
    let items = 0;
    const bad: number[] = [];
    for (const r of stored) {
      let batch: Batch<Signal>;
      try {
        batch = Batch.decode(r.signal, r.request, r.metadata);
      } catch (err) {
        this.opts.logger.error("dropping an unreadable request from the persistent queue", { err });
        bad.push(r.seq);
        continue;
      }
      items += batch.itemCount();
      const size = sizeOf(batch, this.args.sizer);
      this.items.push({ batch, size, seq: r.seq });
      this.used += size;
    }
    log.ack(bad);
    this.log = log;
    this.report();
    if (stored.length > 0) this.opts.logger.info("recovered requests from the persistent queue", { requests: stored.length - bad.length, items, directory: log.dir });
  }

  /** Writes a request to the queue log; a failure is the caller's retryable error. */
  private write(batch: Batch<Signal>): number {
    if (!this.log?.isOpen) throw PipelineError.retryable("the persistent sending queue is not open");
    try {
      return this.log.put(batch.signal, batch.toBinary(), batch.metadata);
    } catch (err) {
      this.opts.logger.error("could not write to the persistent sending queue", { err });
      throw PipelineError.retryable(`could not write to the persistent sending queue: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** What a sender calls when an item's data was sent or given up; acknowledges it in the log. */
  private completion(item: Item): ((err?: unknown) => void) | undefined {
    if (item.seq === undefined) return item.settle;
    const seq = item.seq;
    return (err) => {
      if (err === undefined || !this.keeps(err)) this.ack(seq);
      item.settle?.(err);
    };
  }

  /** Acknowledgements are written together, once per turn of the event loop. */
  private ack(seq: number): void {
    if (this.pendingAcks.push(seq) === 1) queueMicrotask(() => this.flushAcks());
  }

  private flushAcks(): void {
    if (this.pendingAcks.length === 0) return;
    const seqs = this.pendingAcks;
    this.pendingAcks = [];
    try {
      this.log?.ack(seqs);
    } catch (err) {
      // The requests stay live in the log: sent again after a restart (at-least-once).
      this.opts.logger.error("could not record sent requests in the persistent sending queue", { err, requests: seqs.length });
    }
  }

  private spawnWorkers(): void {
    for (let id = 0; id < this.args.num_consumers; id++) {
      if (this.workers.has(id)) continue;
      this.workers.add(id);
      void this.work(id);
    }
  }

  private async work(id: number): Promise<void> {
    const stop: StopSignals = { signal: this.hardStop.signal, deadline: () => this.drainDeadline };
    try {
      // A sender whose id is beyond num_consumers (after an update lowered it) exits.
      while (id < this.args.num_consumers && !this.hardStop.signal.aborted) {
        const job = this.nextJob();
        if (!job) {
          if (this.closed) break;
          await new Promise<void>((resolve) => this.itemWaiters.push(resolve));
          continue;
        }
        let failure: unknown;
        try {
          await this.opts.process(job.batch, stop);
        } catch (err) {
          failure = err ?? new Error("send failed");
        }
        job.done(failure);
      }
    } finally {
      this.workers.delete(id);
      // This sender may have been woken for an item it now leaves behind.
      if (this.length > 0) this.itemWaiters.shift()?.();
      if (this.workers.size === 0 && this.closed) this.workersDone?.();
    }
  }

  /** A job ready to send: from the batcher, after feeding it what the queue holds. */
  private nextJob(): Job | undefined {
    for (;;) {
      const job = this.batcher.take();
      if (job) return job;
      const item = this.take();
      if (!item) break;
      this.batcher.add(item.batch, this.completion(item));
    }
    // At shutdown nothing waits for min_size or flush_timeout any more.
    if (this.closed) this.batcher.flushAll();
    return this.batcher.take();
  }

  private take(): Item | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    // Let go of the slot at once: a taken item's batch (and the request bodies its lite view
    // points into) must be collectable as soon as it is sent, not when the array is compacted.
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.used -= item.size;
    this.report();
    this.wakeSpaceWaiters();
    return item;
  }

  private dropRemaining(): void {
    const left: Job[] = this.batcher.drain();
    for (const i of this.items.slice(this.head)) if (i) left.push({ batch: i.batch, done: this.completion(i) ?? (() => {}) });
    this.items = [];
    this.head = 0;
    this.used = 0;
    this.report();
    if (left.length === 0) return;
    const items = left.reduce((n, j) => n + j.batch.itemCount(), 0);
    if (this.storage) {
      this.opts.logger.info("requests not sent by the end of the drain stay in the persistent queue for the next start", { requests: left.length, items });
      const err = PipelineError.retryable("not sent at shutdown: kept in the persistent sending queue");
      for (const j of left) j.done(err);
      return;
    }
    this.opts.logger.error("dropping data still in the sending queue at shutdown", { dropped_requests: left.length, dropped_items: items });
    const err = PipelineError.retryable("dropped at shutdown: the sending queue could not be drained in time");
    for (const j of left) {
      this.opts.onDrop?.(j.batch, err);
      j.done(err);
    }
  }

  private wakeSpaceWaiters(): void {
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  private wakeItemWaiters(): void {
    for (const w of this.itemWaiters.splice(0)) w();
  }

  private report(): void {
    this.opts.onSize?.(this.used, this.capacity);
  }
}

/** The size of a batch in units of `sizer`. */
export function sizeOf(batch: Batch<Signal>, sizer: Sizer): number {
  if (sizer === "items") return batch.itemCount();
  if (sizer === "bytes") return batch.byteSize();
  return 1;
}

/** A component id as a directory name: anything but letters, digits, `.`, `_`, `-` becomes `_`. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, "_");
}
