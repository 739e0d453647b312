// The decompress layer of the OTLP/HTTP server (alloy-components.md §1.2, the Collector's
// confighttp decompressor): `Content-Encoding` picks a decoder among `compression_algorithms`;
// anything else is refused. Like upstream, gzip and zlib headers are checked when the layer
// runs (Go's readers parse them on creation) and snappy bodies are decoded there; everything
// else happens while the handler reads the body. The decompressed body is capped at the same
// limit as the raw one and inflation stops as soon as it is passed, so a small "zip bomb"
// never expands in memory.

import type { Transform } from "node:stream";
import * as zlib from "node:zlib";
import { BodyReadError, BodyTooLargeError, type LimitedBody, concat } from "./body.ts";
import { decodeSnappyBlock, decodeSnappyFramed, isFramedSnappy } from "./snappy.ts";

/** Reads the decoded body; called by the handler's read step. */
export type BodyRead = () => Promise<Uint8Array>;

/** Content-Encoding values this server can decode (lz4 is missing: no decoder on this runtime). */
export const DECODABLE_ENCODINGS: ReadonlySet<string> = new Set(["", "gzip", "zlib", "deflate", "zstd", "snappy", "x-snappy-framed"]);

/**
 * Decoders take input only as fast as their output is read (a small write buffer), so a body
 * that inflates past the limit is not read much further than the point where it passes it.
 */
const DECODER_OPTIONS = { writableHighWaterMark: 1024 } as zlib.ZlibOptions & zlib.ZstdOptions; // Transform options pass through

/**
 * Runs the decompress layer for `encoding`. Throws BodyReadError when the encoding is not
 * allowed (or not decodable here) or its header is bad; otherwise returns the read step.
 */
export async function openBody(encoding: string, allowed: ReadonlySet<string>, body: LimitedBody): Promise<BodyRead> {
  if (!allowed.has(encoding) || !DECODABLE_ENCODINGS.has(encoding)) {
    throw new BodyReadError(`unsupported Content-Encoding: ${encoding}`);
  }
  const limit = body.limit;
  switch (encoding) {
    case "":
      return () => body.readAll();
    case "gzip":
      checkGzipHeader(await body.peek(10));
      return () => inflate(zlib.createGunzip(DECODER_OPTIONS), "gzip", body, limit);
    case "zlib":
    case "deflate":
      // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2), which is also how Go reads it.
      checkZlibHeader(await body.peek(2));
      return () => inflate(zlib.createInflate(DECODER_OPTIONS), "zlib", body, limit);
    case "zstd":
      return () => inflate(zlib.createZstdDecompress(DECODER_OPTIONS), "zstd", body, limit);
    case "x-snappy-framed":
      return async () => decodeSnappyFramed(await body.readAll(), limit);
    default:
      return openSnappy(body, limit);
  }
}

/** `snappy`: framed when the body starts with the stream identifier, else one block (decoded now). */
async function openSnappy(body: LimitedBody, limit: number): Promise<BodyRead> {
  if (isFramedSnappy(await body.peek(10))) return async () => decodeSnappyFramed(await body.readAll(), limit);
  let decoded: Uint8Array;
  try {
    decoded = decodeSnappyBlock(await body.readAll(), limit);
  } catch (err) {
    // Upstream decodes here but only notices the size when the handler reads the result.
    if (err instanceof BodyTooLargeError) return () => Promise.reject(err);
    throw err;
  }
  return () => Promise.resolve(decoded);
}

/** Go's gzip.NewReader checks: enough bytes for a header, magic number, deflate method. */
function checkGzipHeader(head: Uint8Array): void {
  if (head.byteLength === 0) throw new BodyReadError("EOF");
  if (head.byteLength < 10) throw new BodyReadError("unexpected EOF");
  if (head[0] !== 0x1f || head[1] !== 0x8b || head[2] !== 8) throw new BodyReadError("gzip: invalid header");
}

/** Go's zlib.NewReader checks: method 8, window ≤ 32 KiB, header checksum, no preset dictionary. */
function checkZlibHeader(head: Uint8Array): void {
  if (head.byteLength === 0) throw new BodyReadError("EOF");
  if (head.byteLength < 2) throw new BodyReadError("unexpected EOF");
  const cmf = head[0]!;
  const flg = head[1]!;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0) throw new BodyReadError("zlib: invalid header");
  if (flg & 0x20) throw new BodyReadError("zlib: invalid dictionary");
}

/** Streams the body through a node:zlib decoder, failing as soon as the output passes `limit`. */
async function inflate(decoder: Transform, name: string, body: LimitedBody, limit: number): Promise<Uint8Array> {
  const feeding = feed(body, decoder);
  const out: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of decoder as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > limit) throw new BodyTooLargeError();
      out.push(chunk);
    }
  } catch (err) {
    decoder.destroy();
    body.cancel();
    await feeding;
    throw decodeError(err, name);
  }
  await feeding;
  return concat(out);
}

/** Writes the body into the decoder, honouring backpressure; a read error destroys the decoder. */
async function feed(body: LimitedBody, decoder: Transform): Promise<void> {
  try {
    for (let chunk = await body.next(); chunk; chunk = await body.next()) {
      if (decoder.destroyed) return;
      if (!decoder.write(chunk)) await drained(decoder);
    }
    if (!decoder.destroyed) decoder.end();
  } catch (err) {
    decoder.destroy(err as Error);
  }
}

function drained(stream: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

/** Our own errors pass through; zlib's get Go-like wording ("unexpected EOF", "gzip: …"). */
function decodeError(err: unknown, name: string): Error {
  if (err instanceof BodyTooLargeError || err instanceof BodyReadError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "Z_BUF_ERROR") return new BodyReadError("unexpected EOF", { cause: err });
  return new BodyReadError(`${name}: ${e?.message ?? String(err)}`, { cause: err });
}
