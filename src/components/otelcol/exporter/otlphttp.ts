// otelcol.exporter.otlphttp: sends OTLP over HTTP (protobuf or JSON) with the global fetch, so
// it runs unchanged on Bun, Deno and Node (spec: alloy-components.md §7; otlp.md §2).

import { parseRetryAfter, readLimited } from "../../../runtime/http_response.ts";
import { fromBinary } from "@bufbuild/protobuf";
import { type Batch, type Signal, decodeResponse } from "../../../otlp/batch.ts";
import { Code, PipelineError, codeOfHttpStatus, httpStatusRetryable } from "../../../otlp/errors.ts";
import { consumerCapsule } from "../../../otlp/consumer.ts";
import { defineComponent } from "../../../runtime/component.ts";
import { parseOtlpJson } from "../../../otlp/json.ts";
import type { Logger } from "../../../runtime/logger.ts";
import { type Schema, attr, required, t, inert } from "../../../runtime/schema.ts";
import type { Secret } from "../../../runtime/value.ts";
import { type AuthHandler, checkClientAuth } from "../auth/handler.ts";
import { runtimeName } from "../../../platform/index.ts";
import { VERSION } from "../../../version.ts";
import { StatusSchema, type Status } from "../../../../gen/google/rpc/status_pb.ts";
import {
  type TlsClientArgs,
  type TlsMaterial,
  bodyAlloc,
  checkCompression,
  checkHeaders,
  compress,
  compressionParamsBlock,
  headersAttr,
  isCompressed,
  loadTls,
  revealHeaders,
  tlsClientBlock,
} from "./shared/client.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { ExporterPipeline, droppedField } from "./shared/exporter.ts";
import { type QueueArgs, queueBlock } from "./shared/queue.ts";
import { type RetryArgs, retryBlock } from "./shared/retry.ts";

/** Decoded `client` block (§7.2). */
export interface HttpClientArgs {
  endpoint: string;
  compression: string;
  compression_params?: { level: number };
  timeout: number;
  headers: Record<string, Secret>;
  proxy_url?: string;
  tls: TlsClientArgs;
  /** An otelcol.auth.* handler: adds its credentials to every request. */
  auth?: AuthHandler;
  read_buffer_size: number;
  write_buffer_size: number;
  max_idle_conns: number;
  max_idle_conns_per_host: number;
  max_conns_per_host: number;
  idle_conn_timeout: number;
  disable_keep_alives: boolean;
  force_attempt_http2: boolean;
  http2_read_idle_timeout: number;
  http2_ping_timeout: number;
  cookies?: { enabled: boolean };
}

export interface OtlpHttpArgs {
  encoding: string;
  traces_endpoint?: string;
  metrics_endpoint?: string;
  logs_endpoint?: string;
  client: HttpClientArgs;
  retry_on_failure: RetryArgs;
  sending_queue: QueueArgs;
  debug_metrics: { disable_high_cardinality_metrics: boolean };
}

const SIGNALS: readonly Signal[] = ["traces", "metrics", "logs"];

/** Upstream component type, for the `exporter` metric label. */
export const OTLPHTTP_TYPE = "otlphttp";

/**
 * The URL a signal is POSTed to (§7.1, exact): `<signal>_endpoint` verbatim; otherwise
 * client.endpoint + "v1/<signal>" when it ends in "/", else + "/v1/<signal>". Nothing is stripped
 * or de-duplicated. Undefined when neither is set.
 */
export function signalUrl(args: Pick<OtlpHttpArgs, "traces_endpoint" | "metrics_endpoint" | "logs_endpoint" | "client">, signal: Signal): string | undefined {
  const explicit = args[`${signal}_endpoint`];
  if (explicit) return explicit;
  const base = args.client.endpoint;
  if (!base) return undefined;
  return base.endsWith("/") ? `${base}v1/${signal}` : `${base}/v1/${signal}`;
}

