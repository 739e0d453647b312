// The HTTP/1.1 listener (node:http, or node:https with TLS) behind every HTTP server solder runs,
// for web-standard Request/Response handlers, so route code is runtime-neutral and runs
// unchanged on Bun, Deno and Node. It has the knobs of Go's http.Server that the Collector's
// confighttp exposes. Request bodies stream with backpressure, so a handler that stops reading
// at a size limit really stops the transfer instead of buffering the rest.
//
// A listener that asks for it (`native`, the OTLP/HTTP receiver's hot path) runs on the runtime's
// own server instead when there is one (Bun.serve, see src/platform) and TLS is off: Bun's
// node:http layer costs about a quarter of the CPU of an OTLP request. Handlers see the same
// Request and answer the same Response either way.

import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type NativeServeOptions, type NativeServer, nativeServe } from "../platform/index.ts";
import type { TlsServerOptions } from "./tls.ts";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface Listening {
  /** The bound address as `host:port` (the real port when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

/** Splits `host:port` (IPv6 in brackets) into its parts. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid listen address "${addr}": want host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid listen address "${addr}": port out of range`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

export interface HttpListenOptions {
  tls?: TlsServerOptions;
  /** Whole request, headers and body (Go ReadTimeout); undefined or 0 = none. */
  readTimeoutMs?: number;
  /** Request headers (Go ReadHeaderTimeout). */
  readHeaderTimeoutMs?: number;
  /** From the end of the headers to the end of the response (Go WriteTimeout). */
  writeTimeoutMs?: number;
  /** Keep-alive connections idle longer are closed (Go IdleTimeout). */
  idleTimeoutMs?: number;
  /** false: every response closes its connection (Go SetKeepAlivesEnabled(false)). */
  keepAlivesEnabled?: boolean;
  /**
   * Use the runtime's native server when it has one and TLS is off. Its differences: headers are
   * parsed natively, so `readHeaderTimeoutMs` is not enforced apart from the idle timeout (which
   * covers a silent client); the write timeout closes the connection a few seconds late (Bun
   * checks idle connections every ~4 s); the idle timeout is counted in whole seconds, at most 255.
   */
  native?: boolean;
}

/** A started HTTP listener; `reloadTls` swaps certificates for new connections. */
export interface HttpListening extends Listening {
  reloadTls(tls: TlsServerOptions): void;
}

/** Starts serving `handler` on `addr`; rejects when the address cannot be bound. */
export function listenHttp(addr: string, handler: Handler, opts: HttpListenOptions = {}): Promise<HttpListening> {
  const { host, port } = splitHostPort(addr);
  const serve = opts.native && !opts.tls ? nativeServe() : undefined;
  if (serve) return listenNative(serve, host, port, handler, opts);
  const onRequest = requestListener(handler, opts);
  const server: Server = opts.tls ? createHttpsServer({ ...opts.tls }, onRequest) : createServer(onRequest);
  applyTimeouts(server, opts);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const a = server.address() as AddressInfo;
      const shown = a.family === "IPv6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
      resolve({
        address: shown,
        close: () => closeServer(server),
        reloadTls: (tls) => (server as Server & { setSecureContext?(o: object): void }).setSecureContext?.({ ...tls }),
      });
    });
  });
}

/** The node:http request callback that runs `handler` (for servers built elsewhere, e.g. admin_listener.ts). */
export function requestListener(handler: Handler, opts: HttpListenOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => void dispatch(handler, req, res, opts);
}

/** The largest body the native server lets through; handlers enforce their own, smaller limits. */
const NATIVE_MAX_BODY = 2 ** 52;
const MAX_IDLE_S = 255;

function listenNative(serve: (o: NativeServeOptions) => NativeServer, host: string, port: number, handler: Handler, opts: HttpListenOptions): Promise<HttpListening> {
  const idle = opts.idleTimeoutMs ? Math.min(MAX_IDLE_S, Math.max(1, Math.ceil(opts.idleTimeoutMs / 1000))) : 0;
  const fetch = async (req: Request, server: NativeServer): Promise<Response> => {
    // Go's WriteTimeout closes the connection once the handler overruns; the native server can
    // only be told to drop a connection that stays silent, so it gets a one-second idle timeout
    // (Bun checks idle timeouts every few seconds, so the connection goes within about 4 s).
    const timer = opts.writeTimeoutMs ? setTimeout(() => server.timeout?.(req, 1), opts.writeTimeoutMs) : undefined;
    let response: Response;
    try {
      response = await handler(opts.readTimeoutMs ? withReadDeadline(req, opts.readTimeoutMs) : req);
    } catch (err) {
      response = new Response(`internal error: ${err instanceof Error ? err.message : String(err)}\n`, { status: 500 });
    } finally {
      clearTimeout(timer);
    }
    if (opts.keepAlivesEnabled === false) response.headers.set("connection", "close");
    return response;
  };
  try {
    const server = serve({
      hostname: host,
      port,
      idleTimeout: idle,
      maxRequestBodySize: NATIVE_MAX_BODY,
      development: false,
      reusePort: false, // a busy address must fail to bind, as with node:http
      fetch,
      error: (err) => new Response(`internal error: ${err.message}\n`, { status: 500 }),
    });
    const shownHost = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
    return Promise.resolve({
      address: `${shownHost}:${server.port}`,
      close: () => stopNative(server),
      reloadTls: () => {}, // never TLS: a TLS listener is node:https
    });
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Go's Shutdown for the native server: stop accepting, let requests in flight finish, cut the rest after the grace. */
async function stopNative(server: NativeServer, graceMs = CLOSE_GRACE_MS): Promise<void> {
  const force = setTimeout(() => void server.stop(true), graceMs);
  try {
    await server.stop(false);
  } finally {
    clearTimeout(force);
  }
}

/** The request with a body that fails once `ms` have passed since it arrived (Go's ReadTimeout). */
function withReadDeadline(req: Request, ms: number): Request {
  if (!req.body) return req;
  const reader = req.body.getReader();
  const deadline = Date.now() + ms;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const left = deadline - Date.now();
        const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("i/o timeout reading the request body")), Math.max(0, left))));
        try {
          const r = await Promise.race([reader.read(), expired]);
          if (r.done) c.close();
          else c.enqueue(r.value);
        } catch (err) {
          void reader.cancel().catch(() => {});
          c.error(err);
        } finally {
          clearTimeout(timer);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Request(req.url, { method: req.method, headers: req.headers, body, duplex: "half", signal: req.signal } as RequestInit);
}

