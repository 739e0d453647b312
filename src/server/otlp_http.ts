// The OTLP/HTTP request handler, a web-standard (Request) → Response function. The layers run
// in the order of alloy-components.md §1.2 (the Collector's confighttp server wrapped around
// otlpreceiver's handlers): CORS, auth, decompress, route, method, media type, read, decode, pipeline.
// Status codes and bodies follow upstream byte for byte where the spec pins them.

import { Batch, BatchDecodeError, type ClientMetadata, type PartialSuccess, type Signal, encodeResponse } from "../otlp/batch.ts";
import { Code, PipelineError, codeOfHttpStatus, httpStatusOf } from "../otlp/errors.ts";
import { BodyReadError, BodyTooLargeError, LimitedBody } from "./body.ts";
import type { AuthHandler } from "../components/otelcol/auth/handler.ts";
import { Cors, type CorsOptions } from "./cors.ts";
import { type BodyRead, openBody } from "./decompress.ts";
import { type OtlpSink, SIGNALS, encodeStatus, metadataOf } from "./otlp_common.ts";

export interface OtlpHttpOptions {
  /** URL path per signal (already sanitized: absolute). */
  paths: Record<Signal, string>;
  /** Cap on the raw body and again on the decompressed body, in bytes. */
  maxRequestBodySize: number;
  /** Accepted Content-Encoding values; "" means uncompressed. */
  compressionAlgorithms: readonly string[];
  /** Attach request headers to the batch as client metadata. */
  includeMetadata: boolean;
  /** CORS policy; off when undefined or without origins. */
  cors?: CorsOptions;
  /** Server authentication; a request it refuses gets 401 before anything else is read. */
  auth?: AuthHandler;
}

/**
 * The status for a body over `max_request_body_size`, raw or inflated. The OTLP spec
 * (otlp.md §2, Requests) asks for 413 Content Too Large, which clients treat as not retryable;
 * Alloy answers a plain 400 here. solder follows the protocol: both are permanent for clients,
 * and 413 says what went wrong.
 */
export const BODY_TOO_LARGE_STATUS = 413;

type Format = "proto" | "json";

const CONTENT_TYPES: Record<Format, string> = { proto: "application/x-protobuf", json: "application/json" };

/** Headers that never become client metadata (Go keeps Host out of r.Header). */
const NOT_METADATA: ReadonlySet<string> = new Set(["host"]);

/** Builds the handler; `sink` decides per request which signals are served. */
export function createOtlpHttpHandler(opts: OtlpHttpOptions, sink: OtlpSink): (req: Request) => Promise<Response> {
  const cors = opts.cors && opts.cors.allowed_origins.length > 0 ? new Cors(opts.cors) : undefined;
  const allowed = new Set(opts.compressionAlgorithms);
  const serve = (req: Request) => serveRequest(req, opts, allowed, sink);
  return async (req) => {
    if (cors?.isPreflight(req)) return cors.preflight(req);
    const res = await serve(req);
    return cors ? cors.decorate(req, res) : res;
  };
}

async function serveRequest(req: Request, opts: OtlpHttpOptions, allowed: ReadonlySet<string>, sink: OtlpSink): Promise<Response> {
  const body = new LimitedBody(req, opts.maxRequestBodySize, declaredLength(req.headers));
  try {
    const res = await runLayers(req, body, opts, allowed, sink);
    // Stop reading whatever the layers left, and don't reuse a connection with unread input.
    body.cancel();
    if (body.abandoned) res.headers.set("connection", "close");
    return res;
  } catch (err) {
    body.cancel();
    throw err;
  }
}

