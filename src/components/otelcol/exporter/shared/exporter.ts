// What every OTLP exporter shares around its one-request `send`: the `input` consumer, the
// sending queue, retries, and the exporter self-metrics (spec: alloy-components.md §0.5, §0.6,
// §7 self-metrics; the Collector's exporterhelper). An exporter supplies only `send`.

import type { Batch, Signal } from "../../../../otlp/batch.ts";
import type { Consumer } from "../../../../otlp/consumer.ts";
import { PipelineError } from "../../../../otlp/errors.ts";
import type { Logger } from "../../../../runtime/logger.ts";
import type { Counter, Gauge, MetricsRegistry } from "../../../../runtime/metrics.ts";
import { type QueueArgs, SendingQueue, type StopSignals } from "./queue.ts";
import { type RetryArgs, sendWithRetry } from "./retry.ts";

/** How long shutdown may spend sending what is still queued before dropping it. */
export const DRAIN_TIMEOUT_MS = 15_000;

/** One attempt to send a batch; throws a PipelineError (permanent or retryable). */
export type Send = (batch: Batch<Signal>, signal: AbortSignal) => Promise<void>;

export interface ExporterSettings {
  retry: RetryArgs;
  queue: QueueArgs;
}

export interface ExporterOptions {
  /** Upstream component type for the `exporter` label, e.g. `otlphttp`. */
  type: string;
  /** Component id, e.g. `otelcol.exporter.otlphttp.default`. */
  id: string;
  logger: Logger;
  metrics: MetricsRegistry;
  send: Send;
  drainTimeoutMs?: number;
  /** A `wake` event (retry.ts WAKE_EVENT) ends retry waits in progress: the next attempt follows at once. */
  wake?: EventTarget;
}

const ITEM: Record<Signal, string> = { traces: "spans", metrics: "metric_points", logs: "log_records" };
const DROPPED: Record<Signal, string> = { traces: "dropped_spans", metrics: "dropped_data_points", logs: "dropped_log_records" };

/** The log field the Collector uses for a partial success's rejected count, e.g. `dropped_spans`. */
export function droppedField(signal: Signal): string {
  return DROPPED[signal];
}

/** The exporter self-metrics, labelled `exporter="<type>/<component id>"`. */
class ExporterMetrics {
  readonly labels: Record<string, string>;
  private readonly counters = new Map<string, Counter>();
  private readonly queueSize: Gauge;
  private readonly queueCapacity: Gauge;

  constructor(private readonly registry: MetricsRegistry, type: string, id: string) {
    this.labels = { exporter: `${type}/${id}` };
    this.queueSize = registry.gauge("otelcol_exporter_queue_size", "Current size of the retry queue (in batches)");
    this.queueCapacity = registry.gauge("otelcol_exporter_queue_capacity", "Fixed capacity of the retry queue (in batches)");
  }

  count(kind: "sent" | "send_failed" | "enqueue_failed", batch: Batch<Signal>): void {
    const name = `otelcol_exporter_${kind}_${ITEM[batch.signal]}_total`;
    let c = this.counters.get(name);
    if (!c) {
      const what = ITEM[batch.signal].replace("_", " ");
      const help = { sent: `Number of ${what} successfully sent to destination.`, send_failed: `Number of ${what} in failed attempts to send to destination.`, enqueue_failed: `Number of ${what} failed to be added to the sending queue.` }[kind];
      c = this.registry.counter(name, help);
      this.counters.set(name, c);
    }
    c.inc(this.labels, batch.itemCount());
  }

  queue(size: number, capacity: number): void {
    this.queueSize.set(this.labels, size);
    this.queueCapacity.set(this.labels, capacity);
  }
}

/** The shared machinery of one exporter instance. */
export class ExporterPipeline {
  /** Exported as `input`. */
  readonly consumer: Consumer;
  private settings: ExporterSettings;
  private readonly metrics: ExporterMetrics;
  private readonly queue: SendingQueue;
  /** Stop signals for sends that bypass the queue (sending_queue disabled). */
  private readonly direct = new AbortController();
  private directDeadline: number | undefined;

  constructor(private readonly opts: ExporterOptions, settings: ExporterSettings) {
    this.settings = settings;
    this.metrics = new ExporterMetrics(opts.metrics, opts.type, opts.id);
    this.queue = new SendingQueue({
      args: settings.queue,
      process: (batch, stop) => this.deliver(batch, stop),
      logger: opts.logger,
      drainTimeoutMs: opts.drainTimeoutMs ?? DRAIN_TIMEOUT_MS,
      owner: opts.id,
      onSize: (size, capacity) => this.metrics.queue(size, capacity),
      onDrop: (batch, err) => {
        this.metrics.count("send_failed", batch);
        dropped.add(err);
      },
    });
    const consume = (b: Batch<Signal>) => this.consume(b);
    this.consumer = { consumeTraces: consume, consumeMetrics: consume, consumeLogs: consume };
  }

  /** Applies new retry and queue settings; the send function itself reads its own arguments. */
  update(settings: ExporterSettings): void {
    this.settings = settings;
    this.queue.update(settings.queue);
  }

  /** Runs the queue's senders until `signal` aborts, then drains. */
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener("abort", () => this.stopDirect(), { once: true });
    await this.queue.run(signal);
  }

  private async consume(batch: Batch<Signal>): Promise<void> {
    if (!this.settings.queue.enabled) {
      const stop: StopSignals = { signal: this.direct.signal, deadline: () => this.directDeadline };
      return this.deliver(batch, stop);
    }
    try {
      await this.queue.enqueue(batch);
    } catch (err) {
      // With wait_for_result a failed send comes back here too; it was counted as send_failed.
      if (!dropped.has(err as object)) this.metrics.count("enqueue_failed", batch);
      throw err;
    }
  }

  /** Sends one batch with retries; counts and logs the outcome. Throws when the data was dropped. */
  private async deliver(batch: Batch<Signal>, stop: StopSignals): Promise<void> {
    const { retry } = this.settings;
    try {
      await sendWithRetry(() => this.opts.send(batch, stop.signal), {
        args: retry,
        signal: stop.signal,
        deadline: stop.deadline,
        wake: this.opts.wake,
        onRetry: (err, waitMs) =>
          this.opts.logger.info("Exporting failed. Will retry the request after interval.", { error: err.message, interval: `${Math.round(waitMs)}ms` }),
      });
    } catch (err) {
      const e = PipelineError.from(err);
      if (this.queue.keeps(e)) {
        this.opts.logger.info("Exporting failed at shutdown. The data stays in the persistent queue.", { error: e.message, items: batch.itemCount(), signal: batch.signal });
        throw e;
      }
      this.metrics.count("send_failed", batch);
      this.opts.logger.error("Exporting failed. Dropping data.", { error: e.message, dropped_items: batch.itemCount(), signal: batch.signal });
      dropped.add(e);
      throw e;
    }
    this.metrics.count("sent", batch);
  }

  private stopDirect(): void {
    this.directDeadline = Date.now() + (this.opts.drainTimeoutMs ?? DRAIN_TIMEOUT_MS);
    const timer = setTimeout(() => this.direct.abort(), this.opts.drainTimeoutMs ?? DRAIN_TIMEOUT_MS);
    (timer as { unref?: () => void }).unref?.();
  }
}

/** Errors for data already counted as send_failed, so `consume` does not count them again. */
const dropped = new WeakSet<object>();
