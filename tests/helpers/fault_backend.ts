// An OTLP backend for fault tests whose behaviour can be switched while it runs: accept, down
// (listener closed, so connections are refused), refuse with an HTTP status (500, 429 with
// Retry-After, 503, 400, …) or a gRPC code (with RetryInfo), or hang (take the request and never
// answer). It decodes every request and counts items by an id carried in each item (span id, or
// the `fault.id` attribute of log records and data points), so that items delivered twice are
// reported apart from items delivered once. Both flavours listen on 127.0.0.1 and keep their
// port across down/up.
//
//   const b = await startHttpFaultBackend();
//   b.setMode({ kind: "down" });            // connection refused from now on
//   b.setMode({ kind: "refuse", status: 429, retryAfterSec: 2 });
//   b.setMode({ kind: "accept" });
//   b.stats.arrived.size; b.stats.duplicates; b.stats.byOutcome["429"];
//   await b.close();
//
// Plus the other half of a fault test: a load client that sends OTLP/HTTP traces with unique
// span ids at a fixed rate and records exactly which items were acknowledged, and an RSS sampler.

import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { readFileSync } from "node:fs";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code as GrpcCode, ConnectError, type HandlerContext, createClient } from "@connectrpc/connect";
import { compressionGzip, connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import { ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema, LogsService } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema, ExportMetricsServiceResponseSchema, MetricsService } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema, TraceService } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { KeyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { ResourceLogs } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { ResourceMetrics } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { ResourceSpans } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { Batch, type Signal } from "../../src/otlp/batch.ts";
import { decompress } from "../../src/components/otelcol/exporter/shared/client.ts";

export { GrpcCode };

/** What the backend does with the next requests. */
export type FaultMode =
  | { kind: "accept" }
  | { kind: "down" }
  | { kind: "hang" }
  /** HTTP: answer `status` (with Retry-After when retryAfterSec is set). */
  | { kind: "refuse"; status: number; retryAfterSec?: number }
  /** gRPC: fail with `code` (with RetryInfo when retryDelayMs is set). */
  | { kind: "refuse-grpc"; code: GrpcCode; retryDelayMs?: number };

/** One request as the backend saw it. */
export interface Attempt {
  /** Date.now() on arrival. */
  at: number;
  /** "200" / "OK", the refusal status or code name, or "hang". */
  outcome: string;
  items: number;
  /** The item ids of the request, in order. */
  ids: string[];
}

/** What the backend counted. */
export class FaultStats {
  /** Ids of items in requests that were answered with success, each once. */
  readonly arrived = new Set<string>();
  /** Items answered with success whose id had arrived before. */
  duplicates = 0;
  /** Items in requests answered with a refusal (every attempt counts). */
  refusedItems = 0;
  /** Items in requests that were left hanging. */
  hungItems = 0;
  /** Requests per outcome. */
  readonly byOutcome: Record<string, number> = {};
  readonly attempts: Attempt[] = [];

  record(outcome: string, ids: string[], ok: boolean): void {
    this.attempts.push({ at: Date.now(), outcome, items: ids.length, ids });
    this.byOutcome[outcome] = (this.byOutcome[outcome] ?? 0) + 1;
    if (outcome === "hang") this.hungItems += ids.length;
    else if (!ok) this.refusedItems += ids.length;
    else
      for (const id of ids) {
        if (this.arrived.has(id)) this.duplicates++;
        else this.arrived.add(id);
      }
  }

  /** How many distinct items of load `tag` arrived. */
  arrivedOf(tag: number): number {
    const prefix = tag.toString(16).padStart(8, "0");
    let n = 0;
    for (const id of this.arrived) if (id.startsWith(prefix)) n++;
    return n;
  }

  /** Attempts that contain item `id`, oldest first. */
  attemptsWith(id: string): Attempt[] {
    return this.attempts.filter((a) => a.ids.includes(id));
  }
}

export interface FaultBackend {
  readonly stats: FaultStats;
  readonly mode: FaultMode;
  /** Switches behaviour; "down" closes the listener and cuts open connections, leaving "down" listens again on the same port. */
  setMode(mode: FaultMode): Promise<void>;
  close(): Promise<void>;
}

export interface HttpFaultBackend extends FaultBackend {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

export interface GrpcFaultBackend extends FaultBackend {
  /** `127.0.0.1:<port>` */
  readonly endpoint: string;
}

// ---- item ids ------------------------------------------------------------------------------------

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function faultId(attrs: KeyValue[]): string | undefined {
  const kv = attrs.find((a) => a.key === "fault.id");
  const v = kv?.value?.value;
  return v?.case === "stringValue" ? v.value : v?.case === "intValue" ? String(v.value) : undefined;
}

/** The id of every item of a request: span ids for spans, the `fault.id` attribute otherwise. */
export function itemIds(batch: Batch<Signal>): string[] {
  const out: string[] = [];
  const full = batch.full();
  if (batch.signal === "traces") {
    for (const rs of full as ResourceSpans[]) for (const ss of rs.scopeSpans) for (const s of ss.spans) out.push(faultId(s.attributes) ?? hex(s.spanId));
  } else if (batch.signal === "logs") {
    for (const rl of full as ResourceLogs[]) for (const sl of rl.scopeLogs) for (const l of sl.logRecords) out.push(faultId(l.attributes) ?? `log-${out.length}`);
  } else {
    for (const rm of full as ResourceMetrics[])
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics) {
          const d = m.data;
          const points: { attributes: KeyValue[] }[] = d.case === undefined ? [] : (d.value as { dataPoints: { attributes: KeyValue[] }[] }).dataPoints;
          for (const p of points) out.push(faultId(p.attributes) ?? `${m.name}-${out.length}`);
        }
  }
  return out;
}

// ---- HTTP ----------------------------------------------------------------------------------------

/** Starts an OTLP/HTTP fault backend in `accept` mode. */
export async function startHttpFaultBackend(): Promise<HttpFaultBackend> {
  const stats = new FaultStats();
  let mode: FaultMode = { kind: "accept" };
  const sockets = new Set<Socket>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => void answer(req, res, Buffer.concat(chunks)));
  };
  const answer = async (req: http.IncomingMessage, res: http.ServerResponse, raw: Uint8Array) => {
    const m = mode;
    const path = req.url ?? "/";
    const signal = (["traces", "metrics", "logs"] as const).find((s) => path.endsWith(`/v1/${s}`)) ?? "traces";
    let ids: string[];
    try {
      const body = await decompress(String(req.headers["content-encoding"] ?? ""), raw);
      const json = String(req.headers["content-type"] ?? "").startsWith("application/json");
      ids = itemIds(json ? Batch.fromJson(signal, new TextDecoder().decode(body)) : Batch.decode(signal, body));
    } catch (err) {
      res.writeHead(400, { "Content-Type": "text/plain" }).end(`fault backend: undecodable request: ${(err as Error).message}`);
      return;
    }
    if (m.kind === "hang") return stats.record("hang", ids, false); // never answered; the client gives up
    if (m.kind === "refuse") {
      stats.record(String(m.status), ids, false);
      const headers: Record<string, string> = { "Content-Type": "text/plain" };
      if (m.retryAfterSec !== undefined) headers["Retry-After"] = String(m.retryAfterSec);
      res.writeHead(m.status, headers).end(`fault backend refuses with ${m.status}`);
      return;
    }
    stats.record("200", ids, true);
    res.writeHead(200, { "Content-Type": "application/x-protobuf" }).end();
  };
  const server = http.createServer(handler);
  server.on("connection", (s: Socket) => (sockets.add(s), s.on("close", () => sockets.delete(s))));
  await listenOn(server, 0);
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    get mode() {
      return mode;
    },
    async setMode(next) {
      const wasDown = mode.kind === "down";
      mode = next;
      if (next.kind === "down" && !wasDown) await stop();
      if (next.kind !== "down" && wasDown) await listenOn(server, port);
    },
    close: () => (mode.kind === "down" ? Promise.resolve() : stop()),
  };
}

