// The OTLP/gRPC server: Connect on node:http2 (h2c, or TLS with HTTP/1.1 fallback), which also
// serves gRPC-Web and the Connect protocol. Behaviour per alloy-components.md §1.1 and otlp.md §1:
// services answer only for signals with a pipeline (UNIMPLEMENTED otherwise, decided before the
// body is read), messages over max_recv_msg_size (after decompression) are RESOURCE_EXHAUSTED,
// bad protobuf is INVALID_ARGUMENT, empty requests succeed without touching the pipeline, and
// pipeline errors keep their gRPC code with a RetryInfo detail when they carry a delay.

import {
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  createSecureServer,
  createServer,
} from "node:http2";
import type { AddressInfo } from "node:net";
import { Code as ConnectCode, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { compressionGzip, connectNodeAdapter } from "@connectrpc/connect-node";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { LogsService } from "../../gen/lite/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { MetricsService } from "../../gen/lite/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { TraceService } from "../../gen/lite/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import type { AuthHandler } from "../components/otelcol/auth/handler.ts";
import { Batch, BatchDecodeError, type PartialSuccess, type Signal } from "../otlp/batch.ts";
import { PipelineError } from "../otlp/errors.ts";
import { type KeepaliveArgs, watchSession } from "./grpc_keepalive.ts";
import { fastUnaryExport } from "./grpc_fast.ts";
import { type RawExportRequest, joinEntries, rawExportMethod } from "./grpc_raw.ts";
import { CLOSE_GRACE_MS, splitHostPort } from "./http.ts";
import { type OtlpSink, metadataOf, retryInfo } from "./otlp_common.ts";
import type { TlsServerOptions } from "./tls.ts";

export interface OtlpGrpcOptions {
  /** Largest accepted message, after decompression, in bytes. */
  maxRecvMsgSize: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS; undefined or 0 = unlimited. */
  maxConcurrentStreams?: number;
  includeMetadata: boolean;
  tls?: TlsServerOptions;
  keepalive?: KeepaliveArgs;
  /** Server authentication from the request metadata; refused requests get UNAUTHENTICATED before the body is read. */
  auth?: AuthHandler;
}

/** A started gRPC listener. */
export interface GrpcListening {
  address: string;
  close(): Promise<void>;
  reloadTls(tls: TlsServerOptions): void;
}

const SERVICES = { traces: TraceService, metrics: MetricsService, logs: LogsService } as const;

/** Field of Export*PartialSuccess that counts rejected items. */
const REJECTED_KEY: Record<Signal, string> = { traces: "rejectedSpans", metrics: "rejectedDataPoints", logs: "rejectedLogRecords" };

/** gRPC-reserved headers that grpc-go keeps out of incoming metadata. */
const NOT_METADATA: ReadonlySet<string> = new Set([
  "content-type",
  "te",
  "grpc-encoding",
  "grpc-accept-encoding",
  "grpc-timeout",
  "grpc-message-type",
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
  "connection",
]);

/**
 * Flow-control windows. HTTP/2's defaults (64 KiB per stream and per connection) let a client
 * send one 64 KiB request and then wait a round trip for WINDOW_UPDATE; grpc-go, which the
 * Collector and Alloy use, starts from the same 64 KiB but grows its windows by measuring the
 * link (BDP estimation), up to 16 MiB. A fixed 1 MiB per stream and 4 MiB per connection let
 * typical export requests (tens to hundreds of KiB) through without waiting, while a client that
 * outruns the gateway is still held back by flow control well before 16 MiB per connection.
 * Measured with 60 KB requests over 8 connections on one core: 49k → 63k spans/s.
 */
const STREAM_WINDOW = 1 << 20;
const CONNECTION_WINDOW = 4 << 20;

function widenConnectionWindow(session: ServerHttp2Session): void {
  try {
    (session as ServerHttp2Session & { setLocalWindowSize?(n: number): void }).setLocalWindowSize?.(CONNECTION_WINDOW);
  } catch {
    // A runtime without it keeps the default window: slower for large requests, still correct.
  }
}

/** Starts the gRPC server on `addr`; rejects when the address cannot be bound. */
export function listenGrpc(addr: string, opts: OtlpGrpcOptions, sink: OtlpSink): Promise<GrpcListening> {
  const { host, port } = splitHostPort(addr);
  const handler = connectNodeAdapter({
    acceptCompression: [compressionGzip],
    readMaxBytes: opts.maxRecvMsgSize,
    requestGate: (ctx) => gate(ctx, sink, opts.auth),
    routes: (router) => registerRoutes(router, opts, sink),
  });
  // Plain unary gRPC Export calls skip Connect (grpc_fast.ts); with auth, Connect's gate decides.
  const fast = opts.auth
    ? undefined
    : fastUnaryExport(
        {
          paths: new Map((Object.keys(SERVICES) as Signal[]).map((s) => [`/${SERVICES[s].typeName}/Export`, s])),
          maxRecvMsgSize: opts.maxRecvMsgSize,
          metadata: opts.includeMetadata ? (h) => metadataOf(headersOf(h), NOT_METADATA) : undefined,
        },
        sink,
      );
  const serve: typeof handler = fast ? (req, res) => void (("stream" in req && fast(req as Http2ServerRequest, res as Http2ServerResponse)) || handler(req, res)) : handler;
  const settings = { initialWindowSize: STREAM_WINDOW, ...(opts.maxConcurrentStreams ? { maxConcurrentStreams: opts.maxConcurrentStreams } : {}) };
  const server: Http2Server | Http2SecureServer = opts.tls
    ? createSecureServer({ ...opts.tls, allowHTTP1: true, settings }, serve)
    : createServer({ settings }, serve);
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    widenConnectionWindow(session);
    session.once("close", () => sessions.delete(session));
    watchSession(session, opts.keepalive);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const a = server.address() as AddressInfo;
      resolve({
        address: a.family === "IPv6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`,
        close: () => closeServer(server, sessions),
        reloadTls: (tls) => (server as Http2SecureServer & { setSecureContext?(o: object): void }).setSecureContext?.({ ...tls }),
      });
    });
  });
}

