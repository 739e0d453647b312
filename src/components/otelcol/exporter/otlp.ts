// otelcol.exporter.otlp: sends OTLP over gRPC (HTTP/2) with a connect-node gRPC transport
// (spec: alloy-components.md §8; otlp.md §1).

import type { DescMethodUnary } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import { Code as ConnectCode, ConnectError, type Transport } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { Http2SessionManager, compressionGzip, createGrpcTransport } from "@connectrpc/connect-node";
import { RetryInfoSchema } from "../../../../gen/google/rpc/error_details_pb.ts";
import { LogsService } from "../../../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { MetricsService } from "../../../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { TraceService } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { Batch, Signal } from "../../../otlp/batch.ts";
import { decode } from "../../../otlp/codec.ts";
import { consumerCapsule } from "../../../otlp/consumer.ts";
import { Code, PipelineError, grpcCodeRetryable } from "../../../otlp/errors.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Logger } from "../../../runtime/logger.ts";
import { type Schema, attr, required, t, inert } from "../../../runtime/schema.ts";
import type { Secret } from "../../../runtime/value.ts";
import { type AuthHandler, checkClientAuth } from "../auth/handler.ts";
import { VERSION } from "../../../version.ts";
import { type TlsClientArgs, checkCompression, checkHeaders, compress, decompress, headersAttr, isCompressed, loadTls, revealHeaders, tlsClientBlock } from "./shared/client.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { ExporterPipeline, droppedField } from "./shared/exporter.ts";
import { type QueueArgs, queueBlock } from "./shared/queue.ts";
import { type RetryArgs, retryBlock } from "./shared/retry.ts";

/** Decoded gRPC `client` block (§8). */
export interface GrpcClientArgs {
  endpoint: string;
  compression: string;
  headers: Record<string, Secret>;
  tls: TlsClientArgs;
  keepalive?: { ping_wait: number; ping_response_timeout: number; ping_without_stream: boolean };
  balancer_name: string;
  authority?: string;
  wait_for_ready: boolean;
  read_buffer_size?: number;
  write_buffer_size: number;
  /** An otelcol.auth.* handler: adds its credentials to every request. */
  auth?: AuthHandler;
}

export interface OtlpGrpcArgs {
  timeout: number;
  client: GrpcClientArgs;
  retry_on_failure: RetryArgs;
  sending_queue: QueueArgs;
  debug_metrics: { disable_high_cardinality_metrics: boolean };
}

/** Upstream component type, for the `exporter` metric label. */
export const OTLP_TYPE = "otlp";

/** gRPC compressions the Collector's configgrpc knows; zlib and deflate are HTTP-only. */
const GRPC_COMPRESSIONS = ["gzip", "snappy", "zstd", "none", ""];

/** Where to connect: `https://host:port` (TLS) or `http://host:port` (h2c). */
export interface GrpcTarget {
  baseUrl: string;
  host: string;
  tls: boolean;
}

/**
 * Resolves client.endpoint like configgrpc: `host:port`, optionally `dns:///host:port`;
 * an `http://` or `https://` prefix picks plaintext or TLS, otherwise TLS is on unless
 * `tls { insecure = true }` (§8: TLS is on by default).
 */
