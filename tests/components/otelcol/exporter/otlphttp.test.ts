import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { equals, fromBinary } from "@bufbuild/protobuf";
import { ConnectError, Code as GrpcCode, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RetryInfoSchema } from "../../../../gen/google/rpc/error_details_pb.ts";
import { StatusSchema } from "../../../../gen/google/rpc/status_pb.ts";
import { ExportTraceServiceRequestSchema, TraceService } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { type OtlpHttpArgs, otlphttpExporter, signalUrl } from "../../../../src/components/otelcol/exporter/otlphttp.ts";
import { Code, PipelineError } from "../../../../src/otlp/errors.ts";
import { runtimeName } from "../../../../src/platform/index.ts";
import { TEST_CERT, TEST_KEY, closedPort, startHttpSink } from "../../../helpers/otlp_sink.ts";
import { startReceiver } from "../receiver/otlp_fixtures.ts";
import { FAST_RETRY, decode, logs, metricValue, start, traces, tracesBytes } from "./harness.ts";

const LABEL = 'exporter="otlphttp/otelcol.exporter.otlphttp.test"';

function urls(body: string): Record<string, string | undefined> {
  const { args, errors } = decode(otlphttpExporter, body);
  assert.deepEqual(errors, []);
  return { traces: signalUrl(args, "traces"), metrics: signalUrl(args, "metrics"), logs: signalUrl(args, "logs") };
}

describe("URL rule (§7.1)", () => {
  test("appends /v1/<signal> to client.endpoint", () => {
    assert.deepEqual(urls(`client { endpoint = "http://collector:4318" }`), {
      traces: "http://collector:4318/v1/traces",
      metrics: "http://collector:4318/v1/metrics",
      logs: "http://collector:4318/v1/logs",
    });
  });

  test("a trailing slash is not doubled", () => {
    assert.equal(urls(`client { endpoint = "http://collector:4318/" }`).traces, "http://collector:4318/v1/traces");
  });

  test("the seed's loki endpoint gets /v1/logs after /otlp", () => {
    assert.equal(urls(`client { endpoint = "http://loki:3100/otlp" }`).logs, "http://loki:3100/otlp/v1/logs");
  });

  test("the seed's tempo endpoint is doubled, as Alloy does, and warned about", () => {
    const text = `client { endpoint = "http://tempo/v1/traces" }`;
    assert.equal(urls(text).traces, "http://tempo/v1/traces/v1/traces");
    const { warnings } = decode(otlphttpExporter, text);
    assert.deepEqual(warnings, [
      'client endpoint "http://tempo/v1/traces" already ends in /v1/traces; traces are sent to http://tempo/v1/traces/v1/traces (as Alloy does). Use traces_endpoint to give the full URL',
    ]);
  });

  test("per-signal endpoints are used verbatim and silence the warning", () => {
    const text = `
      traces_endpoint = "http://tempo:4318/v1/traces"
      logs_endpoint = "https://logs.example/custom/path"
      client { endpoint = "http://tempo/v1/traces" }`;
    assert.deepEqual(urls(text), { traces: "http://tempo:4318/v1/traces", metrics: "http://tempo/v1/traces/v1/metrics", logs: "https://logs.example/custom/path" });
    assert.deepEqual(decode(otlphttpExporter, text).warnings, []);
  });
});

describe("validation", () => {
  test("encoding, compression, endpoints", () => {
    assert.deepEqual(decode(otlphttpExporter, `encoding = "xml"\nclient { endpoint = "http://x" }`).errors, ["invalid encoding type xml"]);
    assert.deepEqual(decode(otlphttpExporter, `client {\n endpoint = "http://x"\n compression = "lz5"\n}`).errors, ['unrecognized compression type "lz5"']);
    assert.deepEqual(decode(otlphttpExporter, `client { endpoint = "" }`).errors, ["at least one endpoint must be specified"]);
    assert.deepEqual(decode(otlphttpExporter, `client { endpoint = "tempo:4318" }`).errors, ['client endpoint "tempo:4318/v1/traces" is not a valid http:// or https:// URL', 'client endpoint "tempo:4318/v1/metrics" is not a valid http:// or https:// URL', 'client endpoint "tempo:4318/v1/logs" is not a valid http:// or https:// URL']);
    assert.match(decode(otlphttpExporter, `client { endpoint = "http://x" }\nretry_on_failure { multiplier = 1 }`).errors.join(), /multiplier must be greater than 1.0/);
    assert.deepEqual(decode(otlphttpExporter, `client { endpoint = "http://x" }\nsending_queue {\n batch { }\n}`).errors, []);
    assert.deepEqual(decode(otlphttpExporter, `client { endpoint = "http://x" }\nsending_queue {\n batch { sizer = "requests" }\n}`).errors, ["`batch` supports only `items` or `bytes` sizer"]);
  });

  test("defaults", () => {
    const { args } = decode(otlphttpExporter, `client { endpoint = "http://x" }`) as { args: OtlpHttpArgs };
    assert.equal(args.encoding, "proto");
    assert.equal(args.client.compression, "gzip");
    assert.equal(args.client.timeout, 30_000);
    assert.deepEqual(args.retry_on_failure, { enabled: true, initial_interval: 5000, max_interval: 30_000, max_elapsed_time: 300_000, multiplier: 1.5, randomization_factor: 0.5 });
    assert.equal(args.sending_queue.queue_size, 1000);
    assert.equal(args.sending_queue.num_consumers, 10);
  });
});