function validate(a: OtlpHttpArgs): string[] {
  const problems: string[] = [];
  if (!a.client.endpoint && !a.traces_endpoint && !a.metrics_endpoint && !a.logs_endpoint) problems.push("at least one endpoint must be specified");
  if (a.encoding !== "proto" && a.encoding !== "json") problems.push(`invalid encoding type ${a.encoding}`);
  for (const s of SIGNALS) {
    const url = signalUrl(a, s);
    if (url !== undefined && !isHttpUrl(url)) {
      const key = a[`${s}_endpoint`] ? `${s}_endpoint` : "client endpoint";
      problems.push(`${key} "${url}" is not a valid http:// or https:// URL`);
    }
  }
  return problems;
}

/** Checks the `client` block on its own, so that messages point at it. */
function validateClient(c: HttpClientArgs): string[] {
  const problems = checkHeaders(c.headers);
  const badAuth = checkClientAuth(c.auth);
  if (badAuth) problems.push(badAuth);
  const bad = checkCompression(c.compression);
  if (bad) problems.push(bad);
  if (c.proxy_url && !isHttpUrl(c.proxy_url)) problems.push(`proxy_url "${c.proxy_url}" is not a valid http:// or https:// URL`);
  return problems;
}

/** Warns when client.endpoint already ends in a signal path, which Alloy then doubles (§7.1). */
function warn(a: OtlpHttpArgs): string[] {
  const out: string[] = [];
  if (!a.client.endpoint || !isHttpUrl(a.client.endpoint)) return out;
  const path = new URL(a.client.endpoint).pathname.replace(/\/$/, "");
  for (const s of SIGNALS) {
    if (!path.endsWith(`/v1/${s}`) || a[`${s}_endpoint`]) continue;
    out.push(
      `client endpoint "${a.client.endpoint}" already ends in /v1/${s}; ${s} are sent to ${signalUrl(a, s)} (as Alloy does). Use ${s}_endpoint to give the full URL`,
    );
  }
  return out;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

const clientSchema: Schema = {
  attrs: {
    endpoint: required(t.string),
    compression: attr(t.string, "gzip"),
    timeout: attr(t.duration, 30_000),
    headers: headersAttr,
    proxy_url: attr(t.string),
    auth: attr(t.capsule("otelcol.Handler")),
    read_buffer_size: inert(t.bytesize, 0, "fetch manages connections and buffers itself"),
    write_buffer_size: inert(t.bytesize, 512 * 1024, "fetch manages connections and buffers itself"),
    max_idle_conns: inert(t.int, 100, "fetch manages connections and buffers itself"),
    max_idle_conns_per_host: inert(t.int, 0, "fetch manages connections and buffers itself"),
    max_conns_per_host: inert(t.int, 0, "fetch manages connections and buffers itself"),
    idle_conn_timeout: inert(t.duration, 90_000, "fetch manages connections and buffers itself"),
    disable_keep_alives: inert(t.bool, false, "fetch manages connections and buffers itself"),
    force_attempt_http2: inert(t.bool, true, "fetch manages connections and buffers itself"),
    http2_read_idle_timeout: inert(t.duration, 0, "fetch manages connections and buffers itself"),
    http2_ping_timeout: inert(t.duration, 15_000, "fetch manages connections and buffers itself"),
  },
  blocks: {
    tls: tlsClientBlock,
    compression_params: compressionParamsBlock,
    cookies: { noEffect: "cookies are not kept between requests", schema: { attrs: { enabled: attr(t.bool, false) } } },
  },
  validate: validateClient,
};

/** `otelcol.exporter.otlphttp`. */
export const otlphttpExporter = defineComponent<OtlpHttpArgs>({
  name: "otelcol.exporter.otlphttp",
  summary: "Sends telemetry to an OTLP/HTTP server (protobuf or JSON), with retries and a bounded sending queue.",
  stability: "generally-available",
  args: {
    attrs: {
      encoding: attr(t.string, "proto"),
      traces_endpoint: attr(t.string),
      metrics_endpoint: attr(t.string),
      logs_endpoint: attr(t.string),
    },
    blocks: {
      client: { required: true, schema: clientSchema },
      retry_on_failure: retryBlock,
      sending_queue: queueBlock,
      debug_metrics: debugMetricsBlock,
    },
    validate,
    warn,
  },
  exports: ["input"],
  build(opts, initial) {
    let args = initial;
    let tls: Promise<TlsMaterial> | undefined;
    const sender = (batch: Batch<Signal>, signal: AbortSignal) => {
      // TLS files are read on first use, not at build (build must not touch files).
      if (!tls) {
        tls = loadTls(args.client.tls);
        // Only https requests await it; a failure must not go unhandled for http ones.
        tls.catch(() => {});
        warnUnportable(args.client, opts.logger);
      }
      return sendHttp(args, tls, batch, signal, opts.logger);
    };
    const pipeline = new ExporterPipeline(
      { type: OTLPHTTP_TYPE, id: opts.id, logger: opts.logger, metrics: opts.metrics, send: sender, drainTimeoutMs: opts.drainTimeoutMs },
      { retry: args.retry_on_failure, queue: args.sending_queue },
    );
    opts.onStateChange({ input: consumerCapsule(pipeline.consumer) });
    return {
      run: (signal) => pipeline.run(signal),
      update(next) {
        args = next;
        tls = undefined;
        pipeline.update({ retry: next.retry_on_failure, queue: next.sending_queue });
      },
    };
  },
});

// ---- one request -----------------------------------------------------------------------------

const MAX_ERROR_BODY = 64 * 1024;

/** POSTs one batch; maps the outcome to success or a PipelineError (§7.3). */
export async function sendHttp(args: OtlpHttpArgs, tls: Promise<TlsMaterial>, batch: Batch<Signal>, stop: AbortSignal, logger: Logger): Promise<void> {
  const url = signalUrl(args, batch.signal);
  if (url === undefined) throw PipelineError.permanent(`no endpoint for ${batch.signal}: set client.endpoint or ${batch.signal}_endpoint`);
  const json = args.encoding === "json";
  const { client } = args;
  // Encoded into a buffer the gzip worker hands back afterwards, when it will compress it.
  const raw = json ? new TextEncoder().encode(batch.toJson()) : batch.toBinary(bodyAlloc(client.compression, client.compression_params?.level));
  let body: Uint8Array;
  try {
    // `raw` is ours and not read again: gzip may move it to its worker rather than copy it.
    body = await compress(client.compression, raw, client.compression_params?.level, true);
  } catch (err) {
    throw PipelineError.permanent(`cannot compress the request with ${client.compression}: ${(err as Error).message}`, Code.Internal, err);
  }
  const headers = new Headers({ "Content-Type": json ? "application/json" : "application/x-protobuf", "User-Agent": `solder/${VERSION}` });
  if (isCompressed(client.compression)) headers.set("Content-Encoding", client.compression);
  for (const [k, v] of Object.entries(revealHeaders(client.headers))) headers.set(k, v);
  client.auth?.apply(headers, batch.metadata);

  const signals = [stop];
  if (client.timeout > 0) signals.push(AbortSignal.timeout(client.timeout));
  const init: RequestInit & { tls?: object; proxy?: string } = { method: "POST", headers, body: body as BodyInit, signal: AbortSignal.any(signals) };
  // Bun's fetch reads `tls` and `proxy`; other runtimes ignore unknown init fields.
  if (url.startsWith("https:")) init.tls = toBunTls(await tlsOrFail(tls));
  if (client.proxy_url) init.proxy = client.proxy_url;

  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw transportError(err, url, stop);
  }
  if (res.ok) return handleSuccess(res, url, batch.signal, logger);
  throw await statusError(res, url);
}

