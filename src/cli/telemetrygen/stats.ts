// Counters and latency percentiles for `solder telemetrygen`. Latencies are kept in a bounded
// reservoir (uniform sample, seeded), so a long run has a fixed memory cost.

import { prng } from "./data.ts";

const RESERVOIR = 1_000_000;

/** Latency percentiles in milliseconds. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Request latencies (ms), sampled uniformly once more than a million were recorded. */
export class LatencyRecorder {
  private readonly samples: number[] = [];
  private seen = 0;
  private max = 0;
  private readonly rand = prng(0x5eed);

  /** Records one request's latency. */
  record(ms: number): void {
    this.seen++;
    if (ms > this.max) this.max = ms;
    if (this.samples.length < RESERVOIR) {
      this.samples.push(ms);
      return;
    }
    const j = Math.floor(this.rand() * this.seen);
    if (j < RESERVOIR) this.samples[j] = ms;
  }

  /** p50/p90/p99/p99.9 (nearest rank) and the exact maximum; zeros when nothing was recorded. */
  percentiles(): Percentiles {
    const s = Float64Array.from(this.samples).sort();
    const at = (q: number) => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!);
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: this.max };
  }
}

/** Totals of a run. */
export class Counters {
  requests = 0;
  sentItems = 0;
  refusedItems = 0;
  failedItems = 0;
  refusedRequests = 0;
  failedRequests = 0;
  /** First message seen for each distinct refusal / failure reason, with its count. */
  readonly reasons = new Map<string, number>();

  /** Adds one request's outcome. */
  add(kind: "ok" | "refused" | "failed", items: number, reason?: string): void {
    this.requests++;
    if (kind === "ok") this.sentItems += items;
    else if (kind === "refused") {
      this.refusedItems += items;
      this.refusedRequests++;
    } else {
      this.failedItems += items;
      this.failedRequests++;
    }
    if (reason !== undefined && (this.reasons.has(reason) || this.reasons.size < 20)) this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }
}
