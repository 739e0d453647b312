// `otelcol.processor.memory_limiter` (Alloy's memorylimiter.Arguments over the Collector's
// memorylimiterprocessor): measures the process's memory every `check_interval`; above the soft
// limit (limit − spike_limit) it refuses new data with a retryable error, which receivers answer
// with HTTP 503 + Retry-After / gRPC UNAVAILABLE + RetryInfo; above the hard limit it also forces
// a garbage collection. Transitions are logged once, not per request.
//
// What is measured: the JavaScript heap with ArrayBuffer contents (src/platform/memory.ts says
// why not RSS), like upstream's Go heap figure; so `limit` is the heap's budget, and the
// process's RSS is that plus the runtime (~64 MiB idle) plus allocator slack.

import type { Batch, Signal } from "../../../otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../otlp/consumer.ts";
import { PipelineError } from "../../../otlp/errors.ts";
import { type TotalMemory, forceGc, heapInUse, totalMemory } from "../../../platform/memory.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Logger } from "../../../runtime/logger.ts";
import type { Counter, Gauge, MetricsRegistry } from "../../../runtime/metrics.ts";
import { attr, required, t } from "../../../runtime/schema.ts";
import { type DebugMetricsArgs, debugMetricsBlock } from "../shared/debug_metrics.ts";
import { type OutputArgs, deliver, outputBlock, unsupported } from "../shared/output.ts";
import { untilAborted } from "./transform.ts";

/** Decoded arguments; durations in milliseconds, sizes in bytes. */
export interface MemoryLimiterArgs {
  check_interval: number;
  limit: number;
  spike_limit: number;
  limit_percentage: number;
  spike_limit_percentage: number;
  min_gc_interval_when_soft_limited: number;
  min_gc_interval_when_hard_limited: number;
  output: OutputArgs;
  debug_metrics: DebugMetricsArgs;
}

const MiB = 1024 * 1024;

/** The error message clients see (the Collector's wording, so dashboards and greps carry over). */
export const DATA_REFUSED = "data refused due to high memory usage";

/** Limits are whole MiB, as upstream holds them; "1536KiB" counts as 1 MiB, anything under 1 MiB as 0. */
function wholeMiB(bytes: number): number {
  return Math.floor(bytes / MiB) * MiB;
}

/** Checks the arguments (Alloy's rules and wording, then upstream's in Alloy's attribute names). */
export function validateMemoryLimiterArgs(a: MemoryLimiterArgs): string[] {
  const limit = wholeMiB(a.limit);
  const spike = wholeMiB(a.spike_limit);
  const pct = a.limit_percentage;
  const spikePct = a.spike_limit_percentage;
  if (pct < 0 || spikePct < 0) return ["limit_percentage and spike_limit_percentage must not be negative"];
  if (limit > 0 && pct > 0) return ["either limit or limit_percentage must be set, but not both"];
  if (pct > 0 && (pct > 100 || spikePct <= 0 || spikePct > 100)) {
    return ["limit_percentage and spike_limit_percentage must be greater than 0 and less than or equal to 100"];
  }
  if (a.check_interval <= 0) return ["'check_interval' must be greater than zero"];
  if (a.min_gc_interval_when_soft_limited < a.min_gc_interval_when_hard_limited) {
    return ["'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'"];
  }
  if (limit === 0 && pct === 0) return ["'limit' or 'limit_percentage' must be greater than zero"];
  if (limit > 0 && limit <= spike) return ["'spike_limit' must be smaller than 'limit'"];
  if (pct > 0 && pct <= spikePct) return ["'spike_limit_percentage' must be smaller than 'limit_percentage'"];
  return [];
}

/** Hard and soft limits in bytes. */
export interface Limits {
  hard: number;
  soft: number;
}

/** The limits the arguments describe; percentages are of `total` (the cgroup limit or the host's RAM). */
export function limitsOf(a: MemoryLimiterArgs, total: () => number): Limits {
  if (a.limit > 0) {
    const hard = wholeMiB(a.limit);
    // An unset spike limit is a fifth of the limit (upstream's default).
    const spike = a.spike_limit > 0 ? wholeMiB(a.spike_limit) : wholeMiB(hard / 5);
    return { hard, soft: hard - spike };
  }
  const bytes = total();
  const hard = Math.floor((a.limit_percentage * bytes) / 100);
  return { hard, soft: hard - Math.floor((a.spike_limit_percentage * bytes) / 100) };
}

/** How long a refused client should wait: the next check, in whole seconds (Retry-After has no finer unit), at least 1 s. */
export function retryDelayMs(checkIntervalMs: number): number {
  return Math.max(1, Math.ceil(checkIntervalMs / 1000)) * 1000;
}