// ---- gRPC ----------------------------------------------------------------------------------------

const SERVICES = [
  { signal: "traces", service: TraceService, req: ExportTraceServiceRequestSchema, res: ExportTraceServiceResponseSchema },
  { signal: "metrics", service: MetricsService, req: ExportMetricsServiceRequestSchema, res: ExportMetricsServiceResponseSchema },
  { signal: "logs", service: LogsService, req: ExportLogsServiceRequestSchema, res: ExportLogsServiceResponseSchema },
] as const;

/** Starts an OTLP/gRPC (h2c) fault backend in `accept` mode. */
export async function startGrpcFaultBackend(): Promise<GrpcFaultBackend> {
  const stats = new FaultStats();
  let mode: FaultMode = { kind: "accept" };
  const handler = connectNodeAdapter({
    acceptCompression: [compressionGzip],
    routes(router) {
      for (const s of SERVICES) {
        router.service(s.service as typeof TraceService, {
          async export(request, ctx: HandlerContext) {
            const m = mode;
            const ids = itemIds(Batch.decode(s.signal, toBinary(s.req as typeof ExportTraceServiceRequestSchema, request)));
            if (m.kind === "hang") {
              stats.record("hang", ids, false);
              // Never answered: the call ends when the client cancels it or the connection goes.
              await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
              throw new ConnectError("cancelled", GrpcCode.Canceled);
            }
            if (m.kind === "refuse-grpc") {
              stats.record(GrpcCode[m.code], ids, false);
              const details =
                m.retryDelayMs === undefined
                  ? undefined
                  : [{ desc: RetryInfoSchema, value: { retryDelay: { seconds: BigInt(Math.floor(m.retryDelayMs / 1000)), nanos: (m.retryDelayMs % 1000) * 1e6 } } }];
              throw new ConnectError(`fault backend refuses with ${GrpcCode[m.code]}`, m.code, undefined, details);
            }
            stats.record("OK", ids, true);
            return create(s.res as typeof ExportTraceServiceResponseSchema);
          },
        });
      }
    },
  });
  const server = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s: http2.ServerHttp2Session) => (sessions.add(s), s.on("close", () => sessions.delete(s))));
  await listenOn(server, 0);
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sessions) s.destroy();
    });
  return {
    endpoint: `127.0.0.1:${port}`,
    stats,
    get mode() {
      return mode;
    },
    async setMode(next) {
      const wasDown = mode.kind === "down";
      mode = next;
      if (next.kind === "down" && !wasDown) await stop();
      if (next.kind !== "down" && wasDown) await listenOn(server, port);
    },
    close: () => (mode.kind === "down" ? Promise.resolve() : stop()),
  };
}

