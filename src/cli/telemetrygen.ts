// `solder telemetrygen traces|metrics|logs`: an OTLP load generator (after the Collector's
// telemetrygen) for operators and for `make bench`. Sends pre-encoded requests over gRPC,
// OTLP/HTTP protobuf or JSON at a fixed item rate or as fast as the server answers, bounded by
// a duration and/or an item count, and reports sent / refused / failed items and latency
// percentiles (text, or one JSON object with --json).

import { parseDuration } from "../runtime/duration.ts";
import type { Signal } from "../otlp/batch.ts";
import { type FlagSpec, UsageError, parseFlags } from "./flags.ts";
import type { Io } from "./io.ts";
import { buildPayloads } from "./telemetrygen/data.ts";
import { type Prepared, type Protocol, type Sender, grpcSender, httpSender, prepare } from "./telemetrygen/senders.ts";
import { Counters, LatencyRecorder, type Percentiles } from "./telemetrygen/stats.ts";

export const TELEMETRYGEN_FLAGS: FlagSpec[] = [
  { name: "protocol", kind: "string", default: "grpc", help: "grpc, http/protobuf or http/json" },
  { name: "endpoint", kind: "string", default: "", help: "host:port (gRPC default 127.0.0.1:4317, HTTP default 127.0.0.1:4318) or a URL; HTTP appends /v1/<signal> when the URL has no path" },
  { name: "rate", kind: "string", default: "0", help: "Items per second over all workers; 0 sends as fast as answers come back" },
  { name: "duration", kind: "string", default: "10s", help: "How long to send (Go duration); 0 for no time bound (then --count is needed)" },
  { name: "count", kind: "string", default: "0", help: "Items to send in total (the last request carries the remainder); 0 for no count bound" },
  { name: "workers", kind: "string", default: "1", help: "Concurrent requests in flight" },
  { name: "batch-size", kind: "string", default: "100", help: "Items (spans, data points, log records) per request" },
  { name: "attributes", kind: "string", default: "5", help: "Attributes per item" },
  { name: "attribute-size", kind: "string", default: "16", help: "Characters per attribute value" },
  { name: "resource-attributes", kind: "string", default: "3", help: "Extra resource attributes (besides service.name, deployment.environment, service.version)" },
  { name: "service", kind: "string", default: "telemetrygen", help: "service.name of the generated resource" },
  { name: "gzip", kind: "bool", default: false, help: "Compress request bodies with gzip (done once, before sending)" },
  { name: "seed", kind: "string", default: "1", help: "PRNG seed; the same flags and seed send the same ids and values" },
  { name: "variants", kind: "string", default: "16", help: "Distinct requests built ahead and sent in turn (ids repeat every N requests)" },
  { name: "timeout", kind: "string", default: "5s", help: "Per-request timeout; a request without an answer by then counts as failed" },
  { name: "json", kind: "bool", default: false, help: "Print the report as one JSON object" },
];

const SIGNALS: readonly Signal[] = ["traces", "metrics", "logs"];
const PROTOCOLS: readonly Protocol[] = ["grpc", "http/protobuf", "http/json"];

/** Parsed telemetrygen options. */
export interface GenOptions {
  signal: Signal;
  protocol: Protocol;
  endpoint: string;
  rate: number;
  durationMs: number;
  count: number;
  workers: number;
  batchSize: number;
  attributes: number;
  attributeSize: number;
  resourceAttributes: number;
  service: string;
  gzip: boolean;
  seed: number;
  variants: number;
  timeoutMs: number;
  /** Print the report as JSON. */
  json: boolean;
}

/** What a run reports. */
export interface GenReport {
  signal: Signal;
  protocol: Protocol;
  endpoint: string;
  gzip: boolean;
  elapsedSec: number;
  requests: number;
  sentItems: number;
  refusedItems: number;
  failedItems: number;
  refusedRequests: number;
  failedRequests: number;
  itemsPerSec: number;
  requestBytes: number;
  latencyMs: Percentiles;
  reasons: Record<string, number>;
}

function intFlag(flags: Record<string, string | boolean>, name: string, min: number): number {
  const raw = String(flags[name]);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`invalid --${name} "${raw}": want an integer ≥ ${min}`);
  return n;
}

function durationFlag(flags: Record<string, string | boolean>, name: string): number {
  const raw = String(flags[name]);
  if (raw === "0") return 0;
  try {
    const ms = parseDuration(raw);
    if (ms < 0) throw new Error("negative");
    return ms;
  } catch {
    throw new UsageError(`invalid --${name} "${raw}": want a duration such as 10s or 1m30s`);
  }
}