/** node:http2's header object as web Headers (what metadataOf and Connect's handlers see). */
function headersOf(h: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(":") || v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.append(k, x);
    else out.append(k, String(v));
  }
  return out;
}

function registerRoutes(router: ConnectRouter, opts: OtlpGrpcOptions, sink: OtlpSink): void {
  for (const signal of Object.keys(SERVICES) as Signal[]) {
    const method = rawExportMethod(SERVICES[signal].method.export);
    const impl = (req: RawExportRequest, ctx: HandlerContext) => exportRequest(signal, req, ctx, opts, sink);
    // The stand-in input type is not part of the generated service's static types.
    router.rpc(method as typeof TraceService.method.export, impl as never);
  }
  // See parseErrorsAsInvalidArgument: wrap after registration, keeping each handler's properties.
  router.handlers.splice(0, router.handlers.length, ...router.handlers.map(parseErrorsAsInvalidArgument));
}

/** Runs before the body is read: unserved signals, missing credentials and JSON codecs end here. */
async function gate(ctx: HandlerContext, sink: OtlpSink, auth: AuthHandler | undefined): Promise<void> {
  const signal = signalOf(ctx.service.typeName);
  if (!signal || !sink.accepts(signal)) {
    // grpc-go's wording for a service that is not registered.
    throw new ConnectError(`unknown service ${ctx.service.typeName}`, ConnectCode.Unimplemented);
  }
  if (auth) {
    const verdict = await auth.authenticate(ctx.requestHeader);
    if (!verdict.ok) throw new ConnectError(verdict.message, ConnectCode.Unauthenticated);
  }
  if (/json/i.test(ctx.requestHeader.get("content-type") ?? "")) {
    throw new ConnectError("OTLP/gRPC accepts only the protobuf codec", ConnectCode.InvalidArgument);
  }
}

function signalOf(serviceName: string): Signal | undefined {
  return (Object.keys(SERVICES) as Signal[]).find((s) => SERVICES[s].typeName === serviceName);
}

async function exportRequest(signal: Signal, req: RawExportRequest, ctx: HandlerContext, opts: OtlpGrpcOptions, sink: OtlpSink): Promise<object> {
  let batch: Batch<Signal>;
  try {
    batch = Batch.decode(signal, joinEntries(req.entries), opts.includeMetadata ? metadataOf(ctx.requestHeader, NOT_METADATA) : undefined);
  } catch (err) {
    if (err instanceof BatchDecodeError) throw new ConnectError(err.message, ConnectCode.InvalidArgument);
    throw err;
  }
  if (batch.itemCount() === 0) return {};
  let partial: PartialSuccess | undefined | void;
  try {
    partial = await sink.export(batch, "grpc");
  } catch (err) {
    throw connectErrorOf(PipelineError.from(err));
  }
  return partial ? { partialSuccess: { [REJECTED_KEY[signal]]: BigInt(partial.rejected), errorMessage: partial.message } } : {};
}

/** A pipeline error as a gRPC status: its code, and RetryInfo when it carries a delay (otlp.md §1). */
export function connectErrorOf(err: PipelineError): ConnectError {
  const details = err.retryAfterMs === undefined ? [] : [{ desc: RetryInfoSchema, value: retryInfo(err.retryAfterMs) }];
  return new ConnectError(err.message, err.code as number as ConnectCode, undefined, details, err);
}

/**
 * Connect reports a request that is not even valid protobuf at the top level as INTERNAL
 * ("parse binary: …", as grpc-go does); OTLP asks for INVALID_ARGUMENT for bad data (otlp.md §1),
 * which is also what requests that fail deeper, in Batch.decode, get. The gRPC protocol sends the
 * status in trailers after the body, so it can be corrected there; gRPC-Web and Connect keep it.
 */
function parseErrorsAsInvalidArgument(h: UniversalHandler): UniversalHandler {
  const wrapped = async (req: Parameters<UniversalHandler>[0]) => {
    const res = await h(req);
    const trailer = res.trailer;
    if (!trailer) return res;
    const fix = () => {
      if (trailer.get("grpc-status") === String(ConnectCode.Internal) && /^parse(%20| )binary/.test(trailer.get("grpc-message") ?? "")) {
        trailer.set("grpc-status", String(ConnectCode.InvalidArgument));
      }
    };
    fix();
    if (!res.body) return res;
    const body = res.body;
    return {
      ...res,
      body: (async function* () {
        yield* body;
        fix();
      })(),
    };
  };
  return Object.assign(wrapped, h);
}

/**
 * Stops listening and sends every session a GOAWAY (session.close): calls in flight finish and
 * get their answers, new ones go elsewhere (gRPC's GracefulStop). Sessions still open after
 * CLOSE_GRACE_MS are destroyed.
 */
function closeServer(server: Http2Server | Http2SecureServer, sessions: Set<ServerHttp2Session>): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      for (const s of sessions) s.destroy();
    }, CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    for (const s of sessions) s.close();
  });
}
