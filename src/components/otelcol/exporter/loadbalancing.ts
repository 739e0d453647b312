// otelcol.exporter.loadbalancing: routes telemetry over a consistent-hash ring of OTLP/gRPC
// backends (by trace id, service, resource, metric name or metric stream) found by a `static`,
// `dns` or `kubernetes` resolver; one otelcol.exporter.otlp-style pipeline (queue, retries,
// connection) per backend, created and closed as the resolver's answer changes (the Collector's
// loadbalancingexporter).
//
// Unlike the Collector, data never dies with a backend that leaves the ring: what its queue still
// holds, and what is failing or waiting for a retry there, is routed again through the current
// ring (see Backend.send). Data whose owner changed while it was failing follows the new owner.

import { Resolver as DnsResolver, lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Batch, Signal } from "../../../otlp/batch.ts";
import type { Route } from "../../../otlp/batch.ts";
import type { DataPoint } from "../../../otlp/batch_partition.ts";
import type { InstrumentationScope, KeyValue } from "../../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Metric } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { consumerCapsule } from "../../../otlp/consumer.ts";
import { PipelineError } from "../../../otlp/errors.ts";
import type { Resource } from "../../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Logger } from "../../../runtime/logger.ts";
import type { MetricsRegistry } from "../../../runtime/metrics.ts";
import { type BlockSpec, type Schema, attr, required, t } from "../../../runtime/schema.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { type Channel, type GrpcClientArgs, OTLP_TYPE, type OtlpGrpcArgs, clientSchema, connectionKey, openChannel, sendGrpc, validateClient } from "./otlp.ts";
import { ExporterPipeline } from "./shared/exporter.ts";
import { type KubernetesResolverArgs, startKubernetesResolver, validateKubernetesResolver } from "./shared/k8s_endpoints.ts";
import { type QueueArgs, queueBlock } from "./shared/queue.ts";
import { type RetryArgs, WAKE_EVENT, retryBlock } from "./shared/retry.ts";

/** Decoded `protocol > otlp` block: otelcol.exporter.otlp's arguments without `client.endpoint`. */
export interface LbOtlpArgs {
  timeout: number;
  client: Omit<GrpcClientArgs, "endpoint">;
  queue: QueueArgs;
  retry: RetryArgs;
}

/** Decoded `resolver` block. */
export interface ResolverArgs {
  static?: { hostnames: string[] };
  dns?: { hostname: string; port: string; interval: number; timeout: number };
  kubernetes?: KubernetesResolverArgs;
  aws_cloud_map?: unknown;
}

export interface LoadBalancingArgs {
  routing_key: string;
  timeout: number;
  resolver: ResolverArgs;
  protocol: { otlp: LbOtlpArgs };
  sending_queue: QueueArgs;
  retry_on_failure: RetryArgs;
  debug_metrics: { disable_high_cardinality_metrics: boolean };
}

const ROUTING_KEYS = ["traceID", "service", "resource", "metric", "streamID"];

/** Default port of hostnames without one (the Collector's defaultPort). */
const DEFAULT_PORT = "4317";

/**
 * SOLDER_DNS_SERVER=host:port makes the `dns` resolver ask that server (A and AAAA queries)
 * instead of the system resolver; meant for tests and for hosts whose resolv.conf is wrong.
 */
export const DNS_SERVER_ENV = "SOLDER_DNS_SERVER";

const { endpoint: _endpoint, ...clientAttrs } = clientSchema.attrs!;
const lbClientSchema: Schema = {
  ...clientSchema,
  attrs: clientAttrs,
  // The endpoint comes from the resolver; a placeholder lets the otlp checks run unchanged.
  validate: (c: Omit<GrpcClientArgs, "endpoint">) => validateClient({ ...c, endpoint: "backend:4317" }),
};

/** Top-level queue and retry: off unless enabled (they re-route to a new set of backends). */
const offByDefault = (b: BlockSpec): BlockSpec => ({ ...b, schema: { ...b.schema, attrs: { ...b.schema.attrs, enabled: attr(t.bool, false) } } });

