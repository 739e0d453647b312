// `otelcol.processor.batch` (spec: alloy-components.md §5): groups telemetry into batches by
// size and time, per signal and per combination of client-metadata values ("shard"). Batches
// stay lite: counting, appending and splitting are wire-level operations of Batch.
//
// Deviation from upstream, which drops a batch on any downstream error: a batch refused with a
// retryable error (an exporter's full sending queue, say) was already acknowledged to its
// senders, so it is kept and offered again, with backoff, to the outputs that refused it, for at
// most HOLD_LIMIT_MS; meanwhile the shard refuses new data with a retryable error, so clients
// retry instead of having data accepted and then lost. Permanent errors still drop the batch.

import { Batch, type Signal } from "../../../otlp/index.ts";
import { type Consumer, consumerCapsule } from "../../../otlp/consumer.ts";
import { PipelineError } from "../../../otlp/errors.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Logger } from "../../../runtime/logger.ts";
import type { Counter, Gauge, Histogram, MetricsRegistry } from "../../../runtime/metrics.ts";
import { attr, t } from "../../../runtime/schema.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { type OutputArgs, consume, outputBlock, unsupported } from "../shared/output.ts";

export interface BatchArgs {
  /** Milliseconds; 0 = no timer. */
  timeout: number;
  send_batch_size: number;
  send_batch_max_size: number;
  metadata_keys: string[];
  metadata_cardinality_limit: number;
  output: OutputArgs;
  debug_metrics: { disable_high_cardinality_metrics: boolean };
}

/** How long a batch refused with a retryable error is offered again before it is dropped. */
export const HOLD_LIMIT_MS = 300_000;
/** Backoff between offers of a refused batch: doubling from the first value up to the second. */
export const HOLD_BACKOFF_MS = [100, 2_000] as const;
/** How long shutdown keeps offering a refused batch. */
export const HOLD_DRAIN_MS = 5_000;

/** The permanent error for a metadata combination past `metadata_cardinality_limit`. */
export const TOO_MANY_BATCHERS = "too many batcher metadata-value combinations";

const SIGNALS: readonly Signal[] = ["traces", "metrics", "logs"];

// Upstream's bucket boundaries (batchprocessor metadata.yaml), so dashboards line up.
const SIZE_BUCKETS = [10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000];
const BYTES_BUCKETS = [...SIZE_BUCKETS, 200000, 300000, 400000, 500000, 600000, 700000, 800000, 900000, 1000000, 2000000, 3000000, 4000000, 5000000, 6000000, 7000000, 8000000, 9000000];

/** Checks the arguments as a whole (messages as upstream's config.go). */
export function validateBatchArgs(a: BatchArgs): string[] {
  const problems: string[] = [];
  if (a.send_batch_max_size > 0 && a.send_batch_max_size < a.send_batch_size) {
    problems.push("send_batch_max_size must be greater or equal to send_batch_size when not 0");
  }
  if (a.timeout < 0) problems.push("timeout must be greater or equal to 0");
  if (a.send_batch_size < 0) problems.push("send_batch_size must be greater or equal to 0");
  if (a.send_batch_max_size < 0) problems.push("send_batch_max_size must be greater or equal to 0");
  if (a.metadata_cardinality_limit < 0) problems.push("metadata_cardinality_limit must be greater or equal to 0");
  const seen = new Set<string>();
  for (const k of a.metadata_keys) {
    const lower = k.toLowerCase();
    if (seen.has(lower)) problems.push(`duplicate entry in metadata_keys: "${lower}" (case-insensitive)`);
    seen.add(lower);
  }
  return problems;
}

