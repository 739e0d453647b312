import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { equals, fromBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { grpcTarget, otlpExporter } from "../../../../src/components/otelcol/exporter/otlp.ts";
import { compress, decompress } from "../../../../src/components/otelcol/exporter/shared/client.ts";
import { GrpcCode, TEST_CERT, TEST_KEY, closedPort, startGrpcSink } from "../../../helpers/otlp_sink.ts";
import { FAST_RETRY, decode, logs, metricValue, start, traces, tracesBytes } from "./harness.ts";

const PLAINTEXT = "tls { insecure = true }";

function client(endpoint: string, extra = PLAINTEXT): string {
  return `client {\n endpoint = "${endpoint}"\n ${extra}\n}`;
}

async function waitUntil(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("configuration", () => {
  test("TLS is on by default; insecure or http:// means h2c", () => {
    assert.deepEqual(grpcTarget("tempo:4317", false), { baseUrl: "https://tempo:4317", host: "tempo", tls: true });
    assert.deepEqual(grpcTarget("tempo:4317", true), { baseUrl: "http://tempo:4317", host: "tempo", tls: false });
    assert.deepEqual(grpcTarget("http://tempo:4317", false), { baseUrl: "http://tempo:4317", host: "tempo", tls: false });
    assert.deepEqual(grpcTarget("dns:///tempo:4317", false), { baseUrl: "https://tempo:4317", host: "tempo", tls: true });
    assert.equal(grpcTarget("tempo", false).baseUrl, "https://tempo");
  });

  test("defaults and validation", () => {
    const { args, errors } = decode(otlpExporter, `client { endpoint = "tempo:4317" }`);
    assert.deepEqual(errors, []);
    assert.equal(args.timeout, 5000);
    assert.equal(args.client.compression, "gzip");
    assert.equal(args.client.balancer_name, "round_robin");
    assert.equal(args.client.tls.insecure, false);
    assert.deepEqual(decode(otlpExporter, client("tempo:4317", `compression = "zlib"`)).errors, ['unsupported compression type "zlib"']);
    assert.deepEqual(decode(otlpExporter, client("tempo:4317", `tls {\n ca_pem = "x"\n ca_file = "y"\n}`)).errors, ["at most one of ca_pem and ca_file must be configured"]);
    assert.deepEqual(decode(otlpExporter, `client { endpoint = "a b" }`).errors, ['invalid endpoint "a b": want host:port']);
  });
});

describe("export", () => {
  test("success over h2c: the request decodes to what was sent, metadata arrives", async () => {
    const sink = await startGrpcSink();
    const ex = await start(otlpExporter, client(sink.endpoint, `${PLAINTEXT}\n headers = { "x-scope-orgid" = "t1" }`));
    try {
      await ex.input.consumeTraces(traces(3));
      await ex.input.consumeLogs(logs(2));
      const reqs = await sink.waitForRequests(2);
      const t = reqs.find((r) => r.signal === "traces")!;
      assert.equal(t.path, "/opentelemetry.proto.collector.trace.v1.TraceService/Export");
      assert.ok(equals(ExportTraceServiceRequestSchema, fromBinary(ExportTraceServiceRequestSchema, t.body), fromBinary(ExportTraceServiceRequestSchema, tracesBytes(3))));
      assert.equal(t.headers["x-scope-orgid"], "t1");
      assert.equal(t.headers["grpc-encoding"], "gzip");
      assert.match(t.headers["user-agent"]!, /^solder\//);
      assert.equal(reqs.find((r) => r.signal === "logs")!.batch().itemCount(), 2);
      // The two sends finish in either order: wait for both counters, not just the logs one.
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_sent_log_records_total") === 2 && metricValue(ex.metrics, "otelcol_exporter_sent_spans_total") === 3);
      assert.match(ex.metrics.expose(), /otelcol_exporter_sent_spans_total\{[^}]*exporter="otlp\/otelcol.exporter.otlp.test"[^}]*\} 3/);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("success over TLS with a CA", async () => {
    const sink = await startGrpcSink({ tls: { cert: TEST_CERT, key: TEST_KEY } });
    const ca = JSON.stringify(TEST_CERT);
    const ex = await start(otlpExporter, client(sink.endpoint, `tls {\n ca_pem = ${ca}\n server_name = "localhost"\n}\n compression = "none"`));
    try {
      await ex.input.consumeTraces(traces(1));
      const [req] = await sink.waitForRequests(1);
      assert.equal(req!.headers["grpc-encoding"], undefined);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("zstd and snappy are sent as gRPC message compression", async () => {
    const extra = ["zstd", "snappy"].map((name) => ({ name, compress: (b: Uint8Array) => compress(name, b) as Promise<Uint8Array<ArrayBuffer>>, decompress: (b: Uint8Array) => decompress(name, b) as Promise<Uint8Array<ArrayBuffer>> }));
    const sink = await startGrpcSink({ acceptCompression: extra });
    const a = await start(otlpExporter, client(sink.endpoint, `${PLAINTEXT}\n compression = "zstd"`), "otelcol.exporter.otlp.a");
    const b = await start(otlpExporter, client(sink.endpoint, `${PLAINTEXT}\n compression = "snappy"`), "otelcol.exporter.otlp.b");
    try {
      await a.input.consumeTraces(traces(2));
      await sink.waitForRequests(1);
      await b.input.consumeTraces(traces(2));
      const reqs = await sink.waitForRequests(2);
      assert.deepEqual(reqs.map((r) => r.headers["grpc-encoding"]), ["zstd", "snappy"]);
      assert.deepEqual(reqs.map((r) => r.batch().itemCount()), [2, 2]);
    } finally {
      await a.stop();
      await b.stop();
      await sink.close();
    }
  });
});

test("update to a new endpoint reconnects", async () => {
  const a = await startGrpcSink();
  const b = await startGrpcSink();
  const ex = await start(otlpExporter, client(a.endpoint));
  try {
    await ex.input.consumeTraces(traces(1));
    await a.waitForRequests(1);
    await ex.component.update(decode(otlpExporter, client(b.endpoint)).args);
    await ex.input.consumeTraces(traces(1));
    await b.waitForRequests(1);
    await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_sent_spans_total") === 2);
    assert.equal(a.requests.length, 1);
    assert.equal(b.requests.length, 1);
  } finally {
    await ex.stop();
    await a.close();
    await b.close();
  }
});

test("an unreadable ca_file drops the data without retries", async () => {
  const ex = await start(otlpExporter, `client {\n endpoint = "127.0.0.1:1"\n tls { ca_file = "/nonexistent/ca.pem" }\n}\n${FAST_RETRY}`);
  try {
    await ex.input.consumeTraces(traces(1));
    await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_send_failed_spans_total") === 1);
    assert.match(ex.logs.find((l) => l.includes("Dropping data"))!, /cannot set up the gRPC connection.*nonexistent/);
  } finally {
    await ex.stop();
  }
});

describe("status handling (§8)", () => {
  test("UNAVAILABLE is retried", async () => {
    const sink = await startGrpcSink();
    sink.reply({ code: GrpcCode.Unavailable, message: "busy" });
    const ex = await start(otlpExporter, `${client(sink.endpoint)}\n${FAST_RETRY}`);
    try {
      await ex.input.consumeTraces(traces(1));
      await sink.waitForRequests(2);
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_sent_spans_total") === 1);
      assert.ok(ex.logs.some((l) => l.includes("Will retry") && l.includes("Unavailable")));
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("INVALID_ARGUMENT is dropped, not retried", async () => {
    const sink = await startGrpcSink();
    sink.reply({ code: GrpcCode.InvalidArgument, message: "bad trace id" });
    const ex = await start(otlpExporter, `${client(sink.endpoint)}\n${FAST_RETRY}`);
    try {
      await ex.input.consumeTraces(traces(2));
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_send_failed_spans_total") === 2);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(sink.requests.length, 1);
      assert.match(ex.logs.find((l) => l.includes("Dropping data"))!, /InvalidArgument.*bad trace id/);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("RESOURCE_EXHAUSTED without RetryInfo is dropped", async () => {
    const sink = await startGrpcSink();
    sink.reply({ code: GrpcCode.ResourceExhausted, message: "too big" });
    const ex = await start(otlpExporter, `${client(sink.endpoint)}\n${FAST_RETRY}`);
    try {
      await ex.input.consumeTraces(traces(1));
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_send_failed_spans_total") === 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(sink.requests.length, 1);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("RESOURCE_EXHAUSTED with RetryInfo is retried after the delay", async () => {
    const sink = await startGrpcSink();
    sink.reply({ code: GrpcCode.ResourceExhausted, message: "slow down", retryDelayMs: 250 });
    const ex = await start(otlpExporter, `${client(sink.endpoint)}\n${FAST_RETRY}`);
    try {
      await ex.input.consumeTraces(traces(1));
      const [first, second] = await sink.waitForRequests(2);
      assert.ok(second!.at - first!.at >= 240, `waited ${second!.at - first!.at}ms`);
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_sent_spans_total") === 1);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("partial success is logged as a warning", async () => {
    const sink = await startGrpcSink();
    sink.reply({ partial: { rejected: 1, message: "dup" } });
    const ex = await start(otlpExporter, client(sink.endpoint));
    try {
      await ex.input.consumeTraces(traces(2));
      await waitUntil(() => ex.logs.some((l) => l.includes("Partial success")));
      assert.match(ex.logs.find((l) => l.includes("Partial success"))!, /level=warn.*dup.*dropped_spans=1/);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("TLS against a plaintext server fails and is retried, then dropped", async () => {
    const sink = await startGrpcSink();
    const ex = await start(otlpExporter, `client { endpoint = "${sink.endpoint}" }\n${FAST_RETRY}`);
    try {
      await ex.input.consumeTraces(traces(1));
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_send_failed_spans_total") === 1, 3000);
      assert.match(ex.logs.find((l) => l.includes("Dropping data"))!, /no more retries left.*Unavailable/);
      assert.equal(sink.requests.length, 0);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("connection refused is retried until max_elapsed_time", async () => {
    const port = await closedPort();
    const ex = await start(otlpExporter, `${client(`127.0.0.1:${port}`)}\n${FAST_RETRY}`);
    try {
      await ex.input.consumeTraces(traces(2));
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_send_failed_spans_total") === 2, 3000);
      assert.ok(ex.logs.filter((l) => l.includes("Will retry")).length >= 2);
    } finally {
      await ex.stop();
    }
  });
});