/** Listens on 127.0.0.1:`port` (0 = any), retrying briefly while the port is still held. */
async function listenOn(server: http.Server | http2.Http2Server, port: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => (server.off("error", reject), resolve()));
      });
      return;
    } catch (err) {
      if (attempt >= 40 || (err as { code?: string }).code !== "EADDRINUSE") throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

// ---- the load client -----------------------------------------------------------------------------

/** What the load client saw, item by item. */
export interface LoadReport {
  /** The `tag` the item ids carry. */
  tag: number;
  sent: number;
  /** Ids of items whose request was answered 2xx: solder took responsibility for them. */
  acked: Set<string>;
  /** Items refused with a status the client should retry (429, 502, 503, 504; gRPC UNAVAILABLE and the other retryable codes). */
  refusedRetryable: number;
  /** Items refused with any other status. */
  refusedPermanent: number;
  /** Items whose request got no answer (connection error, timeout). */
  failed: number;
  /** Requests per HTTP status or gRPC code name ("error" for no answer). */
  byStatus: Record<string, number>;
}

export interface LoadOptions {
  /** The OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`; or `grpc://127.0.0.1:4317` to send OTLP/gRPC. */
  url: string;
  /** Items per second. */
  rate: number;
  /** Items per request. */
  batch: number;
  durationMs: number;
  /** Distinguishes the ids of one run from another's. */
  tag: number;
  /** Requests in flight at most (default 4). */
  concurrency?: number;
  timeoutMs?: number;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
// What an OTLP/gRPC client retries (RESOURCE_EXHAUSTED only with RetryInfo, which solder's receiver never sends).
const RETRYABLE_GRPC = new Set([GrpcCode.Canceled, GrpcCode.DeadlineExceeded, GrpcCode.Aborted, GrpcCode.OutOfRange, GrpcCode.Unavailable, GrpcCode.DataLoss]);

/** The OTLP request of items first…first+n-1: one span each, span id = tag·2^32 + sequence number. */
export function traceRequest(tag: number, first: number, n: number): { body: Uint8Array; ids: string[] } {
  const ids: string[] = [];
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  for (let i = 0; i < n; i++) {
    const spanId = new Uint8Array(8);
    const view = new DataView(spanId.buffer);
    view.setUint32(0, tag);
    view.setUint32(4, first + i + 1);
    const traceId = new Uint8Array(16);
    traceId.set(spanId, 8);
    traceId[0] = 0xfa;
    ids.push(hex(spanId));
    spans.push({
      traceId,
      spanId,
      name: "fault-test",
      kind: 2,
      startTimeUnixNano: now,
      endTimeUnixNano: now + 1_000_000n,
      attributes: [{ key: "seq", value: { value: { case: "intValue" as const, value: BigInt(first + i) } } }],
    });
  }
  const req = create(ExportTraceServiceRequestSchema, {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue", value: "fault-test" } } }] },
        scopeSpans: [{ scope: { name: "fault-test" }, spans }],
      },
    ],
  });
  return { body: toBinary(ExportTraceServiceRequestSchema, req), ids };
}

