// The live-debugging stream (spec: alloy-runtime.md §3, `/api/v0/web/debug/<id>`): samples of
// what one component emits, rendered as text, each message followed by `|;|`, flushed once a
// second. The tap on the hot path only draws a random number, checks a per-second cap and clones
// the batch (lite scope bytes are shared); rendering waits for the flush timer.

import type { Batch, Signal } from "../otlp/batch.ts";
import type { Flow } from "./flow.ts";
import { renderBatch } from "./render.ts";

/** Message delimiter of the stream. */
export const DELIMITER = "|;|";
/** Most batches sampled per second per stream, so a busy pipeline is never slowed by a viewer. */
export const MAX_SAMPLES_PER_SECOND = 20;

/** Parses `sampleProb`: absent means 1; anything outside [0, 1] is invalid (undefined). */
export function parseSampleProb(raw: string | null): number | undefined {
  if (raw === null || raw === "") return 1;
  const p = Number(raw);
  return Number.isFinite(p) && p >= 0 && p <= 1 ? p : undefined;
}

/** A sampler of one component's output; `drain()` renders what was sampled since the last call. */
export class Sampler {
  private pending: { batch: Batch<Signal>; to: string }[] = [];
  private taken = 0;
  dropped = 0;

  constructor(
    private readonly prob: number,
    private readonly cap = MAX_SAMPLES_PER_SECOND,
    private readonly random: () => number = Math.random,
  ) {}

  /** The hot-path hook (a flow Tap). */
  offer(batch: Batch<Signal>, to: string): void {
    if (this.prob <= 0 || (this.prob < 1 && this.random() >= this.prob)) return;
    if (this.taken >= this.cap) {
      this.dropped++;
      return;
    }
    this.taken++;
    this.pending.push({ batch: batch.clone(), to });
  }

  /** Rendered messages since the last drain; resets the per-second cap. */
  drain(): string[] {
    const out = this.pending.map((p) => renderBatch(p.batch, p.to));
    if (this.dropped > 0) out.push(`(rate cap: ${this.dropped} batch(es) not shown)`);
    this.pending = [];
    this.taken = 0;
    this.dropped = 0;
    return out;
  }
}

/** The streaming body for one viewer of component `id`. */
export function debugStream(flow: Flow, id: string, prob: number, intervalMs = 1000): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const sampler = new Sampler(prob);
  let timer: ReturnType<typeof setInterval> | undefined;
  let untap = () => {};
  return new ReadableStream<Uint8Array>({
    start(c) {
      untap = flow.tap(id, sampler);
      // An empty first chunk sends the headers now, so the viewer knows it is connected.
      c.enqueue(enc.encode(""));
      timer = setInterval(() => {
        const msgs = sampler.drain();
        if (msgs.length > 0) c.enqueue(enc.encode(msgs.map((m) => m + DELIMITER).join("")));
      }, intervalMs);
    },
    cancel() {
      clearInterval(timer);
      untap();
    },
  });
}
