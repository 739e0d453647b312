// A null OTLP/Prometheus backend for `make bench`: accepts every request, reads the body and
// answers success — over HTTP/1.1 (Bun.serve, any path) and gRPC (raw frames on node:http2, any
// method), the same transports the gateway's receivers use on Bun. With --count it also counts what
// arrives (spans / data points / log records via the lite batch decoder, remote-write samples),
// so the harness can tell delivered from lost items; without it, it is the machine's ceiling.
//
//   bun scripts/bench/null_receiver.ts --http=127.0.0.1:14400 [--grpc=127.0.0.1:14401] [--count]
//   curl http://127.0.0.1:14400/stats        → {"requests":…,"bytes":…,"items":{"traces":…}}

import * as http2 from "node:http2";
import { gunzipSync, inflateSync } from "node:zlib";
import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import snappy from "snappyjs";
import { Batch, type Signal } from "../../src/otlp/batch.ts";

interface Stats {
  requests: number;
  bytes: number;
  errors: number;
  items: { traces: number; metrics: number; logs: number; samples: number };
}

const stats: Stats = { requests: 0, bytes: 0, errors: 0, items: { traces: 0, metrics: 0, logs: 0, samples: 0 } };

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "true";
}

const COUNT = arg("count") === "true";

/** prometheus.WriteRequest, when gen/prometheus exists (remote-write samples are counted only then). */
const writeRequest: DescMessage | undefined = await import("../../gen/prometheus/remote_pb.ts").then((m) => m.WriteRequestSchema as DescMessage).catch(() => undefined);

function hostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}

function signalOf(path: string): Signal | undefined {
  if (path.endsWith("/v1/traces") || path.includes("TraceService")) return "traces";
  if (path.endsWith("/v1/metrics") || path.includes("MetricsService")) return "metrics";
  if (path.endsWith("/v1/logs") || path.includes("LogsService")) return "logs";
  return undefined;
}

function decompress(body: Uint8Array, encoding: string | undefined): Uint8Array {
  if (encoding === "gzip") return gunzipSync(body);
  if (encoding === "deflate" || encoding === "zlib") return inflateSync(body);
  if (encoding === "snappy") return snappy.uncompress(body) as Uint8Array;
  return body;
}

/** Adds the items of one request to the totals (only with --count). */
function countItems(path: string, contentType: string, body: Uint8Array): void {
  if (path.endsWith("/api/v1/write")) {
    if (!writeRequest) return;
    const req = fromBinary(writeRequest, snappy.uncompress(body) as Uint8Array) as unknown as { timeseries: { samples: unknown[]; histograms: unknown[] }[] };
    for (const ts of req.timeseries) stats.items.samples += ts.samples.length + ts.histograms.length;
    return;
  }
  const signal = signalOf(path);
  if (!signal) return;
  const batch = contentType.includes("json") ? Batch.fromJson(signal, new TextDecoder().decode(body)) : Batch.decode(signal, body);
  stats.items[signal] += batch.itemCount();
}

async function onHttp(req: Request): Promise<Response> {
  const url = new URL(req.url).pathname;
  if (req.method === "GET" && url === "/stats") return Response.json(stats);
  const body = new Uint8Array(await req.arrayBuffer());
  stats.requests++;
  stats.bytes += body.length;
  const contentType = req.headers.get("content-type") ?? "";
  if (COUNT) {
    try {
      const encoding = url.endsWith("/api/v1/write") ? undefined : (req.headers.get("content-encoding") ?? undefined);
      countItems(url, contentType, decompress(body, encoding));
    } catch {
      stats.errors++;
    }
  }
  const json = contentType.includes("json");
  return new Response(json ? "{}" : "", { status: 200, headers: { "content-type": json ? "application/json" : contentType || "application/x-protobuf" } });
}

const EMPTY_GRPC_MESSAGE = new Uint8Array(5);

function onGrpc(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.on("end", () => {
    const body = Buffer.concat(chunks);
    stats.requests++;
    stats.bytes += body.length;
    if (COUNT && body.length >= 5) {
      try {
        const msg = body.subarray(5);
        countItems(String(headers[":path"]), "application/grpc", body[0] === 1 ? decompress(msg, String(headers["grpc-encoding"])) : msg);
      } catch {
        stats.errors++;
      }
    }
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(EMPTY_GRPC_MESSAGE);
  });
  stream.on("error", () => {});
}

const httpAddr = arg("http");
const grpcAddr = arg("grpc");
if (httpAddr) {
  const { host, port } = hostPort(httpAddr);
  Bun.serve({ hostname: host, port, idleTimeout: 60, maxRequestBodySize: 2 ** 40, development: false, fetch: onHttp });
  console.error(`null receiver: http on ${httpAddr}${COUNT ? " (counting)" : ""}`);
}
if (grpcAddr) {
  const { host, port } = hostPort(grpcAddr);
  const server = http2.createServer({});
  server.on("stream", onGrpc);
  server.listen(port, host, () => console.error(`null receiver: grpc on ${grpcAddr}`));
}
const shutdown = () => process.exit(0);
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
