// Test helpers for prometheus.remote_write: decode arguments from Alloy text, run a
// RemoteWriteStore on a temporary storage directory, and a fake remote-write receiver on
// 127.0.0.1 that records every request and answers with scripted statuses.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import snappy from "snappyjs";
import { type WriteRequest, WriteRequestSchema } from "../../../gen/prometheus/remote_pb.ts";
import type { Labels } from "../../../src/prom/appender.ts";
import { type RemoteWriteArgs, remoteWriteSchema } from "../../../src/prom/remote_write/args.ts";
import { RemoteWriteStore, type StoreTuning } from "../../../src/prom/remote_write/store.ts";
import { decodeBody } from "../../../src/runtime/decode.ts";
import type { EvalError } from "../../../src/runtime/errors.ts";
import { createLogger, memorySink } from "../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../src/runtime/metrics.ts";
import { parseFile } from "../../../src/syntax/index.ts";

/** Decodes a prometheus.remote_write body; returns the arguments and the error messages. */
export function decodeArgs(text: string): { args: RemoteWriteArgs; errors: string[]; warnings: string[] } {
  const { file, diagnostics } = parseFile("test.alloy", text);
  if (diagnostics.length > 0) throw new Error(`parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, remoteWriteSchema, {}, file, problems) as unknown as RemoteWriteArgs;
  return {
    args,
    errors: problems.filter((p) => p.severity === "error").map((p) => p.message),
    warnings: problems.filter((p) => p.severity === "warning").map((p) => p.message),
  };
}

export interface RunningStore {
  store: RemoteWriteStore;
  dataPath: string;
  metrics: MetricsRegistry;
  logs: string[];
  stop(): Promise<void>;
  /** Appends `samples` (labels, ts, value) in one transaction and commits. */
  write(samples: Array<[Labels, number, number]>): Promise<void>;
}

/** A fresh temporary directory. */
export function tempDir(prefix = "solder-rw-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Builds and runs a store from Alloy text. */
export function startStore(text: string, dataPath = tempDir(), tuning: StoreTuning = { drainMs: 200 }): RunningStore {
  const { args, errors } = decodeArgs(text);
  if (errors.length > 0) throw new Error(`config: ${errors.join("; ")}`);
  const sink = memorySink("debug");
  const metrics = new MetricsRegistry();
  const store = new RemoteWriteStore({ id: "prometheus.remote_write.test", dataPath, logger: createLogger(sink), metrics }, args, tuning);
  const abort = new AbortController();
  const running = store.run(abort.signal);
  return {
    store,
    dataPath,
    metrics,
    logs: sink.lines,
    stop: async () => {
      abort.abort();
      await running;
    },
    async write(samples) {
      const app = store.appendable.appender();
      for (const [l, ts, v] of samples) app.append(l, ts, v);
      await app.commit();
    },
  };
}

/** The value of one series in the exposition text (first match of the prefix), or undefined. */
export function metricValue(metrics: MetricsRegistry, prefix: string): number | undefined {
  const line = metrics
    .expose()
    .split("\n")
    .find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

export interface Received {
  headers: IncomingHttpHeaders;
  /** The uncompressed protobuf body. */
  raw: Uint8Array;
  request: WriteRequest;
  status: number;
}

/** A fake receiver: answers each request with the next scripted status (then 204). */
export class FakeReceiver {
  readonly requests: Received[] = [];
  /** Answer every request with this status (after the script), e.g. 503 for an outage. */
  fallback = 204;
  /** Statuses to answer, in order; each may carry headers and a body. Status 0: never answer. */
  script: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [];
  private server!: Server;
  url = "";

  /** Listens on 127.0.0.1, on `port` when given (e.g. to come back after an outage); https with `tls`. */
  async start(port = 0, tls?: { cert: string; key: string }): Promise<this> {
    const handle = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = snappy.uncompress(new Uint8Array(Buffer.concat(chunks)), 64 << 20) as Uint8Array;
        const next = this.script.shift() ?? { status: this.fallback };
        this.requests.push({ headers: req.headers, raw, request: fromBinary(WriteRequestSchema, raw), status: next.status });
        if (next.status === 0) return;
        res.writeHead(next.status, next.headers ?? {});
        res.end(next.body ?? "");
      });
    };
    this.server = tls ? createTlsServer(tls, handle) : createServer(handle);
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.url = `${tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as { port: number }).port}/api/v1/write`;
    return this;
  }

  /** Samples of answered 2xx requests as `name{labels} value@ts` strings, in arrival order. */
  accepted(): string[] {
    const out: string[] = [];
    for (const r of this.requests) {
      if (r.status === 0 || r.status >= 300) continue;
      for (const ts of r.request.timeseries) {
        const labels = ts.labels.map((l) => `${l.name}=${l.value}`).join(",");
        for (const s of ts.samples) out.push(`${labels} ${s.value}@${s.timestamp}`);
      }
    }
    return out;
  }

  /** The port listened on. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it is true or `ms` passes. */
export async function eventually(check: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