/** What the limiter measures with and acts on; injectable so tests need no real memory pressure. */
export interface MemoryProbe {
  /** Memory in use, in bytes (the JS heap with ArrayBuffer contents). */
  read(): number;
  /** Forces a full garbage collection; false when the runtime offers none. */
  gc(): boolean;
  /** Memory the process may use, for the percentage limits. */
  total(): TotalMemory;
  now(): number;
}

/** The real process: its heap, Bun.gc / V8's gc(), the cgroup limit or host RAM. */
export const processProbe: MemoryProbe = { read: heapInUse, gc: forceGc, total: () => totalMemory(), now: () => Date.now() };

/** The limiter's state machine; `check` runs every check_interval. */
export class MemoryLimiter {
  private limits: Limits;
  private refusing = false;
  private aboveHard = false;
  private lastGc = Number.NEGATIVE_INFINITY;
  private gcUnavailableLogged = false;
  private lastReading = 0;

  constructor(
    private args: MemoryLimiterArgs,
    private readonly probe: MemoryProbe,
    private readonly logger: Logger,
  ) {
    this.limits = this.computeLimits(args);
  }

  /** True while new data must be refused. */
  get mustRefuse(): boolean {
    return this.refusing;
  }

  get current(): { limits: Limits; used: number; refusing: boolean } {
    return { limits: this.limits, used: this.lastReading, refusing: this.refusing };
  }

  /** Applies new arguments; the next check uses them. */
  update(args: MemoryLimiterArgs): void {
    this.args = args;
    this.limits = this.computeLimits(args);
  }

  /**
   * One measurement. Above the hard limit a GC is forced (at most every
   * min_gc_interval_when_hard_limited); above the soft limit too, at most every
   * min_gc_interval_when_soft_limited, so a limiter that refuses notices soon when the memory
   * held is only garbage (as Alloy's newer memory limiter does, without its interval doubling).
   * Refuses while the memory stays at or above the soft limit.
   */
  check(): void {
    let used = this.probe.read();
    let collected = false;
    if (used >= this.limits.hard) {
      if (!this.aboveHard) this.logger.warn("Memory usage is above hard limit. Forcing a GC.", this.fields(used));
      this.aboveHard = true;
      if (this.probe.now() - this.lastGc >= this.args.min_gc_interval_when_hard_limited) {
        used = this.collect();
        collected = true;
      }
    } else {
      this.aboveHard = false;
    }
    let refuse = used >= this.limits.soft;
    if (refuse && !collected && this.probe.now() - this.lastGc >= this.args.min_gc_interval_when_soft_limited) {
      used = this.collect();
      refuse = used >= this.limits.soft;
    }
    if (refuse && !this.refusing) this.logger.warn("Memory usage is above soft limit. Refusing data.", this.fields(used));
    else if (!refuse && this.refusing) this.logger.info("Memory usage back within limits. Resuming normal operation.", this.fields(used));
    this.refusing = refuse;
    this.lastReading = used;
  }

  private collect(): number {
    this.lastGc = this.probe.now();
    if (!this.probe.gc() && !this.gcUnavailableLogged) {
      this.gcUnavailableLogged = true;
      this.logger.warn("cannot force a garbage collection on this runtime (Deno: start with --v8-flags=--expose-gc); relying on refusals alone");
    }
    return this.probe.read();
  }

  private computeLimits(args: MemoryLimiterArgs): Limits {
    return limitsOf(args, () => {
      const total = this.probe.total();
      this.logger.info("Using percentage memory limiter", { total_memory_mib: Math.floor(total.bytes / MiB), source: total.source, limit_percentage: args.limit_percentage, spike_limit_percentage: args.spike_limit_percentage });
      return total.bytes;
    });
  }

  private fields(used: number): Record<string, number> {
    return { cur_mem_mib: Math.floor(used / MiB), soft_limit_mib: Math.floor(this.limits.soft / MiB), hard_limit_mib: Math.floor(this.limits.hard / MiB) };
  }
}

const ITEMS: Record<Signal, string> = { traces: "spans", metrics: "metric_points", logs: "log_records" };

interface Telemetry {
  refused(signal: Signal, items: number): void;
  memory(used: number, limits: Limits, refusing: boolean): void;
}

