// `otelcol.connector.host_info` (spec: alloy-components.md §3): collects the distinct host ids
// named by the resources of incoming traces and emits them as the gauge `traces_host_info`, on
// a ticker and once more at shutdown. Only resources are read, so incoming batches stay lite.

import { create } from "@bufbuild/protobuf";
import type { AnyValue } from "../../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { ResourceMetricsSchema } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Resource } from "../../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { Batch, type MetricsBatch, type Signal, type TracesBatch } from "../../../otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../otlp/consumer.ts";
import { PipelineError } from "../../../otlp/errors.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Logger } from "../../../runtime/logger.ts";
import { attr, t } from "../../../runtime/schema.ts";
import { type DebugMetricsArgs, debugMetricsBlock } from "../shared/debug_metrics.ts";
import { deliver, outputBlockFor } from "../shared/output.ts";

export interface HostInfoArgs {
  host_identifiers: string[];
  /** Milliseconds. */
  metrics_flush_interval: number;
  output: { metrics: Consumer[] };
  debug_metrics: DebugMetricsArgs;
}

/** The emitted metric, its one attribute and its scope (Alloy's connector.go constants). */
export const HOST_INFO_METRIC = "traces_host_info";
export const HOST_ID_ATTRIBUTE = "grafana.host.id";
export const HOST_INFO_SCOPE = "hostinfoconnector";

// setInterval treats anything above 2^31-1 ms (~24.8 days) as 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks the arguments as a whole (messages as Alloy's Validate and Update). */
export function validateHostInfoArgs(a: HostInfoArgs): string[] {
  const problems: string[] = [];
  if (a.host_identifiers.length === 0) problems.push("host_identifiers must not be empty");
  if (!(a.metrics_flush_interval > 0)) problems.push("metrics_flush_interval must be greater than 0");
  // Alloy builds no traces→metrics pipeline without a metrics output, and then fails the update.
  if (a.output.metrics.length === 0) problems.push("no connectors were created");
  return problems;
}

/** The component definition. */
export const hostInfoConnector = defineComponent<HostInfoArgs>({
  name: "otelcol.connector.host_info",
  summary: "Counts the distinct hosts seen in traces and emits them as the `traces_host_info` gauge.",
  stability: "generally-available",
  args: {
    attrs: {
      host_identifiers: attr(t.list(t.string), ["host.id"]),
      metrics_flush_interval: attr(t.duration, 60_000),
    },
    blocks: {
      output: outputBlockFor("metrics"),
      debug_metrics: debugMetricsBlock,
    },
    validate: validateHostInfoArgs,
  },
  exports: ["input"],
  build(opts, args) {
    const connector = new HostInfo(args, opts.logger);
    opts.onStateChange({ input: consumerCapsule(connector.input) });
    return {
      run: (signal) => connector.run(signal),
      update: (next) => connector.update(next),
    };
  },
});

/** The host set, the ticker and the sending. */
class HostInfo {
  private args: HostInfoArgs;
  private identifiers: ReadonlySet<string>;
  private hosts = new Set<string>();
  /** Keys already reported as non-string since the last flush, so a busy client logs once per interval. */
  private warned = new Set<string>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private running = false;
  /** Sends run one after another, like upstream's single flushing goroutine. */
  private sending: Promise<void> = Promise.resolve();

  /**
   * Traces only; traces are read, never forwarded, and the call always succeeds. The resources
   * are read before the call returns and nothing is kept, so fan-outs share the batch with it.
   */
  readonly input: Consumer = {
    readOnly: true,
    consumeTraces: async (b) => this.observe(b),
    consumeMetrics: () => Promise.reject(notSupported("metrics")),
    consumeLogs: () => Promise.reject(notSupported("logs")),
  };

  constructor(args: HostInfoArgs, private readonly logger: Logger) {
    this.args = args;
    this.identifiers = new Set(args.host_identifiers);
  }

