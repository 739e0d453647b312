import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { create, fromBinary } from "@bufbuild/protobuf";
import { Code as GrpcCode, ConnectError, createClient } from "@connectrpc/connect";
import { compressionGzip, createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import { LogsService } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { MetricsService } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema, TraceService } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ExportLogsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import type { Signal } from "../../src/otlp/batch.ts";
import { Code, PipelineError } from "../../src/otlp/errors.ts";
import {
  CA_CERT,
  CLIENT_CERT,
  CLIENT_KEY,
  Capture,
  SERVER_CERT,
  SERVER_KEY,
  flatten,
  logsBytes,
  metricsBytes,
  startReceiver,
  tracesBytes,
  type Started,
} from "../components/otelcol/receiver/otlp_fixtures.ts";

const TRACE_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/** Starts a receiver with a grpc block (extra attributes inside it), runs `fn`, stops it. */
async function withGrpc(extra: string, fn: (r: Started, capture: Capture) => Promise<void>, outputs?: Signal[]): Promise<void> {
  const capture = new Capture();
  const r = await startReceiver(`grpc {\n endpoint = "127.0.0.1:0"\n ${extra}\n}\noutput {}`, capture, outputs);
  try {
    await fn(r, capture);
  } finally {
    await r.stop();
  }
}

const traceRequest = () => fromBinary(ExportTraceServiceRequestSchema, tracesBytes());

function clients(address: string, options: Partial<Parameters<typeof createGrpcTransport>[0]> = {}) {
  const transport = createGrpcTransport({ baseUrl: `http://${address}`, ...options });
  return { traces: createClient(TraceService, transport), metrics: createClient(MetricsService, transport), logs: createClient(LogsService, transport) };
}

/** The gRPC status of a failed call. */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  assert.fail("the call succeeded");
}