describe("requests", () => {
  test("proto with gzip: the body decodes to what was sent; headers and user agent", async () => {
    const sink = await startHttpSink();
    const ex = await start(otlphttpExporter, `client {\n endpoint = "${sink.url}"\n headers = { "X-Scope-OrgID" = "tenant-1" }\n}`);
    try {
      await ex.input.consumeTraces(traces(3));
      const [req] = await sink.waitForRequests(1);
      assert.equal(req!.path, "/v1/traces");
      assert.equal(req!.headers["content-type"], "application/x-protobuf");
      assert.equal(req!.headers["content-encoding"], "gzip");
      assert.equal(req!.headers["x-scope-orgid"], "tenant-1");
      assert.match(req!.headers["user-agent"]!, /^solder\/\d+\.\d+\.\d+/);
      assert.ok(equals(ExportTraceServiceRequestSchema, fromBinary(ExportTraceServiceRequestSchema, req!.body), fromBinary(ExportTraceServiceRequestSchema, tracesBytes(3))));
    } finally {
      await ex.stop();
      await sink.close();
    }
    assert.equal(metricValue(ex.metrics, "otelcol_exporter_sent_spans_total"), 3);
    assert.match(ex.metrics.expose(), new RegExp(`otelcol_exporter_sent_spans_total\\{[^}]*${LABEL}`));
  });

  test("json without compression: the body decodes to the same content", async () => {
    const sink = await startHttpSink();
    const ex = await start(otlphttpExporter, `encoding = "json"\nclient {\n endpoint = "${sink.url}/"\n compression = "none"\n}`);
    try {
      await ex.input.consumeTraces(traces(2));
      await ex.input.consumeLogs(logs(2));
      const reqs = await sink.waitForRequests(2);
      const t = reqs.find((r) => r.signal === "traces")!;
      assert.equal(t.headers["content-type"], "application/json");
      assert.equal(t.headers["content-encoding"], undefined);
      assert.equal(JSON.parse(new TextDecoder().decode(t.body)).resourceSpans[0].scopeSpans[0].spans[0].traceId, "0102030405060708090a0b0c0d0e0f10");
      const roundTrip = fromBinary(ExportTraceServiceRequestSchema, t.batch().toBinary());
      assert.ok(equals(ExportTraceServiceRequestSchema, roundTrip, fromBinary(ExportTraceServiceRequestSchema, tracesBytes(2))));
      assert.equal(reqs.find((r) => r.signal === "logs")!.batch().itemCount(), 2);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  for (const compression of ["zlib", "deflate", "snappy", "zstd"]) {
    test(`compression ${compression}`, async () => {
      const sink = await startHttpSink();
      const ex = await start(otlphttpExporter, `client {\n endpoint = "${sink.url}"\n compression = "${compression}"\n}`);
      try {
        await ex.input.consumeTraces(traces(2));
        const [req] = await sink.waitForRequests(1);
        assert.equal(req!.headers["content-encoding"], compression);
        assert.equal(req!.batch().itemCount(), 2);
      } finally {
        await ex.stop();
        await sink.close();
      }
    });
  }
});

// Only Bun's fetch takes TLS settings per request (see otlphttp.ts); elsewhere the system trust store applies.
test("https with a CA from the tls block", { skip: !runtimeName().startsWith("bun") }, async () => {
  const sink = await startHttpSink({ tls: { cert: TEST_CERT, key: TEST_KEY } });
  const good = await start(otlphttpExporter, `client {\n endpoint = "${sink.url}"\n tls { ca_pem = ${JSON.stringify(TEST_CERT)} }\n}`, "otelcol.exporter.otlphttp.good");
  const bad = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\n${FAST_RETRY}`, "otelcol.exporter.otlphttp.bad");
  try {
    await good.input.consumeTraces(traces(1));
    await sink.waitForRequests(1);
    await bad.input.consumeTraces(traces(1));
    await waitUntil(() => metricValue(bad.metrics, "otelcol_exporter_send_failed_spans_total") === 1, 3000);
    assert.match(bad.logs.find((l) => l.includes("Dropping data"))!, /no more retries left/);
    assert.equal(sink.requests.length, 1);
  } finally {
    await good.stop();
    await bad.stop();
    await sink.close();
  }
});

test("an unreadable ca_file drops the data with a clear message, without retries", async () => {
  const ex = await start(otlphttpExporter, `client {\n endpoint = "https://127.0.0.1:1"\n tls { ca_file = "/nonexistent/ca.pem" }\n}\n${FAST_RETRY}`);
  try {
    await ex.input.consumeTraces(traces(1));
    await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_send_failed_spans_total") === 1);
    assert.match(ex.logs.find((l) => l.includes("Dropping data"))!, /cannot load the client tls settings.*nonexistent/);
    assert.equal(ex.logs.filter((l) => l.includes("Will retry")).length, 0);
  } finally {
    await ex.stop();
  }
});

describe("responses and retries (§7.3)", () => {
  test("503 then 200: delivered once after a retry", async () => {
    const sink = await startHttpSink();
    sink.reply({ status: 503 });
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\n${FAST_RETRY}`);
    try {
      await ex.input.consumeTraces(traces(1));
      await sink.waitForRequests(2);
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_sent_spans_total") === 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(sink.requests.length, 2);
      assert.ok(ex.logs.some((l) => l.includes("Will retry") && l.includes("503")));
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("429 with Retry-After: 1 waits at least a second", async () => {
    const sink = await startHttpSink();
    sink.reply({ status: 429, headers: { "Retry-After": "1" } });
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\nretry_on_failure {\n initial_interval = "10ms"\n max_elapsed_time = "5s"\n}`);
    try {
      await ex.input.consumeTraces(traces(1));
      const [first, second] = await sink.waitForRequests(2, 4000);
      assert.ok(second!.at - first!.at >= 990, `waited ${second!.at - first!.at}ms`);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("400 is dropped without retry; the log says why", async () => {
    const sink = await startHttpSink();
    sink.reply({ status: 400, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code: 3, message: "bad span id" }) });
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\n${FAST_RETRY}`);
    try {
      await ex.input.consumeTraces(traces(2));
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_send_failed_spans_total") === 2);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(sink.requests.length, 1);
      const line = ex.logs.find((l) => l.includes("Dropping data"))!;
      assert.match(line, /level=error/);
      assert.match(line, /400/);
      assert.match(line, new RegExp(`${sink.url}/v1/traces`));
      assert.match(line, /bad span id/);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("partial success is logged as a warning, not retried", async () => {
    const sink = await startHttpSink();
    const body = JSON.stringify({ partialSuccess: { rejectedSpans: "1", errorMessage: "one span too old" } });
    sink.reply({ status: 200, headers: { "Content-Type": "application/json" }, body });
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }`);
    try {
      await ex.input.consumeTraces(traces(2));
      await waitUntil(() => ex.logs.some((l) => l.includes("Partial success")));
      assert.match(ex.logs.find((l) => l.includes("Partial success"))!, /level=warn.*one span too old.*dropped_spans=1/);
      assert.equal(sink.requests.length, 1);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("connection refused: retried until max_elapsed_time, then dropped and counted", async () => {
    const port = await closedPort();
    const ex = await start(otlphttpExporter, `client { endpoint = "http://127.0.0.1:${port}" }\n${FAST_RETRY}`);
    try {
      const t0 = Date.now();
      await ex.input.consumeTraces(traces(4));
      await waitUntil(() => metricValue(ex.metrics, "otelcol_exporter_send_failed_spans_total") === 4, 3000);
      const took = Date.now() - t0;
      assert.ok(took >= 200 && took < 1500, `gave up after ${took}ms`);
      assert.ok(ex.logs.filter((l) => l.includes("Will retry")).length >= 3);
      assert.match(ex.logs.find((l) => l.includes("Dropping data"))!, /no more retries left/);
    } finally {
      await ex.stop();
    }
  });

  test("without a queue the caller gets the error", async () => {
    const sink = await startHttpSink();
    sink.reply({ status: 401 });
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\nsending_queue { enabled = false }`);
    try {
      await assert.rejects(ex.input.consumeTraces(traces(1)), (e: PipelineError) => e.permanent && /401/.test(e.message));
      await ex.input.consumeTraces(traces(1));
      assert.equal(sink.requests.length, 2);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });
});

describe("queue", () => {
  test("queue full: the caller gets a retryable error at once", async () => {
    const sink = await startHttpSink();
    sink.reply({ status: 200, delayMs: 300 });
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\nsending_queue {\n num_consumers = 1\n queue_size = 1\n}`);
    try {
      await ex.input.consumeTraces(traces(1)); // taken by the one sender, which waits on the sink
      await sink.waitForRequests(1);
      await ex.input.consumeTraces(traces(1)); // fills the queue
      await assert.rejects(ex.input.consumeTraces(traces(5)), (e: PipelineError) => !e.permanent && /queue is full/.test(e.message));
      assert.equal(metricValue(ex.metrics, "otelcol_exporter_enqueue_failed_spans_total"), 5);
      assert.equal(metricValue(ex.metrics, "otelcol_exporter_queue_capacity"), 1);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("queue full behind otelcol.receiver.otlp: HTTP 503 with Retry-After, gRPC UNAVAILABLE with RetryInfo", async () => {
    const sink = await startHttpSink();
    sink.reply({ status: 200, delayMs: 500 });
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\nsending_queue {\n num_consumers = 1\n queue_size = 1\n}`);
    const r = await startReceiver(`grpc { endpoint = "127.0.0.1:0" }\nhttp { endpoint = "127.0.0.1:0" }\noutput {}`, ex.input);
    const post = () => fetch(`${r.httpUrl}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: tracesBytes(2) as BodyInit });
    try {
      assert.equal((await post()).status, 200); // taken by the one sender, which waits on the sink
      await sink.waitForRequests(1);
      assert.equal((await post()).status, 200); // fills the queue
      const full = await post();
      assert.equal(full.status, 503);
      assert.equal(full.headers.get("retry-after"), "1");
      const st = fromBinary(StatusSchema, new Uint8Array(await full.arrayBuffer()));
      assert.deepEqual([st.code, st.message], [Code.Unavailable, "sending queue is full"]);
      const client = createClient(TraceService, createGrpcTransport({ baseUrl: `http://${r.grpcAddress}` }));
      const err = await client.export(fromBinary(ExportTraceServiceRequestSchema, tracesBytes(2))).then(
        () => assert.fail("accepted"),
        (e: unknown) => ConnectError.from(e),
      );
      assert.equal(err.code, GrpcCode.Unavailable);
      assert.equal(err.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds, 1n);
      assert.equal(metricValue(ex.metrics, "otelcol_exporter_enqueue_failed_spans_total"), 4);
    } finally {
      await r.stop();
      await ex.stop();
      await sink.close();
    }
  });

  test("sending_queue > batch merges requests", async () => {
    const sink = await startHttpSink();
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\nsending_queue {\n batch {\n min_size = 5\n max_size = 8\n }\n}`);
    try {
      for (let i = 0; i < 3; i++) await ex.input.consumeTraces(traces(2, `svc-${i}`));
      const [req] = await sink.waitForRequests(1);
      assert.equal(req!.batch().itemCount(), 6);
      assert.equal(req!.batch().resourceCount(), 3);
    } finally {
      await ex.stop();
      await sink.close();
    }
  });

  test("update switches the endpoint for later sends", async () => {
    const a = await startHttpSink();
    const b = await startHttpSink();
    const ex = await start(otlphttpExporter, `client { endpoint = "${a.url}" }`);
    try {
      await ex.input.consumeTraces(traces(1));
      await a.waitForRequests(1);
      await ex.component.update(decode(otlphttpExporter, `client { endpoint = "${b.url}" }`).args);
      await ex.input.consumeTraces(traces(1));
      await b.waitForRequests(1);
      assert.equal(a.requests.length, 1);
    } finally {
      await ex.stop();
      await a.close();
      await b.close();
    }
  });

  test("shutdown drains what is queued", async () => {
    const sink = await startHttpSink();
    const ex = await start(otlphttpExporter, `client { endpoint = "${sink.url}" }\nsending_queue { num_consumers = 1 }`);
    sink.reply({ status: 200, delayMs: 20 });
    for (let i = 0; i < 5; i++) await ex.input.consumeTraces(traces(1));
    await ex.stop();
    assert.equal(sink.requests.length, 5);
    await assert.rejects(ex.input.consumeTraces(traces(1)), /shutting down/);
    await sink.close();
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
