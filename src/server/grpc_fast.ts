// The hot path of the OTLP/gRPC server: unary Export calls over plain gRPC (protobuf codec,
// uncompressed or gzip) are answered here, straight on the HTTP/2 stream, instead of through
// Connect. Connect's async-iterable pipeline costs more CPU per request than decoding and
// delivering 100 spans (profile: ~60 % of the gRPC receiver's samples were Connect and its
// stream adapters). Everything else — gRPC-Web, the Connect protocol, the JSON codec, unserved
// signals, authentication, other encodings, malformed timeouts — still goes to Connect, so the
// statuses stay Connect's. What this path answers, it answers as Connect would: the same codes,
// messages, RetryInfo details (grpc-status-details-bin) and response messages.

import type { Http2ServerRequest, Http2ServerResponse, IncomingHttpHeaders } from "node:http2";
import { gunzip } from "node:zlib";
import { Batch, BatchDecodeError, type ClientMetadata, type PartialSuccess, type Signal } from "../otlp/batch.ts";
import { Code, PipelineError } from "../otlp/errors.ts";
import { decode } from "../otlp/codec.ts";
import { encodeResponse } from "../otlp/response.ts";
import { RawExportRequestSchema } from "./grpc_raw.ts";
import { type OtlpSink, encodeStatus } from "./otlp_common.ts";

export interface FastGrpcOptions {
  /** `/<service>/Export` → signal. */
  paths: ReadonlyMap<string, Signal>;
  /** Largest accepted message, after decompression, in bytes (Connect's readMaxBytes). */
  maxRecvMsgSize: number;
  /** Client metadata from the request headers, when include_metadata is on. */
  metadata?: (headers: IncomingHttpHeaders) => ClientMetadata;
}

/** gRPC frame header: compressed flag and big-endian length. */
const PREFIX = 5;

/** The most a message buffer holds before its data arrives (typical exports are smaller). */
const FIRST_BUFFER = 256 * 1024;

/**
 * A request listener for the node:http2 compatibility API: true when it took the request, false
 * when the caller should hand it to Connect. SOLDER_GRPC_CONNECT=1 sends everything to Connect.
 */
export function fastUnaryExport(opts: FastGrpcOptions, sink: OtlpSink): ((req: Http2ServerRequest, res: Http2ServerResponse) => boolean) | undefined {
  if (process.env.SOLDER_GRPC_CONNECT === "1") return undefined;
  return (req, res) => {
    if (req.method !== "POST" || !req.stream) return false;
    const signal = opts.paths.get(req.url);
    if (signal === undefined || !sink.accepts(signal)) return false;
    const h = req.headers;
    const contentType = h["content-type"];
    if (contentType !== "application/grpc" && contentType !== "application/grpc+proto") return false;
    const encoding = h["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity" && encoding !== "gzip") return false;
    const timeoutMs = parseTimeout(h["grpc-timeout"]);
    if (timeoutMs === null) return false;
    void serve(req, res, signal, contentType, encoding === "gzip", timeoutMs, opts, sink);
    return true;
  };
}

/** grpc-timeout in milliseconds; undefined when absent, null when malformed. */
function parseTimeout(value: string | string[] | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const m = typeof value === "string" ? /^(\d{1,8})([HMSmun])$/.exec(value) : null;
  if (!m) return null;
  const unit: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
  return Number(m[1]) * unit[m[2]!]!;
}

interface Outcome {
  code: Code;
  message: string;
  retryAfterMs?: number;
  body?: Uint8Array;
}

async function serve(
  req: Http2ServerRequest,
  res: Http2ServerResponse,
  signal: Signal,
  contentType: string,
  gzipped: boolean,
  timeoutMs: number | undefined,
  opts: FastGrpcOptions,
  sink: OtlpSink,
): Promise<void> {
  let answered = false;
  const answer = (o: Outcome) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    respond(res, contentType, o);
  };
  // Connect's deadline: the call fails with DEADLINE_EXCEEDED; work under way is not undone.
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => answer({ code: Code.DeadlineExceeded, message: "the operation timed out" }), timeoutMs);
  try {
    answer(await handle(req, signal, gzipped, opts, sink));
  } catch (err) {
    answer({ code: Code.Internal, message: err instanceof Error ? err.message : String(err) });
  }
}

async function handle(req: Http2ServerRequest, signal: Signal, gzipped: boolean, opts: FastGrpcOptions, sink: OtlpSink): Promise<Outcome> {
  const read = await readMessage(req, opts.maxRecvMsgSize);
  if ("code" in read) return read;
  let bytes = read.message;
  if (read.compressed) {
    if (!gzipped) return { code: Code.Internal, message: "received compressed envelope, but do not know how to decompress" };
    try {
      bytes = await gunzipLimited(bytes, opts.maxRecvMsgSize);
    } catch (err) {
      if (err instanceof TooLarge) return { code: Code.ResourceExhausted, message: `message is larger than configured readMaxBytes ${opts.maxRecvMsgSize} after decompression` };
      return { code: Code.Internal, message: err instanceof Error ? err.message : String(err) };
    }
  }
  let batch: Batch<Signal>;
  try {
    batch = Batch.decode(signal, bytes, opts.metadata?.(req.headers));
  } catch (err) {
    if (!(err instanceof BatchDecodeError)) throw err;
    return { code: Code.InvalidArgument, message: topLevelParseError(bytes) ?? err.message };
  }
  if (batch.itemCount() === 0) return { code: Code.OK, message: "", body: encodeResponse(signal, undefined, "proto") as Uint8Array };
  let partial: PartialSuccess | undefined | void;
  try {
    partial = await sink.export(batch, "grpc");
  } catch (err) {
    const e = PipelineError.from(err);
    return { code: e.code, message: e.message, retryAfterMs: e.retryAfterMs };
  }
  return { code: Code.OK, message: "", body: encodeResponse(signal, partial ?? undefined, "proto") as Uint8Array };
}