/** Sends raw message bytes in one gRPC frame over h2c; returns the trailer status. */
function rawCall(address: string, path: string, message: Uint8Array): Promise<{ status: string; message: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${address}`);
    session.on("error", reject);
    const frame = new Uint8Array(5 + message.byteLength);
    new DataView(frame.buffer).setUint32(1, message.byteLength);
    frame.set(message, 5);
    const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
    let status = "";
    let msg = "";
    req.on("response", (h) => {
      // Trailers-only responses put the status in the headers.
      if (h["grpc-status"] !== undefined) [status, msg] = [String(h["grpc-status"]), decodeURIComponent(String(h["grpc-message"] ?? ""))];
    });
    req.on("trailers", (t) => ([status, msg] = [String(t["grpc-status"]), decodeURIComponent(String(t["grpc-message"] ?? ""))]));
    req.on("data", () => {});
    req.on("close", () => {
      session.close();
      resolve({ status, message: msg });
    });
    req.end(frame);
  });
}

describe("otelcol.receiver.otlp over gRPC", () => {
  test("Export for every signal succeeds and delivers the data intact, plain and gzip-compressed", async () => {
    await withGrpc("", async (r, capture) => {
      for (const c of [clients(r.grpcAddress), clients(r.grpcAddress, { sendCompression: compressionGzip, compressMinBytes: 1 })]) {
        capture.received.splice(0);
        assert.equal((await c.traces.export(traceRequest())).partialSuccess, undefined);
        await c.metrics.export(fromBinary(ExportMetricsServiceRequestSchema, metricsBytes()));
        await c.logs.export(fromBinary(ExportLogsServiceRequestSchema, logsBytes()));
        assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
        assert.deepEqual(capture.items("metrics"), flatten("metrics", metricsBytes()));
        assert.deepEqual(capture.items("logs"), flatten("logs", logsBytes()));
      }
    });
  });

  test("flow control: clients may send 1 MiB per stream before waiting (not HTTP/2's 64 KiB)", async () => {
    await withGrpc("", async (r) => {
      const session = http2.connect(`http://${r.grpcAddress}`);
      try {
        const settings = await new Promise<http2.Settings>((resolve, reject) => {
          session.once("remoteSettings", resolve);
          session.once("error", reject);
        });
        // (The 4 MiB connection window is a WINDOW_UPDATE that Bun's client does not expose.)
        assert.equal(settings.initialWindowSize, 1 << 20);
      } finally {
        session.close();
      }
    });
  });

  test("gRPC-Web and the Connect protocol are served too", async () => {
    await withGrpc("", async (r, capture) => {
      for (const transport of [
        createGrpcWebTransport({ baseUrl: `http://${r.grpcAddress}`, httpVersion: "2" }),
        createConnectTransport({ baseUrl: `http://${r.grpcAddress}`, httpVersion: "2", useBinaryFormat: true }),
      ]) {
        await createClient(TraceService, transport).export(traceRequest());
      }
      assert.equal(capture.items("traces").length, 14);
    });
  });

  test("an empty request succeeds without touching the pipeline", async () => {
    await withGrpc("", async (r, capture) => {
      capture.failures.push(new Error("the pipeline must not be called"));
      await clients(r.grpcAddress).traces.export({});
      await clients(r.grpcAddress).traces.export({ resourceSpans: [{ scopeSpans: [{}] }] });
      assert.equal(capture.received.length, 0);
    });
  });

  test("a signal without output answers UNIMPLEMENTED", async () => {
    await withGrpc(
      "",
      async (r, capture) => {
        const err = await failure(clients(r.grpcAddress).logs.export(fromBinary(ExportLogsServiceRequestSchema, logsBytes())));
        assert.equal(err.code, GrpcCode.Unimplemented);
        assert.equal(err.rawMessage, "unknown service opentelemetry.proto.collector.logs.v1.LogsService");
        await clients(r.grpcAddress).traces.export(traceRequest());
        assert.equal(capture.items("traces").length, 7);
      },
      ["traces"],
    );
  });

  test("a message over max_recv_msg_size is RESOURCE_EXHAUSTED, also when it only grows past it after gzip", async () => {
    await withGrpc(`max_recv_msg_size = "2KiB"`, async (r, capture) => {
      const big = create(ExportTraceServiceRequestSchema, traceRequest());
      big.resourceSpans[0]!.schemaUrl = "x".repeat(4096);
      assert.equal((await failure(clients(r.grpcAddress).traces.export(big))).code, GrpcCode.ResourceExhausted);
      const gz = clients(r.grpcAddress, { sendCompression: compressionGzip, compressMinBytes: 1 });
      assert.equal((await failure(gz.traces.export(big))).code, GrpcCode.ResourceExhausted);
      assert.equal(capture.received.length, 0);
      await clients(r.grpcAddress).traces.export(traceRequest());
      assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
    });
  });

  test("garbage and invalid protobuf are INVALID_ARGUMENT, and the server keeps serving", async () => {
    await withGrpc("", async (r, capture) => {
      // Not protobuf at all (fails in Connect's parse), and valid framing with a broken span inside.
      const broken = tracesBytes();
      broken[Buffer.from(broken).indexOf("-boom") - 1] = 0x28; // "ü" (c3 bc) becomes c3 28: not UTF-8
      for (const body of [Uint8Array.of(0xff, 0xff, 0xff), Uint8Array.of(0x0a, 0x05, 0x12, 0x03, 0x0a, 0x01), broken]) {
        const st = await rawCall(r.grpcAddress, TRACE_PATH, body);
        assert.equal(st.status, String(GrpcCode.InvalidArgument), st.message);
      }
      // The JSON codec is not OTLP.
      const json = createGrpcTransport({ baseUrl: `http://${r.grpcAddress}`, useBinaryFormat: false });
      assert.equal((await failure(createClient(TraceService, json).export(traceRequest()))).code, GrpcCode.InvalidArgument);
      assert.equal(capture.received.length, 0);
      await clients(r.grpcAddress).traces.export(traceRequest());
      assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
    });
  });

  test("pipeline errors keep their code; a delay becomes RetryInfo; permanent → INTERNAL; plain → UNAVAILABLE", async () => {
    await withGrpc("", async (r, capture) => {
      capture.failures.push(
        PipelineError.retryable("queue is full", 3_000),
        PipelineError.retryable("slow down", 1_500, Code.ResourceExhausted),
        PipelineError.permanent("cannot ever work"),
        new Error("backend unreachable"),
      );
      const c = clients(r.grpcAddress).traces;
      const unavailable = await failure(c.export(traceRequest()));
      assert.equal(unavailable.code, GrpcCode.Unavailable);
      assert.equal(unavailable.rawMessage, "queue is full");
      assert.equal(unavailable.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds, 3n);
      const exhausted = await failure(c.export(traceRequest()));
      assert.equal(exhausted.code, GrpcCode.ResourceExhausted);
      const delay = exhausted.findDetails(RetryInfoSchema)[0]?.retryDelay;
      assert.deepEqual([delay?.seconds, delay?.nanos], [1n, 500_000_000]);
      const permanent = await failure(c.export(traceRequest()));
      assert.equal(permanent.code, GrpcCode.Internal);
      assert.equal(permanent.findDetails(RetryInfoSchema).length, 0);
      const plain = await failure(c.export(traceRequest()));
      assert.equal(plain.code, GrpcCode.Unavailable);
      assert.equal(plain.rawMessage, "backend unreachable");
      assert.equal(capture.received.length, 0);
      await c.export(traceRequest());
      assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
    });
  });

  test("include_metadata attaches incoming metadata; without it nothing is attached", async () => {
    await withGrpc("include_metadata = true", async (r, capture) => {
      await clients(r.grpcAddress).traces.export(traceRequest(), { headers: { "X-Tenant": "acme" } });
      const md = capture.received[0]!.metadata;
      assert.deepEqual(md.get("x-tenant"), ["acme"]);
      assert.equal(md.has("content-type"), false);
      assert.equal(md.has(":path"), false);
    });
    await withGrpc("", async (r, capture) => {
      await clients(r.grpcAddress).traces.export(traceRequest(), { headers: { "X-Tenant": "acme" } });
      assert.equal(capture.received[0]!.metadata.size, 0);
    });
  });

  test("TLS with client certificates (client_ca_file): a client with a cert is served, one without is refused", async () => {
    const dir = await import("node:fs/promises").then((fs) => fs.mkdtemp("/tmp/solder-otlp-tls-"));
    const fs = await import("node:fs/promises");
    await fs.writeFile(`${dir}/ca.pem`, CA_CERT);
    await withGrpc(`tls {\n cert_pem = ${JSON.stringify(SERVER_CERT)}\n key_pem = ${JSON.stringify(SERVER_KEY)}\n client_ca_file = "${dir}/ca.pem"\n }`, async (r, capture) => {
      const ok = createGrpcTransport({ baseUrl: `https://${r.grpcAddress}`, nodeOptions: { ca: CA_CERT, cert: CLIENT_CERT, key: CLIENT_KEY } });
      await createClient(TraceService, ok).export(traceRequest());
      assert.equal(capture.items("traces").length, 7);
      const anonymous = createGrpcTransport({ baseUrl: `https://${r.grpcAddress}`, nodeOptions: { ca: CA_CERT } });
      await failure(createClient(TraceService, anonymous).export(traceRequest()));
      assert.equal(capture.items("traces").length, 7);
    });
    await fs.rm(dir, { recursive: true });
  });
});