async function runLayers(req: Request, body: LimitedBody, opts: OtlpHttpOptions, allowed: ReadonlySet<string>, sink: OtlpSink): Promise<Response> {
  if (opts.auth) {
    const verdict = await opts.auth.authenticate(req.headers);
    if (!verdict.ok) return layerError(req, verdict.message, 401);
  }
  let read: BodyRead;
  try {
    read = await openBody(req.headers.get("content-encoding") ?? "", allowed, body);
  } catch (err) {
    return layerError(req, messageOf(err), 400);
  }
  const signal = routeOf(new URL(req.url).pathname, opts.paths, sink);
  if (!signal) return notFound();
  if (req.method !== "POST") return text(405, "405 method not allowed, supported: [POST]");
  const format = formatOf(req.headers.get("content-type"));
  if (!format) return text(415, "415 unsupported media type, supported: [application/json, application/x-protobuf]");

  let bytes: Uint8Array;
  try {
    bytes = await read();
  } catch (err) {
    if (err instanceof BodyTooLargeError) return statusResponse(format, BODY_TOO_LARGE_STATUS, Code.ResourceExhausted, err.message);
    return statusResponse(format, 400, Code.InvalidArgument, messageOf(err));
  }
  let batch: Batch<Signal>;
  try {
    batch = decode(signal, format, bytes, opts.includeMetadata ? metadataOf(req.headers, NOT_METADATA) : undefined);
  } catch (err) {
    if (!(err instanceof BatchDecodeError)) throw err;
    return statusResponse(format, 400, Code.InvalidArgument, err.message);
  }
  // An empty request succeeds without touching the pipeline (otlp.md §1, alloy-components.md §1.2).
  if (batch.itemCount() === 0) return success(signal, format, undefined);
  let partial: PartialSuccess | undefined | void;
  try {
    partial = await sink.export(batch, "http");
  } catch (err) {
    return pipelineError(format, PipelineError.from(err));
  }
  return success(signal, format, partial ?? undefined);
}

/** The signal served at `path`, if its pipeline exists. */
function routeOf(path: string, paths: Record<Signal, string>, sink: OtlpSink): Signal | undefined {
  return SIGNALS.find((s) => paths[s] === path && sink.accepts(s));
}

function decode(signal: Signal, format: Format, bytes: Uint8Array, metadata: ClientMetadata | undefined): Batch<Signal> {
  if (format === "proto") return Batch.decode(signal, bytes, metadata);
  return Batch.fromJson(signal, utf8(bytes), metadata);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** JSON text must be UTF-8 (RFC 8259 §8.1); invalid bytes are bad input, not U+FFFD. */
function utf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new BatchDecodeError("invalid JSON: body is not valid UTF-8");
  }
}

/** "proto", "json", or undefined for any other media type (parameters such as charset ignored). */
export function formatOf(contentType: string | null): Format | undefined {
  const media = mediaTypeOf(contentType ?? "");
  if (media === "application/x-protobuf") return "proto";
  if (media === "application/json") return "json";
  return undefined;
}

/** The lowercased media type, or "" when the header does not parse (as Go's mime.ParseMediaType fails). */
function mediaTypeOf(value: string): string {
  const [type = "", ...params] = value.split(";");
  const media = type.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(media)) return "";
  const ok = params.every((p, i) => /^\s*[^=\s]+\s*=\s*\S*\s*$/.test(p) || (i === params.length - 1 && p.trim() === ""));
  return ok ? media : "";
}

/** Content-Length when present and valid. */
function declaredLength(headers: Headers): number | undefined {
  const v = headers.get("content-length");
  return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * The Collector's error handler for the layers that run before the handler (auth, decompress): the
 * Status is encoded per Content-Type, JSON when it is missing, and an unknown type gets a fixed 500.
 */
function layerError(req: Request, message: string, status: number): Response {
  const contentType = req.headers.get("content-type");
  const format = contentType === null || contentType === "" ? "json" : formatOf(contentType);
  if (!format) return text(500, '{"code": 13, "message": "failed to marshal error message"}');
  return statusResponse(format, status, codeOfHttpStatus(status), message);
}

/** A pipeline error: status from its code, Retry-After when it carries a delay (alloy-components.md §1.2). */
function pipelineError(format: Format, err: PipelineError): Response {
  const status = httpStatusOf(err);
  const res = statusResponse(format, status, err.code, err.message, err.retryAfterMs);
  if ((status === 429 || status === 503) && err.retryAfterMs !== undefined) {
    // Whole seconds, rounded down, as upstream formats RetryInfo.retry_delay.
    res.headers.set("retry-after", String(Math.floor(err.retryAfterMs / 1000)));
  }
  return res;
}

/** A google.rpc.Status body encoded like the request. */
function statusResponse(format: Format, status: number, code: Code, message: string, retryAfterMs?: number): Response {
  return new Response(encodeStatus(code, message, format, retryAfterMs) as BodyInit, { status, headers: { "content-type": CONTENT_TYPES[format] } });
}

function success(signal: Signal, format: Format, partial: PartialSuccess | undefined): Response {
  return new Response(encodeResponse(signal, partial, format) as BodyInit, { status: 200, headers: { "content-type": CONTENT_TYPES[format] } });
}

/** Go's http.NotFound. */
function notFound(): Response {
  return new Response("404 page not found\n", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  });
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain" } });
}

function messageOf(err: unknown): string {
  if (err instanceof BodyReadError || err instanceof BodyTooLargeError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
