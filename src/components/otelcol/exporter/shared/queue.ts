// The `sending_queue` block and the bounded in-memory queue behind it (spec:
// alloy-components.md §0.6; the Collector's exporterhelper queue sender). Callers get control
// back as soon as a batch is queued; `num_consumers` background senders take batches off the
// queue and send them, retries included. On shutdown the senders drain what they can before a
// deadline; whatever is left is dropped and counted in one log line.

import type { Batch, Signal } from "../../../../otlp/batch.ts";
import { PipelineError } from "../../../../otlp/errors.ts";
import type { Logger } from "../../../../runtime/logger.ts";
import { type BlockSpec, attr, t } from "../../../../runtime/schema.ts";
import { type BatchArgs, Batcher, type Job, batchBlock } from "./batcher.ts";

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
  if (a.storage !== undefined) problems.push("sending_queue.storage is not supported yet by solder: only the in-memory queue exists");
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
}

interface Item {
  batch: Batch<Signal>;
  size: number;
  settle?: (err?: unknown) => void;
}

/** A bounded FIFO of batches with background senders. */
export class SendingQueue {
  private items: Item[] = [];
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

  constructor(private readonly opts: QueueOptions) {
    this.args = opts.args;
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
   * A full queue rejects at once with a retryable error unless block_on_overflow is set.
   */
  async enqueue(batch: Batch<Signal>): Promise<void> {
    const size = sizeOf(batch, this.args.sizer);
    while (!this.closed && this.used + size > this.capacity) {
      if (size > this.capacity) {
        // Can never fit; waiting or retrying would not help.
        throw PipelineError.permanent(`request of size ${size} (sizer ${this.args.sizer}) is larger than the queue capacity ${this.capacity}`);
      }
      if (!(this.args.block_on_overflow || this.args.blocking)) throw PipelineError.retryable("sending queue is full");
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.closed) throw PipelineError.retryable("sending queue is shutting down");
    const item: Item = { batch, size };
    const result = this.args.wait_for_result ? new Promise<void>((resolve, reject) => (item.settle = (err) => (err === undefined ? resolve() : reject(err)))) : undefined;
    this.items.push(item);
    this.used += size;
    this.report();
    this.itemWaiters.shift()?.();
    return result;
  }

  /** Applies new arguments: capacity and the number of senders change in place. */
  update(args: QueueArgs): void {
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
      this.batcher.add(item.batch, item.settle);
    }
    // At shutdown nothing waits for min_size or flush_timeout any more.
    if (this.closed) this.batcher.flushAll();
    return this.batcher.take();
  }

  private take(): Item | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    // The slot must not keep the batch alive until the next compaction: up to a thousand sent
    // batches (each holding its request buffers) would stay in memory.
    (this.items as Array<Item | undefined>)[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
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
    for (const i of this.items.slice(this.head)) left.push({ batch: i.batch, done: i.settle ?? (() => {}) });
    this.items = [];
    this.head = 0;
    this.used = 0;
    this.report();
    if (left.length === 0) return;
    const items = left.reduce((n, j) => n + j.batch.itemCount(), 0);
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
