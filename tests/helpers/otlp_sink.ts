// Scriptable OTLP backends for tests: an OTLP/HTTP sink (node:http) and an OTLP/gRPC sink
// (connect-node on node:http2, h2c or TLS), both on 127.0.0.1 with an ephemeral port. Each
// records every request it receives, decoded, and answers from a script of replies (then
// success), so a test can say "503, then 200" or "RESOURCE_EXHAUSTED with RetryInfo, then OK".
//
//   const sink = await startHttpSink();
//   sink.reply({ status: 503, headers: { "Retry-After": "1" } });   // first request fails
//   … point an exporter at `${sink.url}` …
//   const [req] = await sink.waitForRequests(2);
//   req.batch().itemCount();
//   await sink.close();

import * as http from "node:http";
import * as http2 from "node:http2";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionGzip, connectNodeAdapter } from "@connectrpc/connect-node";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import { ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema, LogsService } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema, ExportMetricsServiceResponseSchema, MetricsService } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema, TraceService } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { Batch, type Signal } from "../../src/otlp/batch.ts";
import { decompress } from "../../src/components/otelcol/exporter/shared/client.ts";

export { Code as GrpcCode } from "@connectrpc/connect";

/** A request as a sink saw it. */
export interface Received {
  /** traces / metrics / logs, from the HTTP path suffix or the gRPC service; undefined for an unknown path. */
  signal: Signal | undefined;
  /** HTTP path, or the gRPC method path. */
  path: string;
  /** Request headers (gRPC: metadata), names lowercase. */
  headers: Record<string, string>;
  /** Body after undoing Content-Encoding (HTTP), or the re-encoded request (gRPC). */
  body: Uint8Array;
  /** Body as it arrived on the wire (HTTP only; same as `body` for gRPC). */
  rawBody: Uint8Array;
  /** Date.now() when the request arrived. */
  at: number;
  /** The request decoded as a batch: protobuf, or OTLP/JSON when the Content-Type says so. */
  batch(): Batch<Signal>;
}

/** What both sinks have in common. */
export interface Sink<Reply> {
  readonly requests: Received[];
  /** Queues replies; each request consumes one, and success follows when the script runs out. */
  reply(...replies: Reply[]): void;
  /** Resolves once at least `n` requests arrived; rejects after `timeoutMs`. */
  waitForRequests(n: number, timeoutMs?: number): Promise<Received[]>;
  /** Stops listening and cuts open connections. */
  close(): Promise<void>;
}

// ---- HTTP --------------------------------------------------------------------------------------

/** A scripted HTTP answer, or "reset" to drop the connection without answering. */
export type HttpReply = { status: number; headers?: Record<string, string>; body?: string | Uint8Array; delayMs?: number } | "reset";

export interface HttpSink extends Sink<HttpReply> {
  /** Base URL, e.g. `http://127.0.0.1:39123` (no trailing slash). */
  readonly url: string;
}

/** Starts an OTLP/HTTP sink that accepts every path; HTTPS when given a certificate and key (PEM). */
export async function startHttpSink(options: { tls?: { cert: string; key: string } } = {}): Promise<HttpSink> {
  const rec = new Recorder<HttpReply>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => void answerHttp(rec, req, res, new Uint8Array(Buffer.concat(chunks))));
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  await listen(server);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    ...rec.api(),
    close: () => closeHttp(server),
  };
}

async function answerHttp(rec: Recorder<HttpReply>, req: http.IncomingMessage, res: http.ServerResponse, raw: Uint8Array): Promise<void> {
  const headers = flatHeaders(req.headers);
  const encoding = headers["content-encoding"] ?? "";
  let body = raw;
  try {
    body = await decompress(encoding, raw);
  } catch {
    // Recorded as received; the test sees an undecodable body.
  }
  const path = req.url ?? "/";
  const signal = (["traces", "metrics", "logs"] as const).find((s) => path.endsWith(`/v1/${s}`));
  const json = (headers["content-type"] ?? "").startsWith("application/json");
  const reply = rec.next();
  rec.record({
    signal,
    path,
    headers,
    body,
    rawBody: raw,
    at: Date.now(),
    batch: () => (json ? Batch.fromJson(signal ?? "traces", new TextDecoder().decode(body)) : Batch.decode(signal ?? "traces", body)),
  });
  if (reply === "reset") return void req.socket.destroy();
  const r = reply ?? { status: 200 };
  if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
  res.writeHead(r.status, r.headers ?? (r.body === undefined ? {} : { "Content-Type": "text/plain" }));
  res.end(r.body);
}

function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// ---- gRPC --------------------------------------------------------------------------------------

/** A scripted gRPC answer: an error status (with RetryInfo when retryDelayMs is set), or a partial success. */
export type GrpcReply = { code: Code; message?: string; retryDelayMs?: number } | { partial: { rejected: number; message: string } } | { delayMs: number };

export interface GrpcSink extends Sink<GrpcReply> {
  /** `127.0.0.1:<port>`, the form client.endpoint takes. */
  readonly endpoint: string;
}

export interface GrpcSinkOptions {
  /** Serve TLS with this certificate and key (PEM); plaintext h2c otherwise. */
  tls?: { cert: string; key: string };
  /** Extra request compressions to accept besides gzip (e.g. zstd, snappy). */
  acceptCompression?: Compression[];
  /** Loopback address to listen on (default 127.0.0.1), e.g. 127.0.0.2 for several sinks on one port. */
  host?: string;
  /** Port to listen on (default: any free one). */
  port?: number;
}

