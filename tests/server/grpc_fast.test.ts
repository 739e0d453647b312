import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { type Batch, type PartialSuccess, type Signal, decodeResponse } from "../../src/otlp/batch.ts";
import { PipelineError } from "../../src/otlp/errors.ts";
import { listenGrpc } from "../../src/server/otlp_grpc.ts";
import type { OtlpSink } from "../../src/server/otlp_common.ts";
import { tracesBytes } from "../otlp/fixtures.ts";

const TRACE_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/** What the sink does with the next export. */
type Behaviour = { kind: "ok"; partial?: PartialSuccess } | { kind: "fail"; err: unknown } | { kind: "hang" };

function sink(behaviour: () => Behaviour, got: Array<Batch<Signal>>): OtlpSink {
  return {
    accepts: (s) => s === "traces",
    export: async (batch) => {
      const b = behaviour();
      if (b.kind === "hang") return new Promise(() => {});
      if (b.kind === "fail") throw b.err;
      got.push(batch);
      return b.partial;
    },
  };
}

function frame(message: Uint8Array, compressed = false): Uint8Array {
  const f = new Uint8Array(5 + message.byteLength);
  f[0] = compressed ? 1 : 0;
  new DataView(f.buffer).setUint32(1, message.byteLength);
  f.set(message, 5);
  return f;
}

interface Answer {
  status: string;
  message: string;
  details: boolean;
  body: Uint8Array;
}

