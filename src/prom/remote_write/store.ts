// The running state of one prometheus.remote_write component: the WAL (opened in run, never at
// build), the Appendable that commits into it, one queue per endpoint tailing it, and the
// periodic fsync, truncation and series garbage collection (alloy-components.md §16).

import { join } from "node:path";
import type { Appendable, Appender, Labels } from "../appender.ts";
import { Secret } from "../../runtime/value.ts";
import { PipelineError } from "../../otlp/errors.ts";
import type { ComponentOptions, Health } from "../../runtime/component.ts";
import { health } from "../../runtime/health.ts";
import { type EndpointArgs, type RemoteWriteArgs, endpointSettings, externalLabels } from "./args.ts";
import { RemoteWriteMetrics } from "./metrics.ts";
import { EndpointQueue, type EndpointSettings } from "./queue.ts";
import { type Txn, WalStorage, newTxn } from "./storage.ts";
import { type Corruption, FSYNC_INTERVAL_MS, type Position, WalWriter, listSegments, segmentAgeMs, segmentName } from "./wal.ts";

/** How long shutdown keeps sending what is queued; the rest stays in the WAL for the next start. */
export const DRAIN_MS = 5_000;
/** How often opening the WAL is retried after a failure. */
const REOPEN_MS = 5_000;

/** Internal knobs (not Alloy arguments), for tests. */
export interface StoreTuning {
  segmentBytes?: number;
  drainMs?: number;
}

interface RunningQueue {
  key: string;
  queue: EndpointQueue;
  abort: AbortController;
  done: Promise<void>;
}

export class RemoteWriteStore {
  readonly walDir: string;
  readonly appendable: Appendable;
  private readonly writer: WalWriter;
  private readonly storage: WalStorage;
  private readonly metrics: RemoteWriteMetrics;
  private readonly queues = new Map<string, RunningQueue>();
  private args: RemoteWriteArgs;
  private walHealth: Health | undefined;
  private lastOpenAttempt = 0;
  private truncationTimer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  private ready!: () => void;
  private readonly started = new Promise<void>((r) => (this.ready = r));

  constructor(
    private readonly opts: Pick<ComponentOptions, "id" | "dataPath" | "logger" | "metrics">,
    args: RemoteWriteArgs,
    private readonly tuning: StoreTuning = {},
  ) {
    this.args = args;
    this.walDir = join(opts.dataPath, "wal");
    this.writer = new WalWriter(this.walDir, tuning.segmentBytes);
    this.metrics = new RemoteWriteMetrics(opts.metrics);
    this.storage = new WalStorage(this.writer, this.metrics);
    this.appendable = { appender: () => this.appender() };
  }

  /** Unhealthy while the WAL cannot be opened or written; otherwise no opinion. */
  health(): Health | undefined {
    return this.walHealth;
  }