function validateResolver(r: ResolverArgs): string[] {
  const problems: string[] = [];
  if (r.aws_cloud_map !== undefined) problems.push("resolver.aws_cloud_map is not supported by solder (it needs the AWS Cloud Map API): use static, dns or kubernetes");
  if (!r.static && !r.dns && !r.kubernetes && !r.aws_cloud_map) problems.push("resolver: one of static, dns or kubernetes must be specified");
  if (r.kubernetes) problems.push(...validateKubernetesResolver(r.kubernetes));
  if (r.static && r.static.hostnames.length === 0) problems.push("resolver.static: hostnames must not be empty");
  if (r.dns) {
    if (r.dns.hostname === "") problems.push("resolver.dns: hostname must not be empty");
    if (!/^\d+$/.test(r.dns.port) || Number(r.dns.port) > 65535) problems.push(`resolver.dns: invalid port "${r.dns.port}"`);
    if (r.dns.interval <= 0) problems.push("resolver.dns: interval must be greater than zero");
  }
  return problems;
}

function validateArgs(a: LoadBalancingArgs): string[] {
  if (!ROUTING_KEYS.includes(a.routing_key)) return [`invalid routing key "${a.routing_key}": want one of ${ROUTING_KEYS.map((k) => `"${k}"`).join(", ")}`];
  return [];
}

/** The signals each routing_key accepts (Alloy: traceID → traces and logs; service → all; the rest → metrics). */
export const SIGNALS_OF_KEY: Record<string, readonly Signal[]> = {
  traceID: ["traces", "logs"],
  service: ["traces", "logs", "metrics"],
  resource: ["metrics"],
  metric: ["metrics"],
  streamID: ["metrics"],
};

/** `otelcol.exporter.loadbalancing`. */
export const loadBalancingExporter = defineComponent<LoadBalancingArgs>({
  name: "otelcol.exporter.loadbalancing",
  summary: "Routes telemetry by trace id, service, resource, metric name or stream over a consistent-hash ring of OTLP/gRPC backends from a static list, DNS or Kubernetes EndpointSlices.",
  stability: "generally-available",
  args: {
    attrs: { routing_key: attr(t.string, "traceID"), timeout: attr(t.duration, 0) },
    blocks: {
      resolver: {
        required: true,
        schema: {
          blocks: {
            static: { schema: { attrs: { hostnames: required(t.list(t.string)) } } },
            dns: {
              schema: {
                attrs: { hostname: required(t.string), port: attr(t.string, DEFAULT_PORT), interval: attr(t.duration, 5_000), timeout: attr(t.duration, 1_000) },
              },
            },
            kubernetes: {
              schema: { attrs: { service: required(t.string), ports: attr(t.list(t.int), [4317]), timeout: attr(t.duration, 1_000), return_hostnames: attr(t.bool, false) } },
            },
            aws_cloud_map: {
              schema: {
                attrs: {
                  namespace: required(t.string),
                  service_name: required(t.string),
                  interval: attr(t.duration, 30_000),
                  timeout: attr(t.duration, 5_000),
                  health_status: attr(t.string, "HEALTHY"),
                  port: attr(t.int),
                },
              },
            },
          },
          validate: validateResolver,
        },
      },
      protocol: {
        defaultPresent: true,
        schema: {
          blocks: {
            otlp: {
              defaultPresent: true,
              schema: {
                attrs: { timeout: attr(t.duration, 5_000) },
                blocks: { client: { defaultPresent: true, schema: lbClientSchema }, queue: queueBlock, retry: retryBlock },
              },
            },
          },
        },
      },
      sending_queue: offByDefault(queueBlock),
      retry_on_failure: offByDefault(retryBlock),
      debug_metrics: debugMetricsBlock,
    },
    validate: validateArgs,
  },
  exports: ["input"],
  build(opts, initial) {
    const lb = new LoadBalancer(opts.id, opts.logger, opts.metrics, initial, opts.drainTimeoutMs);
    const outer = new ExporterPipeline(
      { type: "loadbalancing", id: opts.id, logger: opts.logger, metrics: opts.metrics, send: (batch) => lb.route(batch), drainTimeoutMs: opts.drainTimeoutMs },
      { retry: initial.retry_on_failure, queue: initial.sending_queue },
    );
    opts.onStateChange({ input: consumerCapsule(outer.consumer) });
    return {
      async run(signal) {
        lb.start();
        await outer.run(signal);
        await lb.stop();
      },
      update(next) {
        lb.update(next);
        outer.update({ retry: next.retry_on_failure, queue: next.sending_queue });
      },
    };
  },
});

