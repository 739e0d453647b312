// A small HTTP/HTTPS client for the UI/API server in tests: one request per connection (so every
// request goes through a fresh accept and handshake), optional basic auth, CA and client
// certificate. A refused handshake or a closed connection resolves as { error }.

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface AdminReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface AdminRequest {
  method?: string;
  /** user:password for an Authorization: Basic header. */
  basic?: [string, string];
  ca?: string;
  cert?: string;
  key?: string;
  timeoutMs?: number;
}

export function adminRequest(url: string, opts: AdminRequest = {}): Promise<AdminReply | { error: string }> {
  const u = new URL(url);
  const headers: Record<string, string> = { connection: "close" };
  if (opts.basic) headers.authorization = `Basic ${Buffer.from(opts.basic.join(":")).toString("base64")}`;
  const send = u.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? "GET",
        headers,
        agent: false,
        ...(u.protocol === "https:" ? { ca: opts.ca, cert: opts.cert, key: opts.key, servername: "localhost" } : {}),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", (e) => resolve({ error: String(e) }));
      },
    );
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error("timed out")));
    req.on("error", (e) => resolve({ error: String(e) }));
    req.end();
  });
}

/** The status of a reply, or -1 when the request failed (refused, reset, handshake failure). */
export function statusOf(r: AdminReply | { error: string }): number {
  return "status" in r ? r.status : -1;
}
