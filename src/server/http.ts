// A small adapter from node:http to web-standard Request/Response handlers, so route code is
// runtime-neutral and runs unchanged on Bun, Deno and Node.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface Listening {
  server: Server;
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

/** Starts serving `handler` on `addr`; rejects when the address cannot be bound. */
export function listen(addr: string, handler: Handler): Promise<Listening> {
  const { host, port } = splitHostPort(addr);
  const server = createServer((req, res) => void dispatch(handler, req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const a = server.address() as AddressInfo;
      const shown = a.family === "IPv6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
      resolve({ server, address: shown, close: () => closeServer(server) });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

async function dispatch(handler: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: Response;
  try {
    response = await handler(toRequest(req));
  } catch (err) {
    response = new Response(`internal error: ${err instanceof Error ? err.message : String(err)}\n`, { status: 500 });
  }
  await writeResponse(response, res);
}

function toRequest(req: IncomingMessage): Request {
  const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (v !== undefined) headers.set(k, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody
    ? new ReadableStream<Uint8Array>({
        start(c) {
          req.on("data", (chunk: Buffer) => c.enqueue(new Uint8Array(chunk)));
          req.on("end", () => c.close());
          req.on("error", (e) => c.error(e));
        },
      })
    : undefined;
  return new Request(url, { method: req.method, headers, body, duplex: "half" } as RequestInit);
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
  } catch {
    // The client went away; nothing more to send.
  }
  res.end();
}