// ---- the ring ------------------------------------------------------------------------------------

/** Ring size and points per endpoint, as in the Collector's loadbalancingexporter. */
const MAX_POSITIONS = 36_000;
const POINTS_PER_ENDPOINT = 100;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE), the hash the Collector's ring uses. */
export function crc32(...parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const utf8 = new TextEncoder();

/** A consistent-hash ring: POINTS_PER_ENDPOINT points per endpoint on [0, MAX_POSITIONS); deterministic. */
export class HashRing {
  /** Endpoints, sorted; route() answers an index into this list. */
  readonly endpoints: readonly string[];
  private readonly positions: Uint32Array;
  private readonly owners: Uint32Array;

  constructor(endpoints: readonly string[]) {
    this.endpoints = [...new Set(endpoints)].sort();
    const points: [number, number][] = [];
    this.endpoints.forEach((ep, idx) => {
      const bytes = utf8.encode(ep);
      for (let i = 0; i < POINTS_PER_ENDPOINT; i++) points.push([crc32(bytes, Uint8Array.of(i & 0xff)) % MAX_POSITIONS, idx]);
    });
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.positions = Uint32Array.from(points, (p) => p[0]);
    this.owners = Uint32Array.from(points, (p) => p[1]);
  }

  /** Index (into `endpoints`) of the owner of a key: the first point at or after its position, wrapping. */
  route(key: Uint8Array): number {
    if (this.positions.length === 0) throw new Error("empty ring");
    const pos = crc32(key) % MAX_POSITIONS;
    let lo = 0;
    let hi = this.positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === this.positions.length ? 0 : lo]!;
  }

  /** The owning endpoint of a key. */
  endpointFor(key: Uint8Array | string): string {
    return this.endpoints[this.route(typeof key === "string" ? utf8.encode(key) : key)]!;
  }
}

/** service.name of a resource, "" when absent. */
function serviceOf(r: Resource | undefined): string {
  const v = r?.attributes.find((a) => a.key === "service.name")?.value?.value;
  return v?.case === "stringValue" ? v.value : "";
}

