// Test doubles for the cloud detectors: a scripted metadata server on 127.0.0.1 (HTTP or
// HTTPS), and a DetectContext whose fetch refuses every non-loopback address, so no test can
// reach 169.254.169.254, metadata.google.internal or fd00:ec2::254 by mistake. Refused URLs
// are recorded (`blocked`): a test can check which default address a detector would have used.

import assert from "node:assert/strict";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { DetectContext, Detection, Detector } from "../../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { createLogger, memorySink } from "../../../../../../src/runtime/logger.ts";

/** What the fake server saw. */
export interface Seen {
  method: string;
  /** Path and query, e.g. `/latest/api/token`. */
  url: string;
  headers: Record<string, string>;
}

/** A scripted answer; "hang" never answers. */
export type Answer = { status?: number; body?: string; headers?: Record<string, string> } | "hang";

/** Routes: `"<METHOD> <path>"` or `"<path>"` → an answer, or a function of the request. */
export type Routes = Record<string, Answer | ((req: Seen) => Answer)>;

export interface FakeServer {
  /** e.g. `http://127.0.0.1:39123` */
  url: string;
  /** e.g. `127.0.0.1:39123` */
  host: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** Starts a metadata server answering `routes` (404 otherwise); every answer gets `always` headers. */
export async function startFake(routes: Routes, options: { tls?: { cert: string; key: string }; always?: Record<string, string> } = {}): Promise<FakeServer> {
  const seen: Seen[] = [];
  const hanging: http.ServerResponse[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const s: Seen = { method: req.method ?? "GET", url: req.url ?? "/", headers: flat(req.headers) };
    seen.push(s);
    req.resume();
    const route = routes[`${s.method} ${s.url}`] ?? routes[s.url];
    const answer = typeof route === "function" ? route(s) : (route ?? { status: 404, body: "not found" });
    if (answer === "hang") return void hanging.push(res);
    res.writeHead(answer.status ?? 200, { ...options.always, ...answer.headers });
    res.end(answer.body ?? "");
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port with nothing listening (connection refused). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestContext extends DetectContext {
  /** Non-loopback URLs the detector tried; the request was never sent. */
  blocked: string[];
  /** Log lines written by the detector. */
  lines: string[];
}

export interface ContextOptions {
  files?: Record<string, string>;
  timeoutMs?: number;
  failOnMissingMetadata?: boolean;
  /** Answers for non-loopback URLs, instead of refusing them (still nothing is sent). */
  offline?: (url: string) => Response | undefined;
}

/** A DetectContext over `env`, with injected files and a loopback-only fetch. */
export function context(env: Record<string, string>, options: ContextOptions = {}): TestContext {
  const sink = memorySink("debug");
  const blocked: string[] = [];
  const guarded = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
      blocked.push(url.href);
      const canned = options.offline?.(url.href);
      if (canned) return canned;
      throw new TypeError(`test guard: refusing to contact ${url.href}`);
    }
    return fetch(input, init);
  }) as typeof fetch;
  return {
    signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
    logger: createLogger(sink),
    env: (name) => env[name],
    fetch: guarded,
    readFile: async (path) => {
      const text = options.files?.[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
      return text;
    },
    failOnMissingMetadata: options.failOnMissingMetadata ?? false,
    blocked,
    lines: sink.lines,
  };
}

/** The attribute switches: the detector's defaults with `overrides`. */
export function switches(detector: Detector<any>, overrides: Record<string, boolean> = {}): (a: string) => boolean {
  return (a) => overrides[a] ?? detector.attributes[a] ?? false;
}

/** Runs `detect` and checks that nothing outside loopback was contacted. */
export async function detect<A>(detector: Detector<A>, ctx: TestContext, args: A, overrides: Record<string, boolean> = {}): Promise<Detection> {
  const result = await detector.detect(ctx, args, switches(detector, overrides));
  assert.deepEqual(ctx.blocked, [], "the detector tried a non-loopback address");
  return result;
}

function flat(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}