function limiterTelemetry(metrics: MetricsRegistry, id: string): Telemetry {
  const labels = { processor: id };
  const refused = new Map<Signal, Counter>();
  const used: Gauge = metrics.gauge("solder_memory_limiter_heap_bytes", "Heap in use (ArrayBuffers included) at the memory limiter's last check.");
  const soft: Gauge = metrics.gauge("solder_memory_limiter_soft_limit_bytes", "Memory above which the memory limiter refuses data.");
  const hard: Gauge = metrics.gauge("solder_memory_limiter_hard_limit_bytes", "Memory above which the memory limiter forces garbage collections.");
  const state: Gauge = metrics.gauge("solder_memory_limiter_refusing", "1 while the memory limiter refuses data, else 0.");
  return {
    refused(signal, items) {
      let c = refused.get(signal);
      if (!c) {
        c = metrics.counter(`otelcol_processor_refused_${ITEMS[signal]}_total`, `Number of ${ITEMS[signal].replace("_", " ")} that were rejected by the next component in the pipeline.`);
        refused.set(signal, c);
      }
      c.inc(labels, items);
    },
    memory(n, limits, refusing) {
      used.set(labels, n);
      soft.set(labels, limits.soft);
      hard.set(labels, limits.hard);
      state.set(labels, refusing ? 1 : 0);
    },
  };
}

/** The `input` consumer: refuses while the limiter says so, otherwise passes the batch on. */
export function limitingConsumer(limiter: MemoryLimiter, outputs: () => OutputArgs, retryAfterMs: () => number, onRefused?: (signal: Signal, items: number) => void): Consumer {
  const consume = async <S extends Signal>(batch: Batch<S>): Promise<void> => {
    const list = outputs()[batch.signal];
    if (list.length === 0) throw unsupported(batch.signal);
    if (limiter.mustRefuse) {
      onRefused?.(batch.signal, batch.itemCount());
      // Retryable: the client keeps the data and tries again (the Collector's ErrDataRefused).
      throw PipelineError.overloaded(DATA_REFUSED, retryAfterMs());
    }
    await deliver(list, batch);
  };
  return { consumeTraces: consume, consumeMetrics: consume, consumeLogs: consume };
}

/** Builds the component around a probe; the registered definition uses the real process. */
export function defineMemoryLimiter(probe: MemoryProbe) {
  return defineComponent<MemoryLimiterArgs>({
    name: "otelcol.processor.memory_limiter",
    summary: "Refuses data with a retryable error while the process's memory is above a limit, and forces garbage collections.",
    stability: "generally-available",
    args: {
      attrs: {
        check_interval: required(t.duration),
        limit: attr(t.bytesize, 0),
        spike_limit: attr(t.bytesize, 0),
        limit_percentage: attr(t.int, 0),
        spike_limit_percentage: attr(t.int, 0),
        min_gc_interval_when_soft_limited: attr(t.duration, 10_000),
        min_gc_interval_when_hard_limited: attr(t.duration, 0),
      },
      blocks: { output: outputBlock, debug_metrics: debugMetricsBlock },
      validate: validateMemoryLimiterArgs,
    },
    exports: ["input"],
    build(opts, args) {
      let current = args;
      const limiter = new MemoryLimiter(args, probe, opts.logger);
      const telemetry = limiterTelemetry(opts.metrics, opts.id);
      const input = limitingConsumer(limiter, () => current.output, () => retryDelayMs(current.check_interval), telemetry.refused);
      opts.onStateChange({ input: consumerCapsule(input) });
      let restart: (() => void) | undefined;
      return {
        async run(signal) {
          const { limits } = limiter.current;
          opts.logger.info("Memory limiter configured", { limit_mib: Math.floor(limits.hard / MiB), spike_limit_mib: Math.floor((limits.hard - limits.soft) / MiB), check_interval: `${current.check_interval}ms` });
          const tick = () => {
            limiter.check();
            const s = limiter.current;
            telemetry.memory(s.used, s.limits, s.refusing);
          };
          let timer: ReturnType<typeof setInterval> | undefined;
          const start = () => {
            if (timer !== undefined) clearInterval(timer);
            timer = setInterval(tick, current.check_interval);
          };
          tick();
          start();
          restart = start;
          await untilAborted(signal);
          clearInterval(timer);
          restart = undefined;
        },
        update(next) {
          const intervalChanged = next.check_interval !== current.check_interval;
          current = next;
          limiter.update(next);
          if (intervalChanged) restart?.();
        },
        debugInfo() {
          const s = limiter.current;
          return { heap_bytes: s.used, soft_limit_bytes: s.limits.soft, hard_limit_bytes: s.limits.hard, refusing: s.refusing };
        },
      };
    },
  });
}

/** The component definition. */
export const memoryLimiterProcessor = defineMemoryLimiter(processProbe);