/** The TLS material; unreadable files are a permanent problem until the configuration changes. */
async function tlsOrFail(tls: Promise<TlsMaterial>): Promise<TlsMaterial> {
  try {
    return await tls;
  } catch (err) {
    throw PipelineError.permanent(`cannot load the client tls settings: ${(err as Error).message}`, Code.FailedPrecondition, err);
  }
}

/** Says once per configuration when fetch on this runtime cannot apply the tls block or proxy_url. */
function warnUnportable(client: HttpClientArgs, logger: Logger): void {
  if (runtimeName().startsWith("bun")) return;
  const t = client.tls;
  const custom = [t.ca_file, t.ca_pem, t.cert_file, t.cert_pem, t.key_file, t.key_pem, t.server_name].some((v) => v !== undefined) || t.insecure_skip_verify;
  if (custom) logger.warn("the client tls block is applied only when solder runs on Bun; this runtime's fetch uses its default trust store", { runtime: runtimeName() });
  if (client.proxy_url) logger.warn("proxy_url is applied only when solder runs on Bun; use the HTTPS_PROXY environment variable instead", { runtime: runtimeName() });
}

function toBunTls(m: TlsMaterial): object {
  return { ca: m.ca, cert: m.cert, key: m.key, rejectUnauthorized: m.rejectUnauthorized, serverName: m.servername };
}