/** How one request ended, in the terms of the report. */
type Outcome = { key: string; kind: "acked" | "retryable" | "permanent" | "failed" };

/** One request over OTLP/HTTP (fetch) or OTLP/gRPC (connect-node), classified. */
function requester(o: LoadOptions): (body: Uint8Array) => Promise<Outcome> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  if (o.url.startsWith("grpc://")) {
    const client = createClient(TraceService, createGrpcTransport({ baseUrl: `http://${o.url.slice("grpc://".length)}` }));
    return async (body) => {
      try {
        await client.export(fromBinary(ExportTraceServiceRequestSchema, body), { timeoutMs });
        return { key: "grpc-OK", kind: "acked" };
      } catch (err) {
        const e = ConnectError.from(err);
        return { key: `grpc-${GrpcCode[e.code]}`, kind: RETRYABLE_GRPC.has(e.code) ? "retryable" : "permanent" };
      }
    };
  }
  return async (body) => {
    try {
      const res = await fetch(o.url, { method: "POST", headers: { "Content-Type": "application/x-protobuf" }, body: body as Uint8Array<ArrayBuffer>, signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      const kind = res.status >= 200 && res.status < 300 ? "acked" : RETRYABLE.has(res.status) ? "retryable" : "permanent";
      return { key: String(res.status), kind };
    } catch {
      return { key: "error", kind: "failed" };
    }
  };
}

/** Sends `rate` items a second for `durationMs` and reports exactly which items were acknowledged. */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = { tag: o.tag, sent: 0, acked: new Set(), refusedRetryable: 0, refusedPermanent: 0, failed: 0, byStatus: {} };
  const request = requester(o);
  const perRequestMs = (o.batch / o.rate) * 1000;
  const total = Math.floor(o.durationMs / perRequestMs);
  const start = Date.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const k = next++;
      if (k >= total) return;
      const wait = start + k * perRequestMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const { body, ids } = traceRequest(o.tag, k * o.batch, o.batch);
      report.sent += ids.length;
      const { key, kind } = await request(body);
      report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
      if (kind === "acked") for (const id of ids) report.acked.add(id);
      else if (kind === "retryable") report.refusedRetryable += ids.length;
      else if (kind === "permanent") report.refusedPermanent += ids.length;
      else report.failed += ids.length;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker));
  return report;
}

// ---- memory --------------------------------------------------------------------------------------

/** Samples VmRSS of `pid` every `everyMs` until stopped; returns the peak in MiB. */
export function sampleRss(pid: number, everyMs = 200): { stop(): number; peakMiB(): number } {
  let peakKb = 0;
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // the process has exited
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    peakMiB: () => peakKb / 1024,
    stop() {
      clearInterval(timer);
      read();
      return peakKb / 1024;
    },
  };
}