describe("otelcol.receiver.otlp over gRPC: keepalive", () => {
  test("max_connection_idle closes an idle connection; a raw parse failure is reported as INVALID_ARGUMENT", async () => {
    await withGrpc(`keepalive {\n server_parameters { max_connection_idle = "100ms" }\n }`, async (r) => {
      const st = await rawCall(r.grpcAddress, TRACE_PATH, Uint8Array.of(0xff, 0xff, 0xff));
      assert.equal(st.status, String(GrpcCode.InvalidArgument));
      assert.match(st.message, /^parse binary/);
      const session = http2.connect(`http://${r.grpcAddress}`);
      session.on("error", () => {});
      const closed = new Promise<void>((resolve) => session.once("close", () => resolve()));
      const started = Date.now();
      await closed;
      assert.ok(Date.now() - started < 2_000);
    });
  });
});

describe("otelcol.receiver.otlp over gRPC: shutdown", () => {
  test("a call in flight when the receiver stops is answered; the listener takes no new connections", async () => {
    let entered = 0;
    let release: () => void = () => {};
    const slow = {
      consumeTraces: async () => {
        entered++;
        await new Promise<void>((r) => (release = r));
      },
      consumeMetrics: async () => {},
      consumeLogs: async () => {},
    };
    const r = await startReceiver(`grpc {\n endpoint = "127.0.0.1:0"\n}\noutput {}`, slow, ["traces"]);
    const address = r.grpcAddress;
    const call = clients(address).traces.export(traceRequest()).then(
      () => "ok",
      (err: unknown) => `failed: ${ConnectError.from(err).message}`,
    );
    for (let i = 0; i < 200 && entered === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(entered, 1);
    const stopped = r.stop();
    await new Promise((res) => setTimeout(res, 100));
    release();
    assert.equal(await call, "ok");
    await stopped;
    const after = await failure(clients(address).traces.export(traceRequest(), { timeoutMs: 2000 }));
    assert.equal(after.code, GrpcCode.Unavailable);
  });
});