function applyTimeouts(server: Server, opts: HttpListenOptions): void {
  // Node's defaults (300 s request, 60 s headers) differ from Go's "none unless set".
  const request = opts.readTimeoutMs ?? 0;
  const headers = opts.readHeaderTimeoutMs ?? 0;
  server.requestTimeout = request;
  // Node insists that headers arrive within the request timeout; Go simply lets the earlier one win.
  server.headersTimeout = request > 0 && (headers === 0 || headers > request) ? request : headers;
  if (opts.idleTimeoutMs !== undefined) server.keepAliveTimeout = opts.idleTimeoutMs;
}

/** How long a closing server lets requests in flight finish before cutting their connections. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * Stops listening, then closes connections as they become idle so that requests in flight get
 * their responses (Go's http.Server.Shutdown); whatever is still busy after `graceMs` is cut.
 */
function closeServer(server: Server, graceMs = CLOSE_GRACE_MS): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections?.(), 50);
    const force = setTimeout(() => server.closeAllConnections?.(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}

async function dispatch(handler: Handler, req: IncomingMessage, res: ServerResponse, opts: HttpListenOptions): Promise<void> {
  // The socket, not the response: Bun's ServerResponse.destroy() first sends the unwritten
  // response's head, i.e. a bodiless 200 the handler never gave.
  const timer = opts.writeTimeoutMs ? setTimeout(() => (req.socket ?? res).destroy(), opts.writeTimeoutMs) : undefined;
  res.once("close", () => clearTimeout(timer));
  let response: Response;
  try {
    // Node's requestTimeout is checked only every connectionsCheckingInterval (30 s) and not at
    // all by Bun's node:http, so the body gets the same deadline as on the native path.
    const request = toRequest(req);
    response = await handler(opts.readTimeoutMs ? withReadDeadline(request, opts.readTimeoutMs) : request);
  } catch (err) {
    response = new Response(`internal error: ${err instanceof Error ? err.message : String(err)}\n`, { status: 500 });
  }
  if (opts.keepAlivesEnabled === false) response.headers.set("connection", "close");
  await writeResponse(response, res);
}

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (v !== undefined) headers.set(k, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  // Only the path matters to handlers; a fixed origin keeps odd Host headers from breaking URL parsing.
  return new Request(`http://localhost${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: hasBody ? bodyStream(req) : undefined,
    duplex: "half",
  } as RequestInit);
}

/** The request body as a pull-driven stream: the socket is paused while nobody reads. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        req.on("data", (chunk: Buffer) => {
          c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((c.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on("end", () => {
          done = true;
          c.close();
        });
        req.on("error", (e) => {
          done = true;
          c.error(e);
        });
        req.on("aborted", () => {
          if (done) return;
          done = true;
          c.error(new Error("client closed the connection before the body was complete"));
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        // Leave the rest unread; the handler marks the response `connection: close`.
        req.pause();
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * Streams the response body (live feeds such as debugging streams depend on it). A body that is
 * complete at once — the usual case — is sent with a Content-Length instead of chunked.
 */
async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  if (!response.body) {
    if (!res.destroyed) res.writeHead(response.status, headers).end();
    return;
  }
  const reader = response.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  try {
    const first = await reader.read();
    let pending = first.done ? undefined : reader.read();
    const second = pending ? await Promise.race([pending, nextTick()]) : first;
    if (res.destroyed) return;
    if (second !== IDLE && second.done) {
      const body = first.value ?? new Uint8Array(0);
      res.writeHead(response.status, { ...headers, "content-length": String(body.byteLength) }).end(body);
      return;
    }
    res.writeHead(response.status, headers);
    res.write(first.value);
    while (pending && !res.destroyed) {
      const { done, value } = await pending;
      if (done) break;
      res.write(value);
      pending = reader.read();
    }
  } catch {
    // The client went away or the body failed; nothing more can be sent.
  }
  if (!res.destroyed) res.end();
}

const IDLE = Symbol("idle");

/** Resolves after pending I/O callbacks: long enough for an in-memory body to finish. */
function nextTick(): Promise<typeof IDLE> {
  return new Promise((resolve) => setImmediate(() => resolve(IDLE)));
}
