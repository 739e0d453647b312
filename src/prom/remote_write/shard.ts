// One shard of an endpoint's queue: a bounded FIFO of entries (queue_config.capacity) and a
// loop that sends a batch when max_samples_per_send entries are waiting or the oldest waited
// batch_send_deadline (alloy-components.md §16). Batches of a shard go out one after the
// other, so a series — always in the same shard — is sent in WAL order (prometheus.md §4.6).

import type { QueueEntry } from "./batch.ts";
import type { SendResult } from "./sender.ts";

export interface ShardLimits {
  capacity: number;
  maxSamplesPerSend: number;
  batchSendDeadlineMs: number;
}

export class Shard {
  private buf: QueueEntry[] = [];
  private head = 0;
  /** The batch being sent; kept after an abandoned send (it is still pending). */
  private inflight: readonly QueueEntry[] | undefined;
  private firstAt = 0;
  private wake: (() => void) | undefined;
  private spaceWaiters: Array<() => void> = [];
  /** Send what is queued without waiting for the deadline. */
  private flushing = false;
  /** No more entries will come: drain, then stop. */
  private closed = false;
  private abandoned = false;

  constructor(
    readonly index: number,
    private readonly limits: ShardLimits,
    private readonly send: (batch: readonly QueueEntry[]) => Promise<SendResult>,
    /** Called before a batch is sent (it is in flight from then on) and after it is done. */
    private readonly onProgress: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries waiting (not counting the batch in flight). */
  get length(): number {
    return this.buf.length - this.head;
  }

  /** True when nothing is queued or in flight. */
  get idle(): boolean {
    return this.length === 0 && this.inflight === undefined;
  }

  /** Queues `e`; false when the shard is full. */
  push(e: QueueEntry): boolean {
    if (this.length >= this.limits.capacity) return false;
    if (this.length === 0) this.firstAt = this.now();
    this.buf.push(e);
    const n = this.length;
    if (n === 1 || n >= this.limits.maxSamplesPerSend) this.wake?.();
    return true;
  }

  /** Resolves when an entry may fit again (or `signal` aborts). */
  waitForSpace(signal: AbortSignal): Promise<void> {
    if (this.length < this.limits.capacity || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.spaceWaiters.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** The oldest entry not yet done: first of the batch in flight, else head of the queue. */
  oldestPending(): QueueEntry | undefined {
    return this.inflight?.[0] ?? this.buf[this.head];
  }

  /** The last entry of the batch in flight. */
  inflightLast(): QueueEntry | undefined {
    return this.inflight?.[this.inflight.length - 1];
  }

  /** Sends everything queued now, without waiting for batch_send_deadline. */
  flush(): void {
    this.flushing = true;
    this.wake?.();
  }

  /** Stops after sending what is queued (flush + close). */
  close(): void {
    this.closed = true;
    this.flush();
  }

  /** Runs until closed and drained, or until a send is abandoned (shutdown). */
  async run(): Promise<void> {
    while (!this.abandoned) {
      const n = this.length;
      if (n === 0 && this.closed) return;
      const waited = n > 0 ? this.now() - this.firstAt : 0;
      if (n === 0 || (n < this.limits.maxSamplesPerSend && !this.flushing && waited < this.limits.batchSendDeadlineMs)) {
        await this.sleep(n === 0 ? undefined : this.limits.batchSendDeadlineMs - waited);
        continue;
      }
      const batch = this.take(Math.min(n, this.limits.maxSamplesPerSend));
      this.inflight = batch;
      this.onProgress();
      if ((await this.send(batch)) === "abandoned") {
        this.abandoned = true;
        return;
      }
      this.inflight = undefined;
      this.onProgress();
    }
  }

  /** The next `n` entries, but never replayed entries together with new ones (progress.ts). */
  private take(n: number): QueueEntry[] {
    const replay = this.buf[this.head]?.replay === true;
    for (let i = 0; i < n; i++) {
      if ((this.buf[this.head + i]!.replay === true) !== replay) {
        n = i;
        break;
      }
    }
    const batch = this.buf.slice(this.head, this.head + n);
    this.head += n;
    if (this.head === this.buf.length) {
      this.buf = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
    // The rest waited since before this send; restart its deadline now rather than firing at once.
    if (this.length > 0) this.firstAt = this.now();
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
    return batch;
  }

  private sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(finish, Math.max(0, ms));
      function finish() {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        finish();
      };
    });
  }
}
