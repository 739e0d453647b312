// Transports for `solder telemetrygen`: OTLP/HTTP (protobuf or JSON) over fetch, and OTLP/gRPC as
// raw gRPC frames on a node:http2 session (the same wire bytes a gRPC client sends, without a
// per-request re-encode). Bodies are prepared (framed, gzipped) before the load starts.

import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import type { Signal } from "../../otlp/batch.ts";
import type { Payload } from "./data.ts";

/** OTLP transports. */
export type Protocol = "grpc" | "http/protobuf" | "http/json";

/** How one request ended: accepted, refused by the server (non-2xx / grpc-status ≠ 0), or failed (no answer). */
export type Outcome = { kind: "ok" } | { kind: "refused" | "failed"; reason: string };

/** A body ready for the wire and the number of items it carries. */
export interface Prepared {
  items: number;
  body: Uint8Array;
}

/** Sends prepared bodies to one endpoint. */
export interface Sender {
  send(p: Prepared): Promise<Outcome>;
  close(): void;
}

const GRPC_SERVICES: Record<Signal, string> = {
  traces: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
  metrics: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
  logs: "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
};

/** Encodes a payload for a protocol: JSON or protobuf, gzipped when asked, gRPC-framed for grpc. */
export function prepare(p: Payload, protocol: Protocol, gzip: boolean): Prepared {
  let body = protocol === "http/json" ? p.json : p.protobuf;
  if (gzip) body = gzipSync(body);
  if (protocol === "grpc") body = grpcFrame(body, gzip);
  return { items: p.items, body };
}

/** Prefixes a message with the 5-byte gRPC length header (compressed flag, big-endian length). */
export function grpcFrame(msg: Uint8Array, compressed: boolean): Uint8Array {
  const out = new Uint8Array(5 + msg.length);
  out[0] = compressed ? 1 : 0;
  new DataView(out.buffer).setUint32(1, msg.length);
  out.set(msg, 5);
  return out;
}

/** The URL an OTLP/HTTP sender posts to: `endpoint` as given when it has a path, else `/v1/<signal>` appended. */
export function httpUrl(endpoint: string, signal: Signal): string {
  const withScheme = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  const u = new URL(withScheme);
  if (u.pathname === "/" || u.pathname === "") u.pathname = `/v1/${signal}`;
  return u.toString();
}

/** An OTLP/HTTP sender using fetch (keep-alive connections are pooled by the runtime). */
export function httpSender(endpoint: string, signal: Signal, protocol: Protocol, gzip: boolean, timeoutMs: number): Sender {
  const url = httpUrl(endpoint, signal);
  const headers: Record<string, string> = { "content-type": protocol === "http/json" ? "application/json" : "application/x-protobuf" };
  if (gzip) headers["content-encoding"] = "gzip";
  return {
    async send(p) {
      try {
        const res = await fetch(url, { method: "POST", headers, body: p.body as Uint8Array<ArrayBuffer>, signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        return res.ok ? { kind: "ok" } : { kind: "refused", reason: `HTTP ${res.status}` };
      } catch (err) {
        return { kind: "failed", reason: (err as Error).message };
      }
    },
    close() {},
  };
}

/** An OTLP/gRPC sender on one HTTP/2 connection (h2c), reconnecting when it drops. */
export function grpcSender(endpoint: string, signal: Signal, gzip: boolean, timeoutMs: number): Sender {
  const authority = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  const headers: http2.OutgoingHttpHeaders = { ":method": "POST", ":path": GRPC_SERVICES[signal], "content-type": "application/grpc", te: "trailers" };
  if (gzip) headers["grpc-encoding"] = "gzip";
  let session: http2.ClientHttp2Session | undefined;
  const connect = (): http2.ClientHttp2Session => {
    if (session && !session.closed && !session.destroyed) return session;
    const s = http2.connect(authority);
    s.on("error", () => {}); // surfaced per request
    session = s;
    return s;
  };
  return {
    send(p) {
      return new Promise<Outcome>((resolve) => {
        let settled = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const done = (o: Outcome) => {
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            resolve(o);
          }
        };
        let req: http2.ClientHttp2Stream;
        try {
          req = connect().request(headers);
        } catch (err) {
          done({ kind: "failed", reason: (err as Error).message });
          return;
        }
        let grpcStatus: string | undefined;
        let httpStatus = 0;
        req.on("response", (h) => {
          httpStatus = Number(h[":status"]);
          if (h["grpc-status"] !== undefined) grpcStatus = String(h["grpc-status"]);
        });
        req.on("trailers", (t) => {
          if (t["grpc-status"] !== undefined) grpcStatus = String(t["grpc-status"]);
        });
        req.on("data", () => {});
        req.on("end", () => {
          if (grpcStatus === "0") done({ kind: "ok" });
          else done({ kind: "refused", reason: grpcStatus === undefined ? `HTTP ${httpStatus} without grpc-status` : `grpc-status ${grpcStatus}` });
        });
        req.on("error", (err) => done({ kind: "failed", reason: err.message }));
        req.on("close", () => done({ kind: "failed", reason: "stream closed without an answer" }));
        timer = setTimeout(() => {
          done({ kind: "failed", reason: `timed out after ${timeoutMs}ms` });
          req.close(http2.constants.NGHTTP2_CANCEL);
        }, timeoutMs);
        req.end(p.body);
      });
    },
    close() {
      session?.close();
    },
  };
}
