// Fakes for the local detectors' tests: a DetectContext with injected environment and files,
// and small HTTP servers on 127.0.0.1 or on a unix socket in a temp dir. Nothing here talks to
// anything off this machine.

import { mkdtempSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DetectContext } from "../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { createLogger, memorySink } from "../../../../../src/runtime/logger.ts";

export interface FakeContext extends DetectContext {
  /** Log lines (logfmt). */
  logs: string[];
}

/** A DetectContext reading only `env` and `files`; its signal aborts after `timeoutMs`. */
export function fakeContext(opts: { env?: Record<string, string>; files?: Record<string, string>; timeoutMs?: number; failOnMissingMetadata?: boolean } = {}): FakeContext {
  const sink = memorySink("debug");
  const env = opts.env ?? {};
  const files = opts.files ?? {};
  return {
    signal: AbortSignal.timeout(opts.timeoutMs ?? 2000),
    logger: createLogger(sink),
    env: (name) => env[name],
    fetch: (() => Promise.reject(new Error("fetch is not used by the local detectors"))) as unknown as typeof fetch,
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
      return text;
    },
    failOnMissingMetadata: opts.failOnMissingMetadata ?? false,
    logs: sink.lines,
  };
}

/** Enables every attribute. */
export const all = () => true;
/** Enables exactly the listed attributes. */
export const only = (...names: string[]) => (a: string) => names.includes(a);

/** A request as the fake server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeServer {
  /** `http://127.0.0.1:<port>` (for a unix socket: the socket path is in `socketPath`). */
  url: string;
  /** `127.0.0.1:<port>`. */
  hostPort: string;
  port: number;
  socketPath?: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Serves `route`; on 127.0.0.1 with an ephemeral port, or on a unix socket in a new temp dir. */
export async function fakeServer(route: Route, opts: { unix?: boolean } = {}): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    route(req, res);
  });
  const socketPath = opts.unix ? join(mkdtempSync(join(tmpdir(), "solder-rd-")), "api.sock") : undefined;
  await new Promise<void>((resolve) => (socketPath ? server.listen(socketPath, resolve) : server.listen(0, "127.0.0.1", resolve)));
  const port = socketPath ? 0 : (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    port,
    ...(socketPath ? { socketPath } : {}),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A route answering JSON per path; unknown paths get 404. */
export function jsonRoutes(routes: Record<string, unknown>): Route {
  return (req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    if (!(path in routes)) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"message":"not found"}');
      return;
    }
    const body = routes[path];
    res.writeHead(200, { "content-type": "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
  };
}

/** A route that accepts the request and never answers. */
export const silent: Route = () => {};

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = await fakeServer(silent);
  await s.close();
  return s.port;
}
