// An HTTP/1.1 listener (node:http, or node:https with TLS) for web-standard handlers, with the
// knobs of Go's http.Server that the Collector's confighttp exposes. Unlike the small adapter
// in http.ts, request bodies are streamed with backpressure, so a handler that stops reading
// at a size limit really stops the transfer instead of buffering the rest.

import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Handler, Listening } from "./http.ts";
import { splitHostPort } from "./http.ts";
import type { TlsServerOptions } from "./tls.ts";

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
}

/** A started HTTP listener; `reloadTls` swaps certificates for new connections. */
export interface HttpListening extends Listening {
  reloadTls(tls: TlsServerOptions): void;
}

/** Starts serving `handler` on `addr`; rejects when the address cannot be bound. */
export function listenHttp(addr: string, handler: Handler, opts: HttpListenOptions = {}): Promise<HttpListening> {
  const { host, port } = splitHostPort(addr);
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void dispatch(handler, req, res, opts);
  const server: Server = opts.tls ? createHttpsServer({ ...opts.tls }, onRequest) : createServer(onRequest);
  applyTimeouts(server, opts);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const a = server.address() as AddressInfo;
      const shown = a.family === "IPv6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
      resolve({
        server,
        address: shown,
        close: () => closeServer(server),
        reloadTls: (tls) => (server as Server & { setSecureContext?(o: object): void }).setSecureContext?.({ ...tls }),
      });
    });
  });
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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

async function dispatch(handler: Handler, req: IncomingMessage, res: ServerResponse, opts: HttpListenOptions): Promise<void> {
  const timer = opts.writeTimeoutMs ? setTimeout(() => res.destroy(), opts.writeTimeoutMs) : undefined;
  res.once("close", () => clearTimeout(timer));
  let response: Response;
  try {
    response = await handler(toRequest(req));
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

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const body = response.body ? new Uint8Array(await response.arrayBuffer()) : undefined;
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  if (body) headers["content-length"] = String(body.byteLength);
  if (res.destroyed) return;
  res.writeHead(response.status, headers);
  res.end(body);
}
