// The contract every resource detector implements (spec: alloy-components.md §2). A detector
// declares its config block (if it has one) and the attributes it can set with their default
// enablement; `detect` reads its source once and returns what it found. Below the contract: how
// the core tells "source unavailable" from a real failure, and a small GET helper for sources
// fetch cannot reach portably (unix sockets, private CAs).

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Logger } from "../../../../runtime/logger.ts";
import type { Schema } from "../../../../runtime/schema.ts";

/** An attribute value a detector can produce. */
export type DetectedValue = string | number | boolean | string[];

export interface Detection {
  attributes: Record<string, DetectedValue>;
  /** The semantic-conventions schema URL the detector reports (system: 1.6.1). */
  schemaUrl?: string;
}

export interface DetectContext {
  /** Aborts at the component's `timeout`; pass it to every fetch and socket call. */
  signal: AbortSignal;
  logger: Logger;
  /** Environment lookup (tests inject their own; production reads process.env). */
  env(name: string): string | undefined;
  /** HTTP client (tests may inject one); defaults to global fetch. */
  fetch: typeof fetch;
  /** Reads a local file as text (tests inject fixtures); rejects when missing. */
  readFile(path: string): Promise<string>;
  /** `fail_on_missing_metadata`: "not on this platform" must be an error instead of empty. */
  failOnMissingMetadata: boolean;
}

export interface Detector<A = Record<string, unknown>> {
  /** The name used in `detectors` (and as its block name, e.g. `system`). */
  name: string;
  /** The detector's own block, without `resource_attributes` (added from `attributes`). */
  block?: Schema;
  /** Every attribute it can set → enabled by default. Drives the `resource_attributes` block. */
  attributes: Record<string, boolean>;
  /**
   * Reads the source. `args` is the decoded detector block (with defaults), `enabled` the
   * attribute switches after the user's `resource_attributes`. Throw for a real failure;
   * return empty attributes when not on this platform (unless failOnMissingMetadata).
   */
  detect(ctx: DetectContext, args: A, enabled: (attribute: string) => boolean): Promise<Detection>;
}

/** Keeps only enabled attributes, dropping empty strings and empty lists as upstream does. */
export function onlyEnabled(found: Record<string, DetectedValue | undefined>, enabled: (a: string) => boolean): Record<string, DetectedValue> {
  const out: Record<string, DetectedValue> = {};
  for (const [k, v] of Object.entries(found)) {
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    if (enabled(k)) out[k] = v;
  }
  return out;
}

/** Error for "this is not the platform the detector is for", raised only when asked to. */
export class MissingMetadataError extends Error {}

/**
 * Error for a source that is absent or silent (no socket, connection refused, no answer before
 * `timeout`), as opposed to one that answered badly. The core retries it until `timeout`, then
 * logs it and the detector contributes nothing — an error only with fail_on_missing_metadata.
 */
export class SourceUnavailableError extends Error {}

// Socket-level failures that mean "nobody is there" (Node's codes and Bun's fetch names).
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE",
  "ConnectionRefused", "ConnectionClosed", "FailedToOpenSocket", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET",
]);

/** Whether `err` means the source could not be reached (see SourceUnavailableError), including aborts. */
export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof SourceUnavailableError || e.name === "AbortError" || e.name === "TimeoutError") return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  }
  return false;
}

/** Options of httpGet. */
export interface HttpGetOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Talk HTTP over this unix socket instead of TCP (Docker). */
  socketPath?: string;
  /** node:tls client options for https URLs (a private CA, a client certificate, skip-verify). */
  tls?: { ca?: string | string[]; cert?: string; key?: string; rejectUnauthorized?: boolean; servername?: string };
}

/** A response of httpGet: status and body text. */
export interface HttpGetResponse {
  status: number;
  body: string;
}

/**
 * GET over node:http(s), for sources fetch cannot reach portably (a unix socket, a private CA).
 * Connection failures become SourceUnavailableError; any status is returned, not thrown.
 */
export async function httpGet(url: string, opts: HttpGetOptions): Promise<HttpGetResponse> {
  const u = new URL(url);
  const secure = u.protocol === "https:";
  const request = secure ? httpsRequest : httpRequest;
  return new Promise<HttpGetResponse>((resolve, reject) => {
    const req = request(
      {
        method: "GET",
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ""),
        port: u.port || undefined,
        path: u.pathname + u.search,
        headers: { accept: "application/json", ...opts.headers },
        socketPath: opts.socketPath,
        signal: opts.signal,
        ...(secure ? opts.tls : {}),
      },
      (res) => {
        const decoder = new TextDecoder();
        let body = "";
        res.on("data", (c: Uint8Array) => (body += decoder.decode(c, { stream: true })));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body + decoder.decode() }));
        res.on("error", reject);
      },
    );
    // A missing unix socket (ENOENT) means no daemon, like a refused TCP connection.
    const absent = (err: Error) => isUnavailable(err) || (err as { code?: unknown }).code === "ENOENT";
    req.on("error", (err) => reject(absent(err) && !opts.signal.aborted ? new SourceUnavailableError(`${url}: ${err.message}`, { cause: err }) : err));
    req.end();
  });
}

/** Parses a JSON body, with the source named in the error. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`malformed response from ${what}: ${(err as Error).message}`);
  }
}