  /** Opens the WAL, starts the queues and timers; returns when `signal` aborts and all stopped. */
  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.tryOpen();
    this.ready();
    this.syncQueues();
    const timers = [setInterval(() => this.syncWal(), FSYNC_INTERVAL_MS), setInterval(() => this.writer.isOpen || this.tryOpen(), REOPEN_MS)];
    this.scheduleTruncation();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    for (const t of timers) clearInterval(t);
    clearInterval(this.truncationTimer);
    this.running = false;
    await Promise.all([...this.queues.keys()].map((name) => this.stopQueue(name)));
    try {
      this.writer.close();
    } catch (err) {
      this.opts.logger.error("closing the WAL failed", { err: (err as Error).message, dir: this.walDir });
    }
  }

  /** Applies new arguments: endpoints whose settings changed are restarted (their progress is kept). */
  update(args: RemoteWriteArgs): void {
    const frequencyChanged = args.wal.truncate_frequency !== this.args.wal.truncate_frequency;
    this.args = args;
    if (!this.running) return;
    if (frequencyChanged) this.scheduleTruncation();
    this.syncQueues();
  }

  private scheduleTruncation(): void {
    clearInterval(this.truncationTimer);
    this.truncationTimer = setInterval(() => this.truncate(), this.args.wal.truncate_frequency);
  }

  // ---- writing ---------------------------------------------------------------------------------

  private appender(): Appender {
    let txn = newTxn();
    const time = (ts: number) => Math.trunc(ts);
    return {
      append: (labels, ts, value) => void txn.samples.push({ labels, ts: time(ts), value, stale: false }),
      appendStale: (labels, ts) => void txn.samples.push({ labels, ts: time(ts), value: Number.NaN, stale: true }),
      appendExemplar: (labels, exemplar) => void txn.exemplars.push({ labels, exemplar }),
      appendHistogram: (labels, ts, histogram) => void txn.histograms.push({ labels, ts: time(ts), histogram }),
      updateMetadata: (family, metadata) => void txn.metadata.set(family, metadata),
      commit: async () => {
        const t = txn;
        txn = newTxn();
        await this.commit(t);
      },
      rollback: () => void (txn = newTxn()),
    };
  }

  private async commit(txn: Txn): Promise<void> {
    if (txn.samples.length + txn.exemplars.length + txn.histograms.length + txn.metadata.size === 0) return;
    await this.started;
    if (!this.running) throw PipelineError.retryable("prometheus.remote_write is shutting down");
    if (!this.writer.isOpen && Date.now() - this.lastOpenAttempt >= 1000) this.tryOpen();
    if (!this.writer.isOpen) throw PipelineError.retryable(`prometheus.remote_write cannot accept samples: ${this.walHealth?.message ?? "the WAL is not open"}`);
    let result;
    try {
      result = this.storage.commit(txn);
    } catch (err) {
      const message = `cannot write to the WAL in ${this.walDir}: ${errorText(err)}`;
      this.metrics.writeFailure();
      this.setWalHealth(message);
      this.opts.logger.error("WAL write failed; the samples were not accepted", { err: (err as Error).message, dir: this.walDir });
      throw PipelineError.retryable(message, undefined, undefined, err);
    }
    if (this.walHealth) this.setWalHealth(undefined);
    if (result.invalid > 0) this.opts.logger.warn("dropped samples of series with duplicate label names", { count: result.invalid, series: result.invalidExample });
    if (result.outOfOrder > 0) this.opts.logger.debug("dropped out-of-order samples", { count: result.outOfOrder });
    let newest = 0;
    for (const s of txn.samples) if (s.ts > newest) newest = s.ts;
    if (newest > 0) this.metrics.highestTimestamp(newest);
    for (const q of this.queues.values()) q.queue.notify();
  }

  private tryOpen(): void {
    this.lastOpenAttempt = Date.now();
    try {
      this.writer.open();
      this.setWalHealth(undefined);
    } catch (err) {
      const message = `cannot open the WAL in ${this.walDir}: ${errorText(err)}`;
      if (this.walHealth?.message !== message) this.opts.logger.error("cannot open the WAL; samples are refused until it can be written", { err: (err as Error).message, dir: this.walDir });
      this.setWalHealth(message);
    }
  }

  private setWalHealth(message: string | undefined): void {
    if (message === undefined) {
      if (this.walHealth) this.opts.logger.info("the WAL is writable again", { dir: this.walDir });
      this.walHealth = undefined;
    } else if (this.walHealth?.message !== message) this.walHealth = health("unhealthy", message);
  }

  private syncWal(): void {
    this.writer.syncInBackground().catch((err) => this.setWalHealth(`cannot fsync the WAL in ${this.walDir}: ${errorText(err)}`));
  }

  // ---- truncation ------------------------------------------------------------------------------

  /**
   * Cuts the current segment, then deletes segments every endpoint has sent once they are older
   * than min_keepalive_time, and any segment older than max_keepalive_time, sent or not. Series
   * not appended to within min_keepalive_time leave the series table.
   */
  truncate(now = Date.now()): void {
    if (!this.writer.isOpen) return;
    const { min_keepalive_time: minKeep, max_keepalive_time: maxKeep } = this.args.wal;
    try {
      let closedEnd: Position | undefined;
      if (this.writer.hasRecords()) {
        closedEnd = this.writer.end();
        this.writer.cut();
      }
      let needed = this.writer.segment;
      for (const q of this.queues.values()) needed = Math.min(needed, q.queue.neededSegment(closedEnd));
      for (const n of listSegments(this.walDir)) {
        if (n >= this.writer.segment) break;
        const age = segmentAgeMs(this.walDir, n, now);
        if (age === undefined) continue;
        const sent = n < needed;
        if (!(sent && age >= minKeep) && age < maxKeep) continue;
        if (!sent) this.opts.logger.warn("deleting a WAL segment that was not sent to every endpoint (older than max_keepalive_time)", { segment: segmentName(n) });
        this.writer.removeBefore(n + 1);
      }
      this.storage.gc(now - minKeep);
    } catch (err) {
      this.opts.logger.error("WAL truncation failed", { err: (err as Error).message, dir: this.walDir });
    }
  }

  // ---- endpoints -------------------------------------------------------------------------------

  /** Starts, restarts or stops queues so they match the endpoint blocks. */
  private syncQueues(): void {
    const external = externalLabels(this.args);
    const wanted = new Map<string, { settings: EndpointSettings; key: string }>();
    for (const e of this.args.endpoint) {
      const settings = endpointSettings(e);
      wanted.set(settings.name, { settings, key: queueKey(settings, e, external) });
    }
    for (const [name, running] of this.queues) {
      if (wanted.get(name)?.key !== running.key) void this.stopQueue(name).then(() => this.running && this.syncQueues());
    }
    for (const [name, { settings: s, key }] of wanted) {
      if (this.queues.has(name)) continue;
      const abort = new AbortController();
      const queue = new EndpointQueue(s, {
        walDir: this.walDir,
        walEnd: () => (this.writer.isOpen ? this.writer.end() : undefined),
        externalLabels: () => external,
        logger: this.opts.logger.child({ remote_name: name, url: s.url }),
        metrics: this.metrics.queue(name, s.url),
        onCorruption: (c) => this.corruption(c),
        drainMs: this.tuning.drainMs ?? DRAIN_MS,
      });
      const done = queue.run(abort.signal).catch((err) => this.opts.logger.error("remote-write queue failed", { remote_name: name, err: (err as Error).message }));
      this.queues.set(name, { key, queue, abort, done });
    }
  }

  private async stopQueue(name: string): Promise<void> {
    const q = this.queues.get(name);
    if (!q) return;
    q.abort.abort();
    await q.done;
    if (this.queues.get(name) !== q) return;
    this.queues.delete(name);
    // An endpoint that is gone takes its series along; one restarted with new settings keeps counting.
    if (this.running && !this.args.endpoint.some((e) => endpointSettings(e).name === name)) this.opts.metrics.removeMatching({ component_id: this.opts.id, remote_name: name });
  }

  private corruption(c: Corruption): void {
    this.metrics.corruption();
    this.opts.logger.error("WAL corruption found; skipping the rest of the segment", { segment: segmentName(c.segment), offset: c.offset, reason: c.reason, dir: this.walDir });
  }

  /** Segment files present now (for tests and debug). */
  segments(): number[] {
    return listSegments(this.walDir);
  }
}

/** An error's message, led by its errno code (ENOSPC, EACCES …) when the message lacks it (Deno's do). */
function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const message = e?.message ?? String(err);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/** Everything that requires restarting a queue when it changes, secrets included (revealed in memory only). */
function queueKey(s: EndpointSettings, e: EndpointArgs, external: Labels): string {
  // toJSON hides a Secret before a replacer sees the value; the holder still has the original.
  const reveal = function (this: Record<string, unknown>, k: string, v: unknown) {
    const raw = this[k];
    return raw instanceof Secret ? `secret:${raw.value}` : typeof v === "function" ? undefined : v;
  };
  return JSON.stringify({ s, tls: e.tls_config, external }, reveal);
}
