// One scrape request (alloy-components.md §14): content negotiation from scrape_protocols, gzip,
// auth headers, the timeout, the body size limit, and the in-memory route for targets at the
// process's own memory address (§13). Success means HTTP 200 and a body within the limit.

import type { Host } from "../../runtime/component.ts";
import type { TextFormat } from "../../prom/textparse.ts";
import { VERSION } from "../../version.ts";

/** Scrape protocols and their media types (Prometheus's ScrapeProtocolsHeaders). */
export const PROTOCOL_HEADERS: Record<string, string> = {
  PrometheusProto: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
  PrometheusText0_0_4: "text/plain;version=0.0.4",
  PrometheusText1_0_0: "text/plain;version=1.0.0",
  OpenMetricsText0_0_1: "application/openmetrics-text;version=0.0.1",
  OpenMetricsText1_0_0: "application/openmetrics-text;version=1.0.0",
};
/** The protocol names as written in configs (`PrometheusText0.0.4`). */
export const PROTOCOLS = Object.keys(PROTOCOL_HEADERS).map((p) => p.replace(/_/g, "."));

const USER_AGENT = `solder/${VERSION}`;

/**
 * The Accept header, weighted in the configured order as Prometheus builds it. PrometheusProto
 * is left out: solder parses only the text formats, so it must not invite protobuf answers.
 */
export function acceptHeader(protocols: readonly string[], escaping: string): string {
  const parts: string[] = [];
  let weight = PROTOCOLS.length + 1;
  for (const p of protocols) {
    if (p === "PrometheusProto") continue;
    let v = PROTOCOL_HEADERS[p.replace(/\./g, "_")];
    if (v === undefined) continue;
    if (p === "PrometheusText1.0.0" || p === "OpenMetricsText1.0.0") v += `;escaping=${escaping}`;
    parts.push(`${v};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(",");
}

/** The parser for a response's Content-Type; unknown or missing types use the fallback protocol. */
export function formatOf(contentType: string | null, fallback: string): TextFormat {
  const media = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (media === "application/openmetrics-text") return "openmetrics";
  if (media === "text/plain") return "prometheus";
  if (media === "application/vnd.google.protobuf") throw new Error("the protobuf exposition format is not supported by solder; remove PrometheusProto from scrape_protocols");
  if (fallback.startsWith("OpenMetrics")) return "openmetrics";
  if (fallback.startsWith("PrometheusText")) return "prometheus";
  throw new Error(`received unsupported Content-Type ${JSON.stringify(contentType ?? "")} and no fallback_scrape_protocol specified for target`);
}

export interface RequestSettings {
  url: string;
  address: string;
  timeoutMs: number;
  accept: string;
  compression: boolean;
  followRedirects: boolean;
  bodySizeLimit: number;
  /** Extra headers (auth, http_headers), resolved per request so credential files can rotate. */
  headers(): Promise<Record<string, string>>;
  /** Bun's fetch `tls` option, when tls_config is set (may throw: unreadable files fail the scrape). */
  tls?: () => object | undefined;
}

export interface ScrapeBody {
  text: string;
  contentType: string | null;
  bytes: number;
}

/** Fetches one scrape; throws with Prometheus's messages on failure. */
export async function fetchScrape(s: RequestSettings, host: Host | undefined, stop: AbortSignal): Promise<ScrapeBody> {
  const inMemory = host !== undefined && s.address === host.memoryAddress;
  let headers: Headers;
  let tls: object | undefined;
  try {
    headers = new Headers(await s.headers());
    tls = s.url.startsWith("https:") ? s.tls?.() : undefined;
  } catch (err) {
    throw new Error(`cannot prepare the request to ${s.url}: ${(err as Error).message}`);
  }
  headers.set("Accept", s.accept);
  // The in-memory server's Response is not decoded by a client, so ask it for plain text.
  headers.set("Accept-Encoding", s.compression && !inMemory ? "gzip" : "identity");
  headers.set("User-Agent", USER_AGENT);
  headers.set("X-Prometheus-Scrape-Timeout-Seconds", String(s.timeoutMs / 1000));
  const signal = AbortSignal.any([stop, AbortSignal.timeout(s.timeoutMs)]);
  const init: RequestInit & { tls?: object } = { headers, signal, redirect: s.followRedirects ? "follow" : "manual" };
  if (tls) init.tls = tls; // read by Bun's fetch, ignored elsewhere
  let res: Response;
  try {
    res = inMemory ? await host.fetchInMemory(new Request(s.url, init)) : await fetch(s.url, init);
  } catch (err) {
    throw new Error(transportMessage(err, s, stop));
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`.trim());
  }
  let body = res.body;
  if (inMemory && body && res.headers.get("Content-Encoding")?.toLowerCase() === "gzip") body = body.pipeThrough(new DecompressionStream("gzip"));
  try {
    const { text, bytes } = await readLimited(body, s.bodySizeLimit);
    return { text, contentType: res.headers.get("Content-Type"), bytes };
  } catch (err) {
    if (err instanceof BodyLimitError) throw err;
    throw new Error(transportMessage(err, s, stop));
  }
}

class BodyLimitError extends Error {
  constructor() {
    super("body size limit exceeded");
  }
}

/** Reads a body as UTF-8, failing as soon as it passes `limit` bytes (0 = no limit). */
async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<{ text: string; bytes: number }> {
  if (body === null) return { text: "", bytes: 0 };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (limit > 0 && bytes > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyLimitError();
    }
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), bytes };
}

function transportMessage(err: unknown, s: RequestSettings, stop: AbortSignal): string {
  if (stop.aborted) return "scrape cancelled";
  const e = err as Error;
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `Get "${s.url}": context deadline exceeded`;
  return `Get "${s.url}": ${e?.message ?? String(err)}`;
}