/** One raw gRPC call over h2c; a list of pieces is written one DATA frame at a time. */
function call(address: string, body: Uint8Array | Uint8Array[], headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${address}`);
    session.on("error", reject);
    const req = session.request({ ":method": "POST", ":path": TRACE_PATH, "content-type": "application/grpc", te: "trailers", ...headers });
    const a: Answer = { status: "", message: "", details: false, body: new Uint8Array(0) };
    const chunks: Buffer[] = [];
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] === undefined) return;
      a.status = String(h["grpc-status"]);
      a.message = decodeURIComponent(String(h["grpc-message"] ?? ""));
      a.details = h["grpc-status-details-bin"] !== undefined;
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("close", () => {
      session.close();
      a.body = new Uint8Array(Buffer.concat(chunks));
      resolve(a);
    });
    if (!Array.isArray(body)) return void req.end(body);
    const pieces = [...body];
    const next = () => {
      const p = pieces.shift();
      if (p === undefined) return void req.end();
      req.write(p, () => setTimeout(next, 2));
    };
    next();
  });
}

/** Cuts `bytes` at the given offsets. */
function cut(bytes: Uint8Array, ...at: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out.push(bytes.subarray(from, to));
    from = to;
  }
  return out;
}

/** Runs `fn` against a server answering through the direct path and through Connect, and returns both results. */
async function bothPaths<T>(behaviour: () => Behaviour, fn: (address: string) => Promise<T>, maxRecvMsgSize = 4 << 20): Promise<{ direct: T; connect: T }> {
  const out: Partial<{ direct: T; connect: T }> = {};
  for (const path of ["direct", "connect"] as const) {
    const before = process.env.SOLDER_GRPC_CONNECT;
    if (path === "connect") process.env.SOLDER_GRPC_CONNECT = "1";
    else delete process.env.SOLDER_GRPC_CONNECT;
    const server = await listenGrpc("127.0.0.1:0", { maxRecvMsgSize, includeMetadata: false }, sink(behaviour, []));
    if (before === undefined) delete process.env.SOLDER_GRPC_CONNECT;
    else process.env.SOLDER_GRPC_CONNECT = before;
    try {
      out[path] = await fn(server.address);
    } finally {
      await server.close();
    }
  }
  return out as { direct: T; connect: T };
}

const statusOf = (a: Answer) => ({ status: a.status, message: a.message, details: a.details });

describe("OTLP/gRPC direct path: answers as Connect does", () => {
  test("success, with and without a partial success; gzip-compressed messages", async () => {
    const partial = { rejected: 2, message: "two dropped" };
    let n = 0;
    const r = await bothPaths(
      () => (n++ % 3 === 1 ? { kind: "ok", partial } : { kind: "ok" }),
      async (address) => [await call(address, frame(tracesBytes())), await call(address, frame(tracesBytes())), await call(address, frame(gzipSync(tracesBytes()), true), { "grpc-encoding": "gzip" })],
    );
    for (const answers of [r.direct, r.connect]) {
      assert.deepEqual(answers.map((a) => a.status), ["0", "0", "0"]);
      assert.deepEqual(decodeResponse("traces", answers[1]!.body.subarray(5), "proto"), partial);
      assert.equal(decodeResponse("traces", answers[0]!.body.subarray(5), "proto"), undefined);
    }
  });

  test("pipeline errors: code, message and RetryInfo details", async () => {
    const errors = [PipelineError.retryable("queue is full", 3_000), PipelineError.permanent("cannot ever work"), new Error("backend unreachable")];
    let i = 0;
    const r = await bothPaths(
      () => ({ kind: "fail", err: errors[i++ % errors.length] }),
      async (address) => {
        const out = [];
        for (let k = 0; k < errors.length; k++) out.push(statusOf(await call(address, frame(tracesBytes()))));
        return out;
      },
    );
    assert.deepEqual(r.direct, r.connect);
    assert.deepEqual(r.direct.map((s) => s.status), ["14", "13", "14"]);
    assert.equal(r.direct[0]!.details, true);
  });

  test("bad input: garbage, an oversized message (plain and after gzip), two messages, a compressed flag without grpc-encoding", async () => {
    const big = new Uint8Array(3000).fill(0x41);
    const r = await bothPaths(
      () => ({ kind: "ok" }),
      async (address) => [
        statusOf(await call(address, frame(Uint8Array.of(0xff, 0xff, 0xff)))),
        statusOf(await call(address, frame(big))),
        statusOf(await call(address, frame(gzipSync(new Uint8Array(10_000)), true), { "grpc-encoding": "gzip" })),
        statusOf(await call(address, new Uint8Array([...frame(tracesBytes()), ...frame(tracesBytes())]))),
        statusOf(await call(address, frame(tracesBytes(), true))),
      ],
      2048,
    );
    assert.deepEqual(r.direct, r.connect);
    assert.deepEqual(r.direct.map((s) => s.status), ["3", "8", "8", "12", "13"]);
    assert.match(r.direct[0]!.message, /^parse binary/);
  });

  test("a message in pieces (prefix split, body over many frames) is read whole; short or missing envelopes are refused", async () => {
    const whole = frame(tracesBytes());
    // Concatenated requests are one valid request (repeated fields append): ~100 KB, many DATA frames.
    const one = tracesBytes();
    const repeated = (bytes: number) => {
      const copies = Math.ceil(bytes / one.length);
      const m = new Uint8Array(one.length * copies);
      for (let i = 0; i < copies; i++) m.set(one, i * one.length);
      return m;
    };
    const big = frame(repeated(100_000));
    // Past the first buffer (256 KiB): the buffer grows as frames arrive.
    const bigger = frame(repeated(700_000));
    const r = await bothPaths(
      () => ({ kind: "ok" }),
      async (address) => [
        statusOf(await call(address, cut(whole, 2, 3, 9, whole.length - 1))),
        statusOf(await call(address, [big])),
        statusOf(await call(address, cut(bigger, 3, 300_000, 300_001))),
        statusOf(await call(address, cut(whole, 3).slice(0, 1))),
        statusOf(await call(address, whole.subarray(0, whole.length - 4))),
        statusOf(await call(address, [])),
      ],
    );
    assert.deepEqual(r.direct, r.connect);
    assert.deepEqual(r.direct.map((s) => s.status), ["0", "0", "0", "3", "3", "12"]);
  });

  test("grpc-timeout: a pipeline slower than the deadline gives DEADLINE_EXCEEDED at the deadline", async () => {
    // Connect leaves such a call unanswered (its handler never settles), so there is nothing to
    // compare with: the direct path answers as grpc-go does when the call's context expires.
    delete process.env.SOLDER_GRPC_CONNECT;
    const server = await listenGrpc("127.0.0.1:0", { maxRecvMsgSize: 4 << 20, includeMetadata: false }, sink(() => ({ kind: "hang" }), []));
    try {
      const started = Date.now();
      const a = await call(server.address, frame(tracesBytes()), { "grpc-timeout": "150m" });
      assert.deepEqual(statusOf(a), { status: "4", message: "the operation timed out", details: false });
      assert.ok(Date.now() - started >= 140);
    } finally {
      await server.close();
    }
  });
});