/** The component definition. */
export const batchProcessor = defineComponent<BatchArgs>({
  name: "otelcol.processor.batch",
  summary: "Groups telemetry into batches by size and time, per signal and per client-metadata shard.",
  stability: "generally-available",
  args: {
    attrs: {
      timeout: attr(t.duration, 200),
      send_batch_size: attr(t.int, 2000),
      send_batch_max_size: attr(t.int, 3000),
      metadata_keys: attr(t.list(t.string), []),
      metadata_cardinality_limit: attr(t.int, 1000),
    },
    blocks: {
      output: outputBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate: validateBatchArgs,
  },
  exports: ["input"],
  build(opts, args) {
    const batcher = new Batcher(args, opts.logger, batchTelemetry(opts.metrics, `batch/${opts.id}`));
    const input: Consumer = {
      consumeTraces: (b) => batcher.consume(b),
      consumeMetrics: (b) => batcher.consume(b),
      consumeLogs: (b) => batcher.consume(b),
    };
    opts.onStateChange({ input: consumerCapsule(input) });
    return {
      run: (signal) => batcher.run(signal),
      update: (next) => batcher.update(next),
    };
  },
});

interface Telemetry {
  record(trigger: "size" | "timeout", items: number, bytes: number): void;
  cardinality(n: number): void;
}

function batchTelemetry(metrics: MetricsRegistry, processor: string): Telemetry {
  const labels = { processor };
  const size: Histogram = metrics.histogram("otelcol_processor_batch_batch_send_size", "Number of units in the batch", SIZE_BUCKETS);
  const bytes: Histogram = metrics.histogram("otelcol_processor_batch_batch_send_size_bytes", "Number of bytes in batch that was sent", BYTES_BUCKETS);
  const bySize: Counter = metrics.counter("otelcol_processor_batch_batch_size_trigger_send_total", "Number of times the batch was sent due to a size trigger");
  const byTimeout: Counter = metrics.counter("otelcol_processor_batch_timeout_trigger_send_total", "Number of times the batch was sent due to a timeout trigger");
  // A plain gauge set on change: gaugeFunc keeps one callback per family, which two batch
  // processors would overwrite.
  const card: Gauge = metrics.gauge("otelcol_processor_batch_metadata_cardinality", "Number of distinct metadata value combinations being processed");
  return {
    record(trigger, items, n) {
      size.observe(labels, items);
      bytes.observe(labels, n);
      (trigger === "size" ? bySize : byTimeout).inc(labels);
    },
    cardinality: (n) => card.set(labels, n),
  };
}

/** The batching settings; a change of any of them starts new shards. */
interface Settings {
  timeout: number;
  size: number;
  max: number;
  keys: string[];
  limit: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function settingsOf(a: BatchArgs): Settings {
  const keys = [...new Set(a.metadata_keys.map((k) => k.toLowerCase()))].sort();
  return { timeout: a.timeout, size: a.send_batch_size, max: a.send_batch_max_size, keys, limit: a.metadata_cardinality_limit };
}

function sameSettings(a: Settings, b: Settings): boolean {
  return a.timeout === b.timeout && a.size === b.size && a.max === b.max && a.limit === b.limit && a.keys.join("\0") === b.keys.join("\0");
}

/** One batcher: the pending batch of one signal and one metadata combination. */
interface Shard {
  signal: Signal;
  metadata: ReadonlyMap<string, readonly string[]>;
  pending: Batch<Signal>;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Sends of this shard run one after another, in order (upstream: one goroutine per shard). */
  tail: Promise<void>;
  busy: number;
  /** Set while a batch refused with a retryable error is kept: new data is refused meanwhile. */
  held: PipelineError | undefined;
}

/** A batch cut from a shard, bound for the output list that was current when it was cut. */
interface Outgoing {
  batch: Batch<Signal>;
  trigger: "size" | "timeout";
  to: Consumer[];
}

/** Shards for every signal, the timers, and the sending. */
class Batcher {
  private settings: Settings;
  private outputs: OutputArgs;
  private shards = new Map<Signal, Map<string, Shard>>(SIGNALS.map((s) => [s, new Map()]));
  /** Sends of shards that an update replaced; new shards start after them to keep order. */
  private retired: Promise<void> = Promise.resolve();
  /** Sends of shards let go by releaseHeld, still offering a kept batch. */
  private released: Promise<void> = Promise.resolve();
  private running = false;
  private stopped = false;
  /** When shutdown stops offering refused batches again. */
  private drainDeadline: number | undefined;

  constructor(args: BatchArgs, private readonly logger: Logger, private readonly telemetry: Telemetry) {
    this.settings = settingsOf(args);
    this.outputs = args.output;
    this.telemetry.cardinality(0);
  }

  /** Takes ownership of `batch`; resolves once the sends it triggered are done, never with their errors. */
  async consume(batch: Batch<Signal>): Promise<void> {
    if (this.outputs[batch.signal].length === 0) throw unsupported(batch.signal);
    // Upstream ignores batches without items; appending them would only grow an idle shard.
    if (batch.itemCount() === 0) return;
    const shard = this.shardFor(batch);
    if (shard.held) throw PipelineError.retryable(`batch processor: a ${batch.signal} batch is waiting for an output that refused it (${shard.held.message}); retry later`);
    shard.pending.append(batch);
    const ready = this.takeReady(shard);
    if (ready.length > 0) this.stopTimer(shard); // a size-triggered send restarts the timer
    this.startTimer(shard);
    await this.enqueue(shard, ready);
  }

  /** Starts the timers; on abort stops them, flushes every shard and waits for the sends. */
  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    for (const shard of this.allShards()) this.startTimer(shard);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    this.running = false;
    this.stopped = true; // from now on no timer exists, so late arrivals are sent at once
    this.drainDeadline = Date.now() + HOLD_DRAIN_MS;
    await this.flushAll();
  }

  /**
   * Applies new arguments. Output lists take effect at once for everything not yet cut. When
   * the batching settings change, pending batches are flushed to the old outputs first and new
   * shards start with the new settings (simpler than resizing batches in place, and what
   * Alloy's rebuild of the upstream processor does).
   */
  update(args: BatchArgs): void {
    const next = settingsOf(args);
    const changed = !sameSettings(this.settings, next);
    for (const signal of SIGNALS) {
      // A signal that loses its pipeline still delivers what it holds, to where it was going.
      if (changed || args.output[signal].length === 0) this.flushSignal(signal);
      else if (args.output[signal] !== this.outputs[signal]) this.releaseHeld(signal);
    }
    if (changed) this.retireShards();
    this.settings = next;
    this.outputs = args.output;
    this.telemetry.cardinality(this.cardinality());
  }

  /**
   * A shard holding a refused batch stops gating new data once its signal's output list changes
   * (the output that refused may have been removed by the reload and never take anything again):
   * the kept batch goes on being offered to the outputs it was cut for, as before; what is pending
   * and what arrives next go to a fresh shard with the same key, bound for the new outputs.
   */
  private releaseHeld(signal: Signal): void {
    const map = this.shards.get(signal)!;
    for (const [key, shard] of map) {
      if (!shard.held) continue;
      this.stopTimer(shard);
      // Shutdown still waits for the kept batch; new shards do not (unlike `retired`).
      this.released = Promise.all([this.released, shard.tail]).then(() => undefined);
      const fresh: Shard = { ...shard, timer: undefined, tail: Promise.resolve(), busy: 0, held: undefined };
      shard.pending = Batch.empty(signal, shard.metadata);
      map.set(key, fresh);
      this.startTimer(fresh);
    }
  }

  private shardFor(batch: Batch<Signal>): Shard {
    const map = this.shards.get(batch.signal)!;
    const { keys, limit } = this.settings;
    const values = keys.map((k) => batch.metadata.get(k) ?? []);
    const key = keys.length === 0 ? "" : JSON.stringify(values);
    const existing = map.get(key);
    if (existing) return existing;
    if (keys.length > 0 && limit > 0 && map.size >= limit) throw PipelineError.permanent(TOO_MANY_BATCHERS);
    // Outgoing batches carry only the metadata the shard is keyed by (upstream: client.Info).
    const metadata = new Map<string, readonly string[]>();
    keys.forEach((k, i) => values[i]!.length > 0 && metadata.set(k, values[i]!));
    const shard: Shard = { signal: batch.signal, metadata, pending: Batch.empty(batch.signal, metadata), timer: undefined, tail: this.retired, busy: 0, held: undefined };
    map.set(key, shard);
    this.telemetry.cardinality(this.cardinality());
    return shard;
  }

  private hasTimer(): boolean {
    return this.settings.timeout > 0 && this.settings.size > 0 && !this.stopped;
  }

  /** The sends due after an arrival: while pending ≥ send_batch_size (or always, without a timer). */
  private takeReady(shard: Shard): Outgoing[] {
    const out: Outgoing[] = [];
    while (shard.pending.itemCount() > 0 && (!this.hasTimer() || shard.pending.itemCount() >= this.settings.size)) {
      out.push(this.cut(shard, "size"));
    }
    return out;
  }

  /** Removes at most send_batch_max_size items from the shard (all when max is 0). */
  private cut(shard: Shard, trigger: Outgoing["trigger"]): Outgoing {
    const { max } = this.settings;
    let batch: Batch<Signal>;
    if (max > 0 && shard.pending.itemCount() > max) {
      batch = shard.pending.splitFirst(max);
    } else {
      batch = shard.pending;
      shard.pending = Batch.empty(shard.signal, shard.metadata);
    }
    return { batch, trigger, to: this.outputs[shard.signal] };
  }

  // The timer is armed only while something is pending, rather than ticking for idle shards;
  // the latency bound (at most `timeout` after arrival or after the last size send) is the same.
  private startTimer(shard: Shard): void {
    if (!this.running || !this.hasTimer() || shard.timer !== undefined || shard.pending.itemCount() === 0) return;
    shard.timer = setTimeout(() => this.onTimer(shard), this.settings.timeout);
  }

  private stopTimer(shard: Shard): void {
    if (shard.timer !== undefined) clearTimeout(shard.timer);
    shard.timer = undefined;
  }

  private onTimer(shard: Shard): void {
    shard.timer = undefined;
    // Like upstream's single shard goroutine, the timer does not fire while a send is running.
    if (shard.busy === 0 && shard.pending.itemCount() > 0) void this.enqueue(shard, [this.cut(shard, "timeout")]);
    this.startTimer(shard);
  }

  /**
   * Queues sends behind the shard's earlier ones. Resolves when they are done, or as soon as one
   * of them is kept for another offer: its data is then the processor's to deliver.
   */
  private enqueue(shard: Shard, sends: Outgoing[]): Promise<void> {
    if (sends.length === 0) return Promise.resolve();
    shard.busy++;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const done = shard.tail.then(async () => {
      for (const s of sends) await this.send(shard, s, release);
      shard.busy--;
    });
    shard.tail = done;
    return Promise.race([done, released]);
  }

  /**
   * Delivers one batch to every output. An output that refuses with a permanent error is logged
   * (`Sender failed`) and skipped; one that refuses with a retryable error gets the batch again
   * after a backoff, while the shard refuses new data, until it takes it or HOLD_LIMIT_MS (at
   * shutdown HOLD_DRAIN_MS) passes. Outputs that took the batch never see it twice.
   *
   * What is offered again: a lite batch is kept untouched and each offer gets a copy (nearly free:
   * the copy shares the encoded bytes). A fully decoded batch costs more to copy than to encode,
   * so the outputs get what the fan-out always gave them (a copy each, the original to the last)
   * and an output that refused gets back the very batch it refused; solder's retryable refusals
   * (a full or closing sending queue, a missing pipeline) leave the batch as it was.
   */
  private async send(shard: Shard, s: Outgoing, release: () => void): Promise<void> {
    const { signal } = shard;
    const items = s.batch.itemCount();
    const bytes = s.batch.byteSize(); // measured before ownership passes on
    const keep = s.batch.isLite();
    const giveUpAt = Date.now() + HOLD_LIMIT_MS;
    let offers: Array<[Consumer, Batch<Signal> | undefined]> = s.to.map((c) => [c, undefined]);
    let delivered = false;
    let wait: number = HOLD_BACKOFF_MS[0];
    try {
      for (;;) {
        const refused: typeof offers = [];
        let error: PipelineError | undefined;
        for (let i = 0; i < offers.length; i++) {
          const [to, again] = offers[i]!;
          const batch = keep ? s.batch.clone() : (again ?? (i === offers.length - 1 ? s.batch : s.batch.clone()));
          try {
            await consume(to, batch);
            delivered = true;
          } catch (err) {
            const e = PipelineError.from(err);
            if (e.permanent) this.logger.warn("Sender failed", { data_type: signal, error: e.message });
            else (refused.push([to, batch]), (error = e));
          }
        }
        if (!error) break;
        const deadline = Math.min(giveUpAt, this.drainDeadline ?? Infinity);
        if (Date.now() + wait > deadline) {
          const why = this.drainDeadline !== undefined ? "at shutdown" : `for ${HOLD_LIMIT_MS / 1000}s`;
          this.logger.error(`Sender failed: the output still refuses ${why}. Dropping data.`, { data_type: signal, error: error.message, dropped_items: items });
          return;
        }
        if (!shard.held) {
          this.logger.warn("Sender failed; keeping the batch and refusing new data until the output takes it", { data_type: signal, error: error.message, items });
          release();
        }
        shard.held = error;
        await sleep(wait);
        wait = Math.min(wait * 2, HOLD_BACKOFF_MS[1]);
        offers = refused;
      }
    } finally {
      shard.held = undefined;
    }
    if (delivered || s.to.length === 0) this.telemetry.record(s.trigger, items, bytes);
  }

  /** Cuts everything pending in one signal's shards (timeout trigger, as upstream's shutdown). */
  private flushSignal(signal: Signal): Promise<void>[] {
    const done: Promise<void>[] = [];
    for (const shard of this.shards.get(signal)!.values()) {
      this.stopTimer(shard);
      const sends: Outgoing[] = [];
      while (shard.pending.itemCount() > 0) sends.push(this.cut(shard, "timeout"));
      void this.enqueue(shard, sends);
      done.push(shard.tail); // also waits for sends already under way
    }
    return done;
  }

  private async flushAll(): Promise<void> {
    const done = SIGNALS.flatMap((s) => this.flushSignal(s));
    await Promise.all([...done, this.retired, this.released]);
  }

  private retireShards(): void {
    const tails = [...this.allShards()].map((s) => s.tail);
    this.retired = Promise.all([this.retired, ...tails]).then(() => undefined);
    for (const s of SIGNALS) this.shards.set(s, new Map());
  }

  private *allShards(): Iterable<Shard> {
    for (const map of this.shards.values()) yield* map.values();
  }

  private cardinality(): number {
    let n = 0;
    for (const map of this.shards.values()) n += map.size;
    return n;
  }
}