/** Connection refused, reset, DNS failure, timeout: all retryable (otlp.md §2). */
function transportError(err: unknown, url: string, stop: AbortSignal): PipelineError {
  const e = err as Error;
  if (e?.name === "TimeoutError") return PipelineError.retryable(`request to ${url} timed out`, undefined, Code.DeadlineExceeded, err);
  if (stop.aborted) return PipelineError.retryable(`request to ${url} cancelled at shutdown`, undefined, Code.Canceled, err);
  const cause = (e?.cause as Error | undefined)?.message;
  return PipelineError.retryable(`failed to make an HTTP request to ${url}: ${e?.message ?? String(err)}${cause ? ` (${cause})` : ""}`, undefined, Code.Unavailable, err);
}

/** 2xx: parse a partial success when the body is an OTLP response, and log it (§7.3). */
async function handleSuccess(res: Response, url: string, signal: Signal, logger: Logger): Promise<void> {
  const body = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
  const type = res.headers.get("Content-Type");
  if (body.length === 0 || (type !== "application/x-protobuf" && type !== "application/json")) return;
  let partial;
  try {
    partial = decodeResponse(signal, body, type === "application/json" ? "json" : "proto");
  } catch (err) {
    throw PipelineError.permanent(`the response from ${url} could not be parsed: ${(err as Error).message}`, Code.Internal, err);
  }
  if (partial) logger.warn("Partial success response", { message: partial.message, [droppedField(signal)]: partial.rejected, url });
}

/** A non-2xx answer: retryable for 429/502/503/504 (with Retry-After on 429/503), permanent otherwise. */
async function statusError(res: Response, url: string): Promise<PipelineError> {
  const detail = describeBody(await readLimited(res, MAX_ERROR_BODY), res.headers.get("Content-Type"));
  const message = `request to ${url} responded with HTTP Status Code ${res.status}${detail ? `, Message=${detail}` : ""}`;
  if (!httpStatusRetryable(res.status)) return PipelineError.permanent(message, codeOfHttpStatus(res.status));
  const hint = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("Retry-After")) : undefined;
  // Retryable errors carry UNAVAILABLE whatever the status, so that a receiver passing the error
  // on tells its own clients to retry (RESOURCE_EXHAUSTED without RetryInfo would mean "drop").
  return PipelineError.retryable(message, hint, Code.Unavailable);
}

/** The google.rpc.Status message of an error body (otlp.md §2 "Responses"), else a text excerpt. */
export function describeBody(body: Uint8Array, contentType: string | null): string {
  if (body.length === 0) return "";
  let status: Status | undefined;
  try {
    if (contentType?.startsWith("application/json")) status = parseOtlpJson(StatusSchema, new TextDecoder().decode(body)) as Status;
    else if (contentType?.startsWith("application/x-protobuf") || contentType?.startsWith("application/protobuf")) status = fromBinary(StatusSchema, body);
  } catch {
    status = undefined;
  }
  if (status?.message) return status.message;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(body.subarray(0, 512)).trim();
  return /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(text) ? text : "";
}