const SERVICES = [
  { signal: "traces", service: TraceService, req: ExportTraceServiceRequestSchema, res: ExportTraceServiceResponseSchema, rejected: "rejectedSpans" },
  { signal: "metrics", service: MetricsService, req: ExportMetricsServiceRequestSchema, res: ExportMetricsServiceResponseSchema, rejected: "rejectedDataPoints" },
  { signal: "logs", service: LogsService, req: ExportLogsServiceRequestSchema, res: ExportLogsServiceResponseSchema, rejected: "rejectedLogRecords" },
] as const;

/** Starts an OTLP/gRPC sink serving the three Export methods. */
export async function startGrpcSink(options: GrpcSinkOptions = {}): Promise<GrpcSink> {
  const rec = new Recorder<GrpcReply>();
  const handler = connectNodeAdapter({
    acceptCompression: [compressionGzip, ...(options.acceptCompression ?? [])],
    routes(router) {
      for (const s of SERVICES) {
        router.service(s.service as typeof TraceService, {
          async export(request, ctx: HandlerContext) {
            const body = toBinary(s.req as typeof ExportTraceServiceRequestSchema, request);
            const reply = rec.next();
            rec.record({
              signal: s.signal,
              path: `/${s.service.typeName}/Export`,
              headers: Object.fromEntries([...ctx.requestHeader.entries()]),
              body,
              rawBody: body,
              at: Date.now(),
              batch: () => Batch.decode(s.signal, body),
            });
            return answerGrpc(reply, s.res, s.rejected);
          },
        });
      }
    },
  });
  const server = options.tls ? http2.createSecureServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s: http2.ServerHttp2Session) => (sessions.add(s), s.on("close", () => sessions.delete(s))));
  await listen(server, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `${options.host ?? "127.0.0.1"}:${port}`,
    ...rec.api(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.destroy();
      }),
  };
}

async function answerGrpc(reply: GrpcReply | undefined, res: (typeof SERVICES)[number]["res"], rejectedKey: string) {
  const schema = res as typeof ExportTraceServiceResponseSchema;
  if (reply === undefined) return create(schema);
  if ("delayMs" in reply) {
    await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    return create(schema);
  }
  if ("partial" in reply) {
    return create(schema, { partialSuccess: { [rejectedKey]: BigInt(reply.partial.rejected), errorMessage: reply.partial.message } as never });
  }
  const details =
    reply.retryDelayMs === undefined
      ? undefined
      : [{ desc: RetryInfoSchema, value: { retryDelay: { seconds: BigInt(Math.floor(reply.retryDelayMs / 1000)), nanos: (reply.retryDelayMs % 1000) * 1e6 } } }];
  throw new ConnectError(reply.message ?? Code[reply.code], reply.code, undefined, details);
}

// ---- shared ------------------------------------------------------------------------------------

/** Reply script and request log shared by both sinks. */
class Recorder<Reply> {
  readonly requests: Received[] = [];
  private readonly script: Reply[] = [];
  private waiters: Array<() => void> = [];

  next(): Reply | undefined {
    return this.script.shift();
  }

  record(r: Received): void {
    this.requests.push(r);
    for (const w of this.waiters.splice(0)) w();
  }

  api(): Omit<Sink<Reply>, "close"> {
    return {
      requests: this.requests,
      reply: (...replies) => void this.script.push(...replies),
      waitForRequests: (n, timeoutMs = 5000) => this.waitFor(n, timeoutMs),
    };
  }

  private async waitFor(n: number, timeoutMs: number): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`sink: expected ${n} requests, got ${this.requests.length} within ${timeoutMs}ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    return this.requests;
  }
}

function listen(server: http.Server | http2.Http2Server | http2.Http2SecureServer, host = "127.0.0.1", port = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** A loopback port with nothing listening on it (for "connection refused"). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await listen(server);
  const port = (server.address() as AddressInfo).port;
  await closeHttp(server);
  return port;
}

/** A self-signed test certificate for `localhost` and 127.0.0.1 (EC P-256, valid until 2126). Test use only. */
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUZCT8qCFYLfVgHk/R++ShG1M4sv8wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTE2MzAyMloYDzIxMjYxMTAx
MTYzMDIyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATGOtDkTJiS1ivWqyynhLTFdpbRXocVXb/Kv0/YJF++H0XVX1NrnVk0
Bp52QEq+4O0OoOsSiLkhQp0/BH5g5U9Go28wbTAdBgNVHQ4EFgQU7I4FzLFLigfC
CxZ3szLq2ou19qowHwYDVR0jBBgwFoAU7I4FzLFLigfCCxZ3szLq2ou19qowDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgEFkHksCvn+0ptWRifhe+z6PAI+vgOZpZ6fdgPEHv+jMCIQCd
RU1mRKQhnGXZltmPQw4nN30CiXtYj3GicEWA+Pd9Vw==
-----END CERTIFICATE-----
`;

/** The private key of TEST_CERT. Test use only. */
export const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOt0Zm+KZBNcs0UWH
vT5nqQdFzIVj0CCUem7MlKAhyJihRANCAATGOtDkTJiS1ivWqyynhLTFdpbRXocV
Xb/Kv0/YJF++H0XVX1NrnVk0Bp52QEq+4O0OoOsSiLkhQp0/BH5g5U9G
-----END PRIVATE KEY-----
`;