/** Parses argv into options; throws UsageError on a bad or missing value. */
export function parseGenOptions(argv: string[]): GenOptions {
  const { flags, positional } = parseFlags(argv, TELEMETRYGEN_FLAGS);
  const signal = positional[0] as Signal;
  if (positional.length !== 1 || !SIGNALS.includes(signal)) throw new UsageError("telemetrygen needs one signal: traces, metrics or logs");
  const protocol = String(flags.protocol) as Protocol;
  if (!PROTOCOLS.includes(protocol)) throw new UsageError(`invalid --protocol "${protocol}": want grpc, http/protobuf or http/json`);
  const rate = Number(flags.rate);
  if (!Number.isFinite(rate) || rate < 0) throw new UsageError(`invalid --rate "${flags.rate}": want a number ≥ 0`);
  const opts: GenOptions = {
    signal,
    protocol,
    endpoint: String(flags.endpoint) || (protocol === "grpc" ? "127.0.0.1:4317" : "127.0.0.1:4318"),
    rate,
    durationMs: durationFlag(flags, "duration"),
    count: intFlag(flags, "count", 0),
    workers: intFlag(flags, "workers", 1),
    batchSize: intFlag(flags, "batch-size", 1),
    attributes: intFlag(flags, "attributes", 0),
    attributeSize: intFlag(flags, "attribute-size", 0),
    resourceAttributes: intFlag(flags, "resource-attributes", 0),
    service: String(flags.service),
    gzip: flags.gzip === true,
    seed: intFlag(flags, "seed", 0),
    variants: intFlag(flags, "variants", 1),
    timeoutMs: durationFlag(flags, "timeout") || 5000,
    json: flags.json === true,
  };
  if (opts.durationMs === 0 && opts.count === 0) throw new UsageError("telemetrygen needs a bound: --duration, --count or both");
  return opts;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sends the load described by `opts` and returns the report; stops early when `stop` aborts. */
export async function generate(opts: GenOptions, stop?: AbortSignal): Promise<GenReport> {
  const fullRequests = opts.count > 0 ? Math.floor(opts.count / opts.batchSize) : Infinity;
  const tailItems = opts.count > 0 ? opts.count % opts.batchSize : 0;
  const totalRequests = fullRequests + (tailItems > 0 ? 1 : 0);
  const shape = { signal: opts.signal, items: opts.batchSize, attributes: opts.attributes, attributeSize: opts.attributeSize, resourceAttributes: opts.resourceAttributes, serviceName: opts.service };
  const { pool, tail } = buildPayloads(shape, opts.seed, opts.variants, tailItems);
  const bodies: Prepared[] = pool.map((p) => prepare(p, opts.protocol, opts.gzip));
  const tailBody = tail ? prepare(tail, opts.protocol, opts.gzip) : undefined;
  const counters = new Counters();
  const latency = new LatencyRecorder();
  const requestsPerMs = opts.rate > 0 ? opts.rate / opts.batchSize / 1000 : 0;
  let nextSlot = 0;
  let requestBytes = 0;
  const start = performance.now();
  const deadline = opts.durationMs > 0 ? start + opts.durationMs : Infinity;

  const worker = async (sender: Sender) => {
    for (;;) {
      const slot = nextSlot++;
      if (slot >= totalRequests || stop?.aborted) return;
      if (requestsPerMs > 0) {
        const due = start + slot / requestsPerMs;
        const wait = due - performance.now();
        if (due >= deadline) return;
        if (wait > 0) await sleep(wait);
      }
      if (performance.now() >= deadline) return;
      const body = slot === fullRequests && tailBody ? tailBody : bodies[slot % bodies.length]!;
      requestBytes += body.body.length;
      const t0 = performance.now();
      const outcome = await sender.send(body);
      latency.record(performance.now() - t0);
      counters.add(outcome.kind, body.items, outcome.kind === "ok" ? undefined : outcome.reason);
    }
  };

  const senders = Array.from({ length: opts.workers }, () =>
    opts.protocol === "grpc" ? grpcSender(opts.endpoint, opts.signal, opts.gzip, opts.timeoutMs) : httpSender(opts.endpoint, opts.signal, opts.protocol, opts.gzip, opts.timeoutMs),
  );
  try {
    await Promise.all(senders.map(worker));
  } finally {
    for (const s of senders) s.close();
  }
  const elapsedSec = (performance.now() - start) / 1000;
  return {
    signal: opts.signal,
    protocol: opts.protocol,
    endpoint: opts.endpoint,
    gzip: opts.gzip,
    elapsedSec,
    requests: counters.requests,
    sentItems: counters.sentItems,
    refusedItems: counters.refusedItems,
    failedItems: counters.failedItems,
    refusedRequests: counters.refusedRequests,
    failedRequests: counters.failedRequests,
    itemsPerSec: elapsedSec > 0 ? counters.sentItems / elapsedSec : 0,
    requestBytes,
    latencyMs: latency.percentiles(),
    reasons: Object.fromEntries(counters.reasons),
  };
}

/** The human-readable report. */
export function formatReport(r: GenReport): string {
  const f = (ms: number) => ms.toFixed(2);
  const lines = [
    `telemetrygen ${r.signal} → ${r.endpoint} (${r.protocol}${r.gzip ? ", gzip" : ""}) in ${r.elapsedSec.toFixed(2)}s`,
    `  requests  ${r.requests}`,
    `  sent      ${r.sentItems} items (${Math.round(r.itemsPerSec)} items/s)`,
    `  refused   ${r.refusedItems} items in ${r.refusedRequests} requests`,
    `  failed    ${r.failedItems} items in ${r.failedRequests} requests`,
    `  latency   p50 ${f(r.latencyMs.p50)}ms  p90 ${f(r.latencyMs.p90)}ms  p99 ${f(r.latencyMs.p99)}ms  p99.9 ${f(r.latencyMs.p999)}ms  max ${f(r.latencyMs.max)}ms`,
  ];
  for (const [reason, n] of Object.entries(r.reasons)) lines.push(`  ${n}× ${reason}`);
  return lines.join("\n") + "\n";
}

/** Runs `telemetrygen`; exit code 0 when every request was accepted, 1 otherwise. */
export async function telemetrygenCommand(argv: string[], io: Io): Promise<number> {
  const opts = parseGenOptions(argv);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const report = await generate(opts, stop.signal);
    io.stdout(opts.json ? JSON.stringify(report) + "\n" : formatReport(report));
    return report.refusedRequests + report.failedRequests === 0 ? 0 : 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