/**
 * Connect parses the top level first (the stand-in RawExportRequest, grpc_raw.ts) and reports a
 * failure there as "parse binary: …"; the same text here, so clients see no difference.
 */
function topLevelParseError(bytes: Uint8Array): string | undefined {
  try {
    decode(RawExportRequestSchema, bytes);
    return undefined;
  } catch (err) {
    return `parse binary: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function tooLarge(size: number, max: number): Outcome {
  return { code: Code.ResourceExhausted, message: `message size ${size} is larger than configured readMaxBytes ${max}` };
}

/**
 * The one message of a unary call: its bytes, or the status that ends the call. Once the 5-byte
 * prefix has arrived, DATA frames are copied straight into one buffer, so no list of chunks is
 * joined at the end. The buffer starts at the declared size up to FIRST_BUFFER and doubles as data
 * arrives: a client declaring a large message it never sends holds no more than that.
 */
function readMessage(req: Http2ServerRequest, max: number): Promise<{ message: Uint8Array; compressed: boolean } | Outcome> {
  return new Promise((resolve) => {
    const head = new Uint8Array(PREFIX);
    let headLen = 0;
    let message: Uint8Array | undefined;
    let declared = 0;
    let filled = 0;
    let settled = false;
    const finish = (r: { message: Uint8Array; compressed: boolean } | Outcome) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      // Whatever else arrives is read and dropped, so the stream can close cleanly.
      if ("code" in r) req.resume();
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      let at = 0;
      if (headLen < PREFIX) {
        const n = Math.min(PREFIX - headLen, chunk.byteLength);
        head.set(chunk.subarray(0, n), headLen);
        headLen += n;
        at = n;
        if (headLen < PREFIX) return;
        declared = ((head[1]! << 24) >>> 0) + (head[2]! << 16) + (head[3]! << 8) + head[4]!;
        if (declared > max) return finish(tooLarge(declared, max));
        message = new Uint8Array(Math.min(declared, FIRST_BUFFER));
      }
      const rest = chunk.byteLength - at;
      if (rest === 0) return;
      if (filled + rest > declared) {
        return finish({ code: Code.Unimplemented, message: "protocol error: received extra input message for unary method" });
      }
      if (filled + rest > message!.byteLength) {
        const grown = new Uint8Array(Math.min(declared, Math.max(2 * message!.byteLength, filled + rest)));
        grown.set(message!.subarray(0, filled));
        message = grown;
      }
      message!.set(at === 0 ? chunk : chunk.subarray(at), filled);
      filled += rest;
    };
    req.on("data", onData);
    req.once("end", () => {
      if (settled) return;
      if (headLen === 0) return finish({ code: Code.Unimplemented, message: "protocol error: missing input message for unary method" });
      if (headLen < PREFIX || filled !== declared) return finish({ code: Code.InvalidArgument, message: "protocol error: incomplete envelope" });
      finish({ message: message!, compressed: (head[0]! & 1) === 1 });
    });
    req.once("error", (err) => finish({ code: Code.Internal, message: err.message }));
    req.once("aborted", () => finish({ code: Code.Canceled, message: "the client cancelled the call" }));
  });
}

class TooLarge extends Error {
  constructor() {
    super("message too large");
  }
}

/** Inflates a gzip message, failing once it passes `max` bytes (Connect: after decompression). */
function gunzipLimited(bytes: Uint8Array, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    gunzip(bytes, { maxOutputLength: max + 1 }, (err, out) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") reject(new TooLarge());
        else reject(err);
        return;
      }
      if (out.byteLength > max) reject(new TooLarge());
      else resolve(out);
    });
  });
}

/** Headers, the response message when there is one, and the status in trailers. */
function respond(res: Http2ServerResponse, contentType: string, o: Outcome): void {
  if (res.stream?.destroyed || res.stream?.closed || res.headersSent) return;
  const trailers: Record<string, string> = { "grpc-status": String(o.code) };
  if (o.code !== Code.OK) {
    trailers["grpc-message"] = encodeURIComponent(o.message);
    if (o.retryAfterMs !== undefined) {
      const status = encodeStatus(o.code, o.message, "proto", o.retryAfterMs) as Uint8Array;
      trailers["grpc-status-details-bin"] = Buffer.from(status).toString("base64").replace(/=+$/, "");
    }
  }
  try {
    res.writeHead(200, { "content-type": contentType, "grpc-accept-encoding": "gzip" });
    res.addTrailers(trailers);
    if (o.body) {
      const frame = Buffer.allocUnsafe(PREFIX + o.body.byteLength);
      frame[0] = 0;
      frame.writeUInt32BE(o.body.byteLength, 1);
      frame.set(o.body, PREFIX);
      res.end(frame);
    } else res.end();
  } catch {
    // The stream closed under us; nothing more can be said.
  }
}
