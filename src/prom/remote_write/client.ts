// One remote-write HTTP request and the classification of its outcome (prometheus.md §5.2,
// §5.3): POST a snappy-compressed body with the protocol's headers, then 2xx → done;
// 5xx, network errors and timeouts → retry; 429 → retry only with retry_on_http_429; any other
// status → drop the batch. Uses the global fetch, so it runs on Bun, Deno and Node.

import { parseRetryAfter, readLimited } from "../../runtime/http_response.ts";
import { readFile } from "node:fs/promises";
import { VERSION } from "../../version.ts";

/** Remote-write protocol versions: 1.0 (`prometheus.WriteRequest`) and 2.0 (`io.prometheus.write.v2.Request`). */
export type Protocol = "v1" | "v2";

export const USER_AGENT = `solder/${VERSION}`;

/** The four headers the spec requires; user headers never override them (§5.2). */
export function protocolHeaders(protocol: Protocol): Record<string, string> {
  return protocol === "v2"
    ? {
        "Content-Encoding": "snappy",
        "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request",
        "X-Prometheus-Remote-Write-Version": "2.0.0",
        "User-Agent": USER_AGENT,
      }
    : {
        "Content-Encoding": "snappy",
        "Content-Type": "application/x-protobuf",
        "X-Prometheus-Remote-Write-Version": "0.1.0",
        "User-Agent": USER_AGENT,
      };
}

/** Header names users may not set (compared lower-case). */
export const RESERVED_HEADERS: readonly string[] = Object.keys(protocolHeaders("v1")).map((h) => h.toLowerCase());

/** Where credentials come from; files are read on every request so rotated secrets apply. */
export type Credentials =
  | { kind: "none" }
  | { kind: "basic"; username: string; password?: string; passwordFile?: string }
  | { kind: "authorization"; type: string; credentials?: string; credentialsFile?: string };

/** TLS options in node:tls terms, as Bun's fetch takes them (`tls`). */
export interface TlsOptions {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  servername?: string;
  minVersion?: string;
}

export interface ClientSettings {
  url: string;
  /** Per attempt; 0 = none. */
  timeoutMs: number;
  headers: Record<string, string>;
  credentials: Credentials;
  retryOn429: boolean;
  followRedirects: boolean;
  /** Resolved lazily by the caller (files are read when the queue starts, not at build). */
  tls?: () => Promise<TlsOptions | undefined>;
  proxyUrl?: string;
}

export type Outcome =
  | { kind: "ok" }
  /** A 2.0 request the receiver did not understand (415, or 2xx without the written-count headers). */
  | { kind: "unsupported"; message: string }
  | { kind: "retry"; message: string; retryAfterMs?: number }
  | { kind: "drop"; message: string; status: number };

const MAX_ERROR_BODY = 1024;

/** The Authorization header value for `c`, reading credential files now. */
export async function authorization(c: Credentials): Promise<string | undefined> {
  switch (c.kind) {
    case "none":
      return undefined;
    case "basic": {
      const password = c.passwordFile !== undefined ? (await readFile(c.passwordFile, "utf8")).trim() : (c.password ?? "");
      return `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${c.username}:${password}`)))}`;
    }
    case "authorization": {
      const secret = c.credentialsFile !== undefined ? (await readFile(c.credentialsFile, "utf8")).trim() : (c.credentials ?? "");
      return `${c.type} ${secret}`;
    }
  }
}

/** POSTs one compressed request and classifies the answer. Never throws. */
export async function postWrite(s: ClientSettings, body: Uint8Array, protocol: Protocol, stop: AbortSignal): Promise<Outcome> {
  let headers: Headers;
  let init: RequestInit & { tls?: object; proxy?: string };
  try {
    headers = new Headers(s.headers);
    const auth = await authorization(s.credentials);
    if (auth !== undefined) headers.set("Authorization", auth);
    for (const [k, v] of Object.entries(protocolHeaders(protocol))) headers.set(k, v);
    const signals = [stop];
    if (s.timeoutMs > 0) signals.push(AbortSignal.timeout(s.timeoutMs));
    init = { method: "POST", headers, body: body as BodyInit, signal: AbortSignal.any(signals), redirect: s.followRedirects ? "follow" : "manual" };
    // Bun's fetch reads `tls` and `proxy`; other runtimes ignore unknown fields.
    if (s.url.startsWith("https:") && s.tls) {
      const m = await s.tls();
      if (m) init.tls = { ca: m.ca, cert: m.cert, key: m.key, rejectUnauthorized: m.rejectUnauthorized, serverName: m.servername, minVersion: m.minVersion };
    }
    if (s.proxyUrl) init.proxy = s.proxyUrl;
  } catch (err) {
    // Unreadable credential or TLS files: retry, they may appear (and the log says why).
    return { kind: "retry", message: `cannot prepare the request to ${s.url}: ${(err as Error).message}` };
  }
  let res: Response;
  try {
    res = await fetch(s.url, init);
  } catch (err) {
    return { kind: "retry", message: transportMessage(err, s.url, stop) };
  }
  return classify(res, s, protocol);
}

/** Maps a response to an outcome (§5.2 retry rules, §5.3 2.0 detection). */
export async function classify(res: Response, s: Pick<ClientSettings, "url" | "retryOn429">, protocol: Protocol): Promise<Outcome> {
  const text = new TextDecoder().decode(await readLimited(res, MAX_ERROR_BODY)).trim();
  if (res.status >= 200 && res.status < 300) {
    if (protocol === "v2" && !res.headers.has("X-Prometheus-Remote-Write-Samples-Written")) {
      return { kind: "unsupported", message: `${s.url} answered ${res.status} without X-Prometheus-Remote-Write-Samples-Written: a remote write 1.x receiver` };
    }
    return { kind: "ok" };
  }
  const message = `server returned HTTP status ${res.status} ${res.statusText}`.trim() + (text ? `: ${text}` : "");
  if (protocol === "v2" && res.status === 415) return { kind: "unsupported", message };
  const retryAfterMs = parseRetryAfter(res.headers.get("Retry-After"));
  if (res.status >= 500) return { kind: "retry", message, retryAfterMs };
  if (res.status === 429 && s.retryOn429) return { kind: "retry", message, retryAfterMs };
  return { kind: "drop", message, status: res.status };
}

function transportMessage(err: unknown, url: string, stop: AbortSignal): string {
  const e = err as Error;
  if (e?.name === "TimeoutError") return `request to ${url} timed out (remote_timeout)`;
  if (stop.aborted) return `request to ${url} cancelled at shutdown`;
  const cause = (e?.cause as Error | undefined)?.message;
  return `failed to send the request to ${url}: ${e?.message ?? String(err)}${cause ? ` (${cause})` : ""}`;
}
