// Sends one batch of queue entries until it is done: encode, snappy, POST; retry 5xx, network
// errors and (with retry_on_http_429) 429 with exponential backoff from min_backoff to
// max_backoff, without a limit (alloy-components.md §16; the Retry-After header, when present,
// replaces the backoff wait); drop the batch on any other status, with an error log naming
// some of its series. A remote write 2.0 endpoint that turns out to be a 1.x receiver is
// switched to 1.0 and the batch re-sent (prometheus.md §5.3).

import type { Metadata } from "../appender.ts";
import type { Logger } from "../../runtime/logger.ts";
import { EXEMPLAR, type Group, type QueueEntry, countKinds, encodeV1, encodeV2, exampleSeries, groupEntries } from "./batch.ts";
import { type ClientSettings, type Outcome, type Protocol, postWrite } from "./client.ts";
import type { MetadataEntry } from "./encode.ts";
import { snappyCompress } from "./compress.ts";
import { KINDS, type Kind, type QueueMetrics } from "./metrics.ts";

export interface SenderConfig {
  client: ClientSettings;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** 0 = off; else entries older than this are dropped before each attempt. */
  sampleAgeLimitMs: number;
}

/** The result of sending a batch: done (sent or dropped) or abandoned (stopped first; stays in the WAL). */
export type SendResult = "done" | "abandoned";

/** A send's result, with what the shard autoscaler needs: time in the last attempt, and whether it retried. */
export interface SendReport {
  result: SendResult;
  attemptSeconds: number;
  retried: boolean;
}

/** The endpoint's protocol; shared by its shards so one fallback switches them all. */
export interface ProtocolState {
  current: Protocol;
}

export class Sender {
  constructor(
    private readonly cfg: SenderConfig,
    readonly protocol: ProtocolState,
    private readonly metadataOf: (name: string) => Metadata | undefined,
    private readonly logger: Logger,
    private readonly metrics: QueueMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sends `entries` (one shard's batch, WAL order) until done or `stop` aborts. */
  async send(entries: readonly QueueEntry[], stop: AbortSignal): Promise<SendReport> {
    let backoff = this.cfg.minBackoffMs;
    let live = entries;
    let retried = false;
    let seconds = 0;
    const report = (result: SendResult): SendReport => ({ result, attemptSeconds: seconds, retried });
    for (;;) {
      live = this.dropTooOld(live);
      if (live.length === 0) return report("done");
      const counts = countKinds(live);
      const groups = groupEntries(live);
      const body = snappyCompress(this.encode(groups));
      const started = this.now();
      const outcome = await postWrite(this.cfg.client, body, this.protocol.current, stop);
      seconds = (this.now() - started) / 1000;
      switch (outcome.kind) {
        case "ok":
          this.metrics.sent(counts, body.length, seconds, newestTimestamp(live));
          return report("done");
        case "unsupported":
          this.fallBack(outcome.message);
          continue;
        case "drop": {
          this.metrics.observeDuration(seconds);
          for (const k of KINDS) this.metrics.inc(`${k}_failed_total`, counts[k]);
          const fields = { count: counts.samples, exemplarCount: counts.exemplars, histogramCount: counts.histograms, err: outcome.message, series: exampleSeries(live).join(" ") };
          // A batch re-sent after a restart may have been applied before it (progress.ts); a
          // refusal then usually means "already have these", so it is not an error.
          if (live.every((e) => e.replay)) this.logger.warn("a batch that was in flight when the previous process stopped was refused; it was probably delivered then", fields);
          else this.logger.error("non-recoverable error", fields);
          return report("done");
        }
        case "retry": {
          this.metrics.observeDuration(seconds);
          retried = true;
          if (stop.aborted) return report("abandoned");
          for (const k of KINDS) this.metrics.inc(`${k}_retried_total`, counts[k]);
          const wait = outcome.retryAfterMs ?? backoff;
          this.logger.warn("Failed to send batch, retrying", { err: outcome.message, wait: `${wait}ms` });
          if (!(await sleep(wait, stop))) return report("abandoned");
          backoff = Math.min(backoff * 2, this.cfg.maxBackoffMs);
        }
      }
    }
  }

  /** Sends metadata (remote write 1.0 only), retrying until `stop` aborts or `giveUpMs` passes. */
  async sendMetadata(list: readonly MetadataEntry[], stop: AbortSignal, giveUpMs: number): Promise<boolean> {
    if (list.length === 0 || this.protocol.current !== "v1") return true;
    const body = snappyCompress(encodeV1([], list));
    const deadline = this.now() + giveUpMs;
    let backoff = this.cfg.minBackoffMs;
    for (;;) {
      const outcome: Outcome = await postWrite(this.cfg.client, body, "v1", stop);
      if (outcome.kind === "ok" || outcome.kind === "unsupported") {
        this.metrics.inc("metadata_total", list.length);
        this.metrics.inc("metadata_bytes_total", body.length);
        return true;
      }
      if (outcome.kind === "drop" || stop.aborted || this.now() + backoff > deadline) {
        this.metrics.inc("metadata_failed_total", list.length);
        this.logger.error("non-recoverable error while sending metadata", { count: list.length, err: outcome.message });
        return false;
      }
      this.metrics.inc("metadata_retried_total", list.length);
      if (!(await sleep(outcome.retryAfterMs ?? backoff, stop))) return false;
      backoff = Math.min(backoff * 2, this.cfg.maxBackoffMs);
    }
  }

  private encode(groups: readonly Group[]): Uint8Array {
    return this.protocol.current === "v2" ? encodeV2(groups, this.metadataOf) : encodeV1(groups);
  }

  private fallBack(why: string): void {
    if (this.protocol.current === "v1") return;
    this.protocol.current = "v1";
    this.logger.warn("the endpoint does not accept remote write 2.0; falling back to 1.0 (prometheus.WriteRequest)", { reason: why });
  }

  /** sample_age_limit: entries older than the limit are dropped before each attempt. */
  private dropTooOld(entries: readonly QueueEntry[]): readonly QueueEntry[] {
    if (this.cfg.sampleAgeLimitMs <= 0) return entries;
    const cutoff = this.now() - this.cfg.sampleAgeLimitMs;
    // An exemplar without a timestamp has no age.
    const old = (e: QueueEntry) => e.ts < cutoff && !(e.kind === EXEMPLAR && e.exemplar?.timestampMs === undefined);
    const kept = entries.filter((e) => !old(e));
    if (kept.length === entries.length) return entries;
    const dropped = countKinds(entries.filter(old));
    for (const k of KINDS) this.metrics.inc(`${k}_dropped_total`, dropped[k as Kind]);
    return kept;
  }
}

function newestTimestamp(entries: readonly QueueEntry[]): number {
  let max = 0;
  for (const e of entries) if (e.ts > max) max = e.ts;
  return max;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