/** A stable identity of a resource: its attributes, sorted. */
function resourceKey(r: Resource | undefined): string {
  const attrs = (r?.attributes ?? []).map((a) => `${a.key}=${JSON.stringify(a.value?.value ?? null, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
  return attrs.sort().join("\u0000");
}

/** A stable identity of a scope: name, version and attributes. */
function scopeKey(s: InstrumentationScope | undefined): string {
  return `${s?.name ?? ""}\u0000${s?.version ?? ""}\u0000${attrsKey(s?.attributes ?? [])}`;
}

function attrsKey(attrs: readonly KeyValue[]): string {
  return attrs.map((a) => `${a.key}=${JSON.stringify(a.value?.value ?? null, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`).sort().join("\u0000");
}

/**
 * The identity of a metric data point's stream, as the Collector's streamID key: resource,
 * scope, the metric's name, unit and type (with temporality and monotonicity), and the point's
 * attributes. Points of one stream always go to one backend.
 */
function streamKey(resource: Resource | undefined, scope: InstrumentationScope | undefined, m: Metric, dp: DataPoint): string {
  const data = m.data.value as { aggregationTemporality?: number; isMonotonic?: boolean } | undefined;
  const type = `${m.data.case ?? ""}/${data?.aggregationTemporality ?? ""}/${data?.isMonotonic ?? ""}`;
  return [resourceKey(resource), scopeKey(scope), m.name, m.unit, type, attrsKey(dp.attributes as KeyValue[])].join("\u0001");
}

/** The route of a batch under a routing_key and ring; a signal the key does not route is refused (as Alloy has no consumer for it). */
function routeFor(key: string, signal: Signal, ring: HashRing): Route {
  if (!SIGNALS_OF_KEY[key]!.includes(signal)) {
    throw PipelineError.permanent(`telemetry type is not supported: otelcol.exporter.loadbalancing with routing_key "${key}" accepts ${SIGNALS_OF_KEY[key]!.join(" and ")} only, not ${signal}`);
  }
  switch (key) {
    case "traceID":
      return { by: "traceId", pick: (id) => ring.route(id) };
    case "service":
      return { by: "resource", pick: (r) => ring.route(utf8.encode(serviceOf(r))) };
    case "resource":
      return { by: "resource", pick: (r) => ring.route(utf8.encode(resourceKey(r))) };
    case "metric":
      return { by: "metricName", pick: (name) => ring.route(name) };
    default:
      return { by: "stream", pick: (r, s, m, dp) => ring.route(utf8.encode(streamKey(r, s, m, dp))) };
  }
}

// ---- backends and routing ------------------------------------------------------------------------

/** One backend: an otlp exporter pipeline for one endpoint. */
interface Backend {
  endpoint: string;
  pipeline: ExporterPipeline;
  channel?: Promise<Channel>;
  stop: AbortController;
  /** Dispatches WAKE_EVENT to end the pipeline's retry waits (on removal: re-route now). */
  wake: EventTarget;
  running: Promise<void>;
  /** Set once the resolver dropped it: what it still holds is routed again. */
  removed: boolean;
  /** Items it handed back to the ring. */
  rerouted: number;
}

/** The ring, its backends and the resolver loop of one component. */
class LoadBalancer {
  private ring = new HashRing([]);
  private readonly backends = new Map<string, Backend>();
  /** The ring each part was routed with: a part whose ring is gone is routed again when it fails. */
  private readonly routedWith = new WeakMap<Batch<Signal>, HashRing>();
  /** Removed backends still draining, by endpoint: a backend that comes back starts after (its persistent queue is the same log). */
  private readonly draining = new Map<string, Promise<void>>();
  private resolver: { stop(): void } | undefined;
  private started = false;

  constructor(
    private readonly id: string,
    private readonly logger: Logger,
    private readonly metrics: MetricsRegistry,
    private args: LoadBalancingArgs,
    /** --shutdown.drain-timeout, for the backends' queues too. */
    private readonly drainTimeoutMs?: number,
  ) {}

  start(): void {
    this.started = true;
    this.resolver = startResolver(this.args.resolver, this.logger, (eps) => this.setEndpoints(eps));
  }

  async stop(): Promise<void> {
    this.resolver?.stop();
    this.resolver = undefined;
    const all = [...this.backends.values()];
    for (const b of all) b.stop.abort();
    // Backends that left the ring may still be draining (within the drain timeout): wait for
    // them too, or their queues are cut off when the process exits, unlogged.
    await Promise.all([...all.map((b) => b.running), ...this.draining.values()]);
    for (const b of all) void b.channel?.then((c) => c.close()).catch(() => {});
  }

  update(next: LoadBalancingArgs): void {
    const prev = this.args;
    this.args = next;
    const p = next.protocol.otlp;
    if (JSON.stringify(connKey(prev)) !== JSON.stringify(connKey(next))) {
      for (const b of this.backends.values()) closeLater(b, (prev.protocol.otlp.timeout || 30_000) + 1_000);
    }
    for (const b of this.backends.values()) b.pipeline.update({ retry: p.retry, queue: backendQueue(next) });
    if (this.started && JSON.stringify(prev.resolver) !== JSON.stringify(next.resolver)) {
      this.resolver?.stop();
      this.resolver = startResolver(next.resolver, this.logger, (eps) => this.setEndpoints(eps));
    }
  }

  /** Applies a resolver answer: new backends first, then the new ring, then old backends hand over and close. */
  setEndpoints(endpoints: string[]): void {
    const next = new HashRing(endpoints);
    if (next.endpoints.join(",") === this.ring.endpoints.join(",")) return;
    for (const ep of next.endpoints) if (!this.backends.has(ep)) this.backends.set(ep, this.newBackend(ep));
    this.ring = next;
    this.logger.info("Resolved backends changed", { endpoints: next.endpoints.join(",") });
    for (const [ep, b] of this.backends) {
      if (next.endpoints.includes(ep)) {
        // Data failing here may now belong elsewhere: try again at once (send re-routes it).
        b.wake.dispatchEvent(new Event(WAKE_EVENT));
        continue;
      }
      this.backends.delete(ep);
      b.removed = true;
      // Its queue drains through send(), which now re-routes; retry waits end at once.
      b.stop.abort();
      b.wake.dispatchEvent(new Event(WAKE_EVENT));
      const done = b.running.then(() => {
        this.logger.info("Backend left the ring; what it still held was routed again", { endpoint: ep, rerouted_items: b.rerouted });
        return b.channel?.then((c) => c.close()).catch(() => {});
      });
      this.draining.set(ep, done);
      void done.then(() => this.draining.get(ep) === done && this.draining.delete(ep));
    }
  }

  /** Splits a batch by owner and hands each part to its backend (returns once all are queued or sent). */
  async route(batch: Batch<Signal>): Promise<void> {
    const ring = this.ring;
    const route = routeFor(this.args.routing_key, batch.signal, ring);
    if (ring.endpoints.length === 0) throw PipelineError.retryable("no backends resolved yet: nothing to export to");
    // A clone, so that a retry of this batch still has all of it.
    const parts = batch.clone().partition(ring.endpoints.length, route);
    const sends: Promise<void>[] = [];
    parts.forEach((part, i) => {
      if (part.resourceCount() === 0) return;
      const b = this.backends.get(ring.endpoints[i]!)!;
      this.routedWith.set(part, ring);
      sends.push(b.pipeline.consumer.consumeTraces(part as Batch<"traces">));
    });
    const all = Promise.all(sends).then(() => {});
    return this.args.timeout > 0 ? withTimeout(all, this.args.timeout) : all;
  }

  /** True when `batch`, handed to a backend, should go through the ring again instead of being sent there. */
  private stale(b: Backend, batch: Batch<Signal>): boolean {
    if (b.removed) return true;
    const ring = this.routedWith.get(batch);
    return ring !== undefined && ring !== this.ring;
  }

  private newBackend(endpoint: string): Backend {
    const b: Backend = { endpoint, pipeline: undefined as unknown as ExporterPipeline, stop: new AbortController(), wake: new EventTarget(), running: Promise.resolve(), removed: false, rerouted: 0 };
    const send = async (batch: Batch<Signal>, signal: AbortSignal): Promise<void> => {
      // Dropped by the resolver, or the ring changed after a failure: the current owners get it.
      if (b.removed) return this.reroute(b, batch);
      const args = this.backendArgs(endpoint);
      b.channel ??= openChannel(args.client);
      try {
        await sendGrpc(args, b.channel, batch, signal, this.logger);
      } catch (err) {
        if (!PipelineError.from(err).permanent && this.stale(b, batch)) return this.reroute(b, batch);
        throw err;
      }
    };
    const p = this.args.protocol.otlp;
    const queue = backendQueue(this.args);
    b.pipeline = new ExporterPipeline(
      { type: OTLP_TYPE, id: `${this.id}/${endpoint}`, logger: this.logger, metrics: this.metrics, send, wake: b.wake, drainTimeoutMs: this.drainTimeoutMs },
      { retry: p.retry, queue },
    );
    // A backend that comes back while its old self still drains starts after it when its queue is
    // persistent (both would open the same log). A queue that cannot start (a log that cannot be
    // opened) is logged, not left as a rejected promise; its input then refuses data retryably.
    const previous = (queue.storage !== undefined && this.draining.get(endpoint)) || Promise.resolve();
    b.running = previous.then(() => b.pipeline.run(b.stop.signal)).catch((err) => this.logger.error("the sending queue of a backend could not start", { endpoint, err }));
    return b;
  }

  /** Hands a batch a backend holds back to the ring (its new owners' queues). */
  private async reroute(b: Backend, batch: Batch<Signal>): Promise<void> {
    this.logger.debug("Re-routing data of a backend that left the ring or whose route changed", { endpoint: b.endpoint, items: batch.itemCount() });
    await this.route(batch);
    b.rerouted += batch.itemCount();
  }

  private backendArgs(endpoint: string): OtlpGrpcArgs {
    const p = this.args.protocol.otlp;
    return {
      timeout: p.timeout,
      client: { ...p.client, endpoint } as GrpcClientArgs,
      retry_on_failure: p.retry,
      sending_queue: p.queue,
      debug_metrics: this.args.debug_metrics,
    };
  }
}

/** A backend's queue: off when the top-level sending_queue is on (upstream: two queues in a row only add latency). */
function backendQueue(a: LoadBalancingArgs): QueueArgs {
  return a.sending_queue.enabled ? { ...a.protocol.otlp.queue, enabled: false } : a.protocol.otlp.queue;
}

function connKey(a: LoadBalancingArgs): string {
  return connectionKey({ ...a.protocol.otlp.client, endpoint: "" } as GrpcClientArgs);
}

/** Closes a backend's connection after `graceMs`; the next send opens a new one. */
function closeLater(b: Backend, graceMs: number): void {
  const old = b.channel;
  b.channel = undefined;
  const timer = setTimeout(() => void old?.then((c) => c.close()).catch(() => {}), graceMs);
  (timer as { unref?: () => void }).unref?.();
}

/** Fails with a retryable error when `p` takes longer than `ms` (the top-level `timeout`). */
function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(PipelineError.retryable(`timed out after ${ms}ms handing data to the backends`)), ms);
    (timer as { unref?: () => void }).unref?.();
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

// ---- resolvers -----------------------------------------------------------------------------------

/** host:port, adding the default port when there is none (IPv6 literals in brackets). */
export function withPort(host: string, port = DEFAULT_PORT): string {
  if (host.startsWith("[")) return /\]:\d+$/.test(host) ? host : `${host}:${port}`;
  if (isIP(host) === 6) return `[${host}]:${port}`;
  return /:\d+$/.test(host) ? host : `${host}:${port}`;
}

/** Starts the configured resolver (kubernetes over dns over static, as upstream); `onChange` gets every new endpoint list. */
function startResolver(r: ResolverArgs, logger: Logger, onChange: (endpoints: string[]) => void): { stop(): void } {
  if (r.kubernetes) return startKubernetesResolver(r.kubernetes, { logger, onChange });
  if (r.dns) return startDns(r.dns, logger, onChange);
  onChange((r.static?.hostnames ?? []).map((h) => withPort(h)));
  return { stop() {} };
}

/** Resolves `hostname` now and every `interval`; a failed lookup keeps the previous answer. */
function startDns(d: NonNullable<ResolverArgs["dns"]>, logger: Logger, onChange: (endpoints: string[]) => void): { stop(): void } {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const ips = await resolveHost(d.hostname, d.timeout);
      if (!stopped) onChange(ips.map((ip) => (isIP(ip) === 6 ? `[${ip}]:${d.port}` : `${ip}:${d.port}`)));
    } catch (err) {
      if (!stopped) logger.warn("DNS resolution failed; keeping the previous backends", { hostname: d.hostname, error: (err as Error).message });
    }
    if (!stopped) timer = setTimeout(() => void tick(), d.interval);
  };
  void tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** IPv4 and IPv6 addresses of a name: from SOLDER_DNS_SERVER when set, else the system resolver. */
export async function resolveHost(hostname: string, timeoutMs: number): Promise<string[]> {
  const server = process.env[DNS_SERVER_ENV];
  const work = async (): Promise<string[]> => {
    if (!server) return (await lookup(hostname, { all: true })).map((a) => a.address).sort();
    const res = new DnsResolver({ timeout: timeoutMs > 0 ? timeoutMs : 1_000, tries: 1 });
    res.setServers([server]);
    const [v4, v6] = await Promise.allSettled([res.resolve4(hostname), res.resolve6(hostname)]);
    if (v4.status === "rejected" && v6.status === "rejected") throw v4.reason;
    return [...(v4.status === "fulfilled" ? v4.value : []), ...(v6.status === "fulfilled" ? v6.value : [])].sort();
  };
  if (timeoutMs <= 0) return work();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`DNS lookup of ${hostname} timed out after ${timeoutMs}ms`)), timeoutMs)));
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