export function grpcTarget(endpoint: string, insecure: boolean): GrpcTarget {
  let rest = endpoint.trim().replace(/^dns:\/\/[^/]*\//, "");
  let tls = !insecure;
  const scheme = /^(https?):\/\//.exec(rest);
  if (scheme) {
    tls = scheme[1] === "https";
    rest = rest.slice(scheme[0].length);
  }
  rest = rest.replace(/\/+$/, "");
  if (rest === "" || /[/?#@\s]/.test(rest)) throw new Error(`invalid endpoint "${endpoint}": want host:port`);
  // The URL leaves out a default port (443 / 80), which is also what grpc-go dials.
  const url = new URL(`${tls ? "https" : "http"}://${rest}`);
  return { baseUrl: url.origin, host: url.hostname, tls };
}

/** Checks the `client` block, so that messages point at it. */
export function validateClient(c: GrpcClientArgs): string[] {
  const problems = checkHeaders(c.headers);
  const badAuth = checkClientAuth(c.auth);
  if (badAuth) problems.push(badAuth);
  const bad = checkCompression(c.compression, GRPC_COMPRESSIONS);
  if (bad) problems.push(bad);
  if (c.endpoint.startsWith("unix:")) problems.push(`client endpoint "${c.endpoint}": unix sockets are not supported by solder`);
  else {
    try {
      grpcTarget(c.endpoint, c.tls.insecure);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/** The gRPC `client` block (also used, without `endpoint`, by otelcol.exporter.loadbalancing). */
export const clientSchema: Schema = {
  attrs: {
    endpoint: required(t.string),
    compression: attr(t.string, "gzip"),
    headers: headersAttr,
    balancer_name: inert(t.string, "round_robin", "solder keeps one HTTP/2 connection per endpoint"),
    authority: attr(t.string),
    wait_for_ready: inert(t.bool, false, "the retry loop already waits for the server"),
    read_buffer_size: inert(t.bytesize, undefined, "node:http2 exposes no socket buffer sizes"),
    write_buffer_size: inert(t.bytesize, 512 * 1024, "node:http2 exposes no socket buffer sizes"),
    auth: attr(t.capsule("otelcol.Handler")),
  },
  blocks: {
    tls: tlsClientBlock,
    keepalive: {
      schema: { attrs: { ping_wait: attr(t.duration, 0), ping_response_timeout: attr(t.duration, 0), ping_without_stream: attr(t.bool, false) } },
    },
  },
  validate: validateClient,
};

/** `otelcol.exporter.otlp`. */
export const otlpExporter = defineComponent<OtlpGrpcArgs>({
  name: "otelcol.exporter.otlp",
  summary: "Sends telemetry to an OTLP/gRPC server, with retries and a bounded sending queue.",
  stability: "generally-available",
  args: {
    attrs: { timeout: attr(t.duration, 5_000) },
    blocks: {
      client: { required: true, schema: clientSchema },
      retry_on_failure: retryBlock,
      sending_queue: queueBlock,
      debug_metrics: debugMetricsBlock,
    },
  },
  exports: ["input"],
  build(opts, initial) {
    let args = initial;
    let channel: Promise<Channel> | undefined;
    const send = (batch: Batch<Signal>, signal: AbortSignal) => {
      // The connection (and TLS files) are set up on first use, not at build.
      channel ??= openChannel(args.client);
      return sendGrpc(args, channel, batch, signal, opts.logger);
    };
    /** Closes the current connection, after `graceMs` so that calls in flight can finish. */
    const closeChannel = (graceMs: number) => {
      const old = channel;
      channel = undefined;
      const close = () => void old?.then((c) => c.close()).catch(() => {});
      if (graceMs <= 0) return close();
      const timer = setTimeout(close, graceMs);
      (timer as { unref?: () => void }).unref?.();
    };
    const pipeline = new ExporterPipeline(
      { type: OTLP_TYPE, id: opts.id, logger: opts.logger, metrics: opts.metrics, send, drainTimeoutMs: opts.drainTimeoutMs },
      { retry: args.retry_on_failure, queue: args.sending_queue },
    );
    opts.onStateChange({ input: consumerCapsule(pipeline.consumer) });
    return {
      async run(signal) {
        await pipeline.run(signal);
        closeChannel(0);
      },
      update(next) {
        const reconnect = connectionKey(next.client) !== connectionKey(args.client);
        const grace = (args.timeout || 30_000) + 1_000;
        args = next;
        if (reconnect) closeChannel(grace);
        pipeline.update({ retry: next.retry_on_failure, queue: next.sending_queue });
      },
    };
  },
});

// ---- the channel -----------------------------------------------------------------------------

/** What the connection depends on; headers, timeout and retries apply per call instead. */
export function connectionKey(c: GrpcClientArgs): string {
  return JSON.stringify([c.endpoint, c.compression, c.authority, c.keepalive, { ...c.tls, key_pem: c.tls.key_pem?.value }]);
}

/** A transport on one HTTP/2 connection manager, closable on reload and shutdown. */
export interface Channel {
  transport: Transport;
  close(): void;
}

/** Opens a connection manager and transport for a client block. */
export async function openChannel(client: GrpcClientArgs): Promise<Channel> {
  const target = grpcTarget(client.endpoint, client.tls.insecure);
  // grpc-go verifies the server certificate against `authority` when no server_name is set.
  const nodeOptions = target.tls ? await loadTls(client.tls, client.authority) : {};
  const ka = client.keepalive;
  const ping = ka && ka.ping_wait > 0 ? { pingIntervalMs: ka.ping_wait, pingTimeoutMs: ka.ping_response_timeout || undefined, pingIdleConnection: ka.ping_without_stream } : {};
  const sessionManager = new Http2SessionManager(target.baseUrl, ping, nodeOptions);
  const sendCompression = isCompressed(client.compression) ? compressionOf(client.compression) : undefined;
  const transport = createGrpcTransport({
    baseUrl: target.baseUrl,
    sessionManager,
    sendCompression,
    acceptCompression: [compressionGzip],
    // The Collector compresses every message; connect's default skips those under 1 KiB.
    compressMinBytes: 0,
    // A client must cap responses (otlp.md §1 "Message size limits").
    readMaxBytes: 4 * 1024 * 1024,
  });
  return { transport, close: () => sessionManager.abort() };
}

function compressionOf(name: string): Compression {
  if (name === "gzip") return compressionGzip;
  return {
    name,
    compress: async (bytes) => (await compress(name, bytes)) as Uint8Array<ArrayBuffer>,
    decompress: async (bytes) => (await decompress(name, bytes)) as Uint8Array<ArrayBuffer>,
  };
}

// Export methods that take the request as already-encoded bytes: google.protobuf.Empty has no
// fields, so `decode(EmptySchema, bytes)` (otlp/codec.ts, like fromBinary) keeps every field as an unknown field (sub-arrays,
// no copy) and `toBinary` writes them back verbatim. The path and response type are the real
// ones, so the server sees an ordinary Export call (design.md: the batch stays lite).
type RawExport = DescMethodUnary<typeof EmptySchema, DescMethodUnary["output"]>;
const RAW_EXPORT: Record<Signal, RawExport> = {
  traces: { ...TraceService.method.export, input: EmptySchema } as unknown as RawExport,
  metrics: { ...MetricsService.method.export, input: EmptySchema } as unknown as RawExport,
  logs: { ...LogsService.method.export, input: EmptySchema } as unknown as RawExport,
};

// ---- one request -----------------------------------------------------------------------------

/** Sends one batch as a unary Export call; maps the outcome to success or a PipelineError (§8). */
export async function sendGrpc(args: OtlpGrpcArgs, channel: Promise<Channel>, batch: Batch<Signal>, stop: AbortSignal, logger: Logger): Promise<void> {
  let transport: Transport;
  try {
    transport = (await channel).transport;
  } catch (err) {
    // Unreadable TLS files: retrying will not fix them until the config changes.
    throw PipelineError.permanent(`cannot set up the gRPC connection to ${args.client.endpoint}: ${(err as Error).message}`, Code.FailedPrecondition, err);
  }
  const headers = new Headers(revealHeaders(args.client.headers));
  args.client.auth?.apply(headers, batch.metadata);
  if (!headers.has("user-agent")) headers.set("user-agent", `solder/${VERSION}`);
  const input = decode(EmptySchema, batch.toBinary());
  const method = RAW_EXPORT[batch.signal];
  let response;
  try {
    response = await transport.unary(method, stop, args.timeout > 0 ? args.timeout : undefined, headers, input);
  } catch (err) {
    throw rpcError(err, args.client.endpoint);
  }
  const partial = (response.message as { partialSuccess?: { errorMessage: string } & Record<string, unknown> }).partialSuccess;
  if (partial) {
    const rejected = Number(partial.rejectedSpans ?? partial.rejectedDataPoints ?? partial.rejectedLogRecords ?? 0);
    if (rejected !== 0 || partial.errorMessage !== "") {
      logger.warn("Partial success response", { message: partial.errorMessage, [droppedField(batch.signal)]: rejected, endpoint: args.client.endpoint });
    }
  }
}

/**
 * Classifies a failed call (otlp.md §1 "Errors and retryability"): retryable codes retry,
 * RESOURCE_EXHAUSTED only with RetryInfo, and a RetryInfo delay is a throttle hint.
 */
export function rpcError(err: unknown, endpoint: string): PipelineError {
  const ce = ConnectError.from(err);
  // connect-node reports most socket and TLS failures (no status from the server) as INTERNAL;
  // grpc-go calls them UNAVAILABLE, and so retries them.
  const code = ce.code === ConnectCode.Internal && isNodeFailure(ce.cause) ? Code.Unavailable : (ce.code as number as Code);
  const info = ce.findDetails(RetryInfoSchema)[0];
  const delay = info?.retryDelay ? Number(info.retryDelay.seconds) * 1000 + info.retryDelay.nanos / 1e6 : undefined;
  const message = `rpc error to ${endpoint}: code = ${ConnectCode[code as number as ConnectCode]} desc = ${ce.rawMessage}`;
  if (grpcCodeRetryable(code, info !== undefined)) {
    // Passed on as UNAVAILABLE: RESOURCE_EXHAUSTED without RetryInfo would tell the sender to drop.
    return PipelineError.retryable(message, delay, code === Code.ResourceExhausted ? Code.Unavailable : code, ce);
  }
  return PipelineError.permanent(message, code, ce);
}

/** True when an error chain holds a Node.js error code (ERR_SSL_…, EPROTO, …): a local transport failure. */
function isNodeFailure(cause: unknown): boolean {
  for (let e = cause, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (typeof (e as { code?: unknown }).code === "string") return true;
  }
  return false;
}
