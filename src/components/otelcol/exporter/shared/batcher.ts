// The `sending_queue > batch` block: batches taken off the sending queue are merged per signal
// until `min_size` is reached or `flush_timeout` passes since the first one, then sent in pieces
// of at most `max_size` (spec: alloy-components.md §0.6; the Collector's exporterhelper
// queue_batch). Without the block every batch is passed on as it is.

import type { Batch, Signal } from "../../../../otlp/batch.ts";
import { type BlockSpec, attr, t } from "../../../../runtime/schema.ts";

/** Decoded `batch` block; flush_timeout in milliseconds. */
export interface BatchArgs {
  flush_timeout: number;
  min_size: number;
  max_size: number;
  sizer: string;
}

/** Checks a `batch` block; messages as Alloy's BatchConfig.Validate words them. */
export function validateBatch(a: BatchArgs): string[] {
  const problems: string[] = [];
  if (a.sizer !== "items" && a.sizer !== "bytes") problems.push("`batch` supports only `items` or `bytes` sizer");
  if (a.flush_timeout <= 0) problems.push("`flush_timeout` must be positive");
  if (a.min_size < 0) problems.push("`min_size` must be non-negative");
  if (a.max_size < 0) problems.push("`max_size` must be non-negative");
  if (a.max_size > 0 && a.max_size < a.min_size) problems.push("`max_size` must be greater or equal to `min_size`");
  return problems;
}

/** `batch { … }` inside `sending_queue`: off unless present. */
export const batchBlock: BlockSpec = {
  schema: {
    attrs: {
      flush_timeout: attr(t.duration, 200),
      min_size: attr(t.int, 2000),
      max_size: attr(t.int, 3000),
      sizer: attr(t.string, "items"),
    },
    validate: validateBatch,
  },
};

/** A batch ready to send; `done` reports the outcome to every caller whose data is in it. */
export interface Job {
  batch: Batch<Signal>;
  done(err?: unknown): void;
}

type Settle = (err?: unknown) => void;

/** Callers waiting for one flush, which may go out in several pieces. */
class Group {
  private left = 0;
  private error: unknown;
  constructor(private readonly settles: Settle[]) {}

  piece(): Settle {
    this.left++;
    return (err) => {
      this.error ??= err;
      if (--this.left === 0) for (const s of this.settles) s(this.error);
    };
  }
}

interface Pending {
  batch: Batch<Signal>;
  settles: Settle[];
  timer: ReturnType<typeof setTimeout>;
}

/** Merges and splits batches between the queue and its senders. */
export class Batcher {
  private readonly pending = new Map<Signal, Pending>();
  private readonly ready: Job[] = [];

  /** `onReady` is called when a flush timer made a job ready (to wake a sender). */
  constructor(
    private args: BatchArgs | undefined,
    private readonly onReady: () => void,
  ) {}

  /** New batch settings; a removed block flushes what was pending. */
  update(args: BatchArgs | undefined): void {
    this.args = args;
    if (!args) this.flushAll();
  }

  /** Takes ownership of a batch taken off the queue. */
  add(batch: Batch<Signal>, settle?: Settle): void {
    const args = this.args;
    if (!args) return void this.ready.push({ batch, done: settle ?? noop });
    let p = this.pending.get(batch.signal);
    if (!p) {
      p = { batch, settles: [], timer: setTimeout(() => this.onTimeout(batch.signal), args.flush_timeout) };
      this.pending.set(batch.signal, p);
    } else {
      p.batch.append(batch as Batch<typeof p.batch.signal>);
    }
    if (settle) p.settles.push(settle);
    if (this.measure(p.batch) >= args.min_size) this.flush(batch.signal);
  }

  /** The next job to send, if any. */
  take(): Job | undefined {
    return this.ready.shift();
  }

  /** Makes everything pending ready now (shutdown, or batching switched off). */
  flushAll(): void {
    for (const signal of [...this.pending.keys()]) this.flush(signal);
  }

  /** Removes everything not yet sent; for the shutdown drop count. */
  drain(): Job[] {
    this.flushAll();
    return this.ready.splice(0);
  }

  private onTimeout(signal: Signal): void {
    if (!this.pending.has(signal)) return;
    this.flush(signal);
    this.onReady();
  }

  private flush(signal: Signal): void {
    const p = this.pending.get(signal)!;
    this.pending.delete(signal);
    clearTimeout(p.timer);
    const group = new Group(p.settles);
    for (const piece of this.split(p.batch)) this.ready.push({ batch: piece, done: group.piece() });
  }

  /** Pieces of at most max_size (0 = no limit); by bytes this is an estimate from the items. */
  private split(batch: Batch<Signal>): Batch<Signal>[] {
    const max = this.args?.max_size ?? 0;
    const out: Batch<Signal>[] = [];
    while (max > 0 && this.measure(batch) > max) {
      const items = batch.itemCount();
      const take = this.args!.sizer === "bytes" ? Math.max(1, Math.floor((items * max) / batch.byteSize())) : max;
      if (take >= items) break;
      out.push(batch.splitFirst(take));
    }
    out.push(batch);
    return out;
  }

  private measure(batch: Batch<Signal>): number {
    return this.args?.sizer === "bytes" ? batch.byteSize() : batch.itemCount();
  }
}

function noop(): void {}