  /** Starts the ticker; on abort stops it, flushes once more and waits for the sends. */
  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.startTicker();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    this.running = false;
    this.stopTicker();
    await this.flush();
  }

  /**
   * Applies new arguments. Alloy rebuilds the connector on any change, which flushes what is
   * pending to the old outputs and starts a new ticker; solder does the same, but only when
   * something did change, because the runtime also calls update with unchanged arguments.
   * Before run nothing is sent: the pending hosts wait for the first tick.
   */
  update(next: HostInfoArgs): void {
    if (sameArgs(this.args, next)) {
      this.args = next;
      return;
    }
    if (this.running) void this.flush();
    this.args = next;
    this.identifiers = new Set(next.host_identifiers);
    this.stopTicker();
    this.startTicker();
  }

  /** Adds the host ids of every resource that has at least one scope entry (spec §3). */
  private observe(batch: TracesBatch): void {
    const scopes = batch.scopesPerResource();
    const resources = batch.resources();
    for (let i = 0; i < resources.length; i++) {
      if (scopes[i]! > 0) this.collect(resources[i]!);
    }
  }

  /** Every attribute whose key is an identifier counts, not just the first one found. */
  private collect(resource: Resource): void {
    // Upstream reads the attributes as a map, so of duplicate keys the last one wins.
    const found = new Map<string, AnyValue | undefined>();
    for (const kv of resource.attributes) if (this.identifiers.has(kv.key)) found.set(kv.key, kv.value);
    for (const [key, value] of found) {
      if (value?.value.case === "stringValue") this.hosts.add(value.value.value);
      else this.skip(key, value);
    }
  }

  /** Upstream crashes on a non-string id; solder skips it and says so. */
  private skip(key: string, value: AnyValue | undefined): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn("Skipping host identifier that is not a string", { key, type: value?.value.case ?? "empty" });
  }

  private startTicker(): void {
    if (!this.running) return;
    this.ticker = setInterval(() => void this.flush(), Math.min(this.args.metrics_flush_interval, MAX_TIMER_MS));
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Sends the hosts seen so far, if any, to the current outputs and starts a new set. */
  private flush(): Promise<void> {
    if (this.hosts.size === 0) return this.sending;
    const batch = hostInfoBatch(this.hosts, BigInt(Date.now()) * 1_000_000n);
    const to = this.args.output.metrics;
    this.logger.debug("Flushing metrics", { count: this.hosts.size });
    this.hosts = new Set();
    this.warned.clear();
    this.sending = this.sending.then(() => this.send(to, batch));
    return this.sending;
  }

  /** Delivers one payload; a downstream error is logged and the data dropped (spec §3). */
  private async send(to: Consumer[], batch: MetricsBatch): Promise<void> {
    try {
      await deliver(to, batch);
    } catch (err) {
      this.logger.error("Error consuming metrics", { error: PipelineError.from(err).message });
    }
  }
}

/** The payload: empty resource, one scope, one gauge with an int 1 per host, all stamped `now`. */
export function hostInfoBatch(hosts: Iterable<string>, nowNanos: bigint): MetricsBatch {
  const dataPoints = [...hosts].map((id) => ({
    attributes: [{ key: HOST_ID_ATTRIBUTE, value: { value: { case: "stringValue" as const, value: id } } }],
    startTimeUnixNano: nowNanos,
    timeUnixNano: nowNanos,
    value: { case: "asInt" as const, value: 1n },
  }));
  const entry = create(ResourceMetricsSchema, {
    // Set, not left out: pdata always encodes the (empty) resource.
    resource: {},
    scopeMetrics: [{ scope: { name: HOST_INFO_SCOPE }, metrics: [{ name: HOST_INFO_METRIC, data: { case: "gauge", value: { dataPoints } } }] }],
  });
  return Batch.fromResources("metrics", [entry]);
}

/** Alloy's answer for a signal the connector has no pipeline for. */
function notSupported(signal: Signal): PipelineError {
  return PipelineError.retryable(`telemetry type is not supported: otelcol.connector.host_info does not accept ${signal}`);
}

function sameArgs(a: HostInfoArgs, b: HostInfoArgs): boolean {
  const sameList = <T>(x: readonly T[], y: readonly T[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.metrics_flush_interval === b.metrics_flush_interval && sameList(a.host_identifiers, b.host_identifiers) && sameList(a.output.metrics, b.output.metrics);
}
