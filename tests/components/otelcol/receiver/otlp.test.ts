import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as https from "node:https";
import * as net from "node:net";
import { builtinRegistry } from "../../../../src/components/all.ts";
import { otlpReceiver } from "../../../../src/components/otelcol/receiver/otlp.ts";
import { sanitizeUrlPath } from "../../../../src/components/otelcol/receiver/otlp_args.ts";
import { PipelineError } from "../../../../src/otlp/errors.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import { CA_CERT, Capture, SERVER_CERT, SERVER_KEY, decodeArgs, flatten, sample, startReceiver, tracesBytes, waitFor } from "./otlp_fixtures.ts";

const PROTO = { "content-type": "application/x-protobuf" };
const LOCAL = `http { endpoint = "127.0.0.1:0" }\ngrpc { endpoint = "127.0.0.1:0" }\noutput {}`;

const postTraces = (url: string) => fetch(`${url}/v1/traces`, { method: "POST", body: tracesBytes() as BodyInit, headers: PROTO });

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function canBind(port: number): Promise<boolean> {
  const s = net.createServer();
  return new Promise((resolve) => {
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

describe("otelcol.receiver.otlp: arguments", () => {
  test("is registered, generally available, exports nothing", () => {
    assert.equal(builtinRegistry().get("otelcol.receiver.otlp"), otlpReceiver);
    assert.equal(otlpReceiver.stability, "generally-available");
    assert.deepEqual(otlpReceiver.exports, []);
  });

  test("blocks are optional except output; defaults as Alloy's", () => {
    assert.deepEqual(decodeArgs("").errors, ['missing required block "output"']);
    const none = decodeArgs("output {}").args;
    assert.equal(none.grpc, undefined);
    assert.equal(none.http, undefined);
    const { args, errors } = decodeArgs("grpc {}\nhttp {\n cors {}\n}\noutput {}");
    assert.deepEqual(errors, []);
    assert.deepEqual(
      { ...args.grpc, keepalive: undefined, tls: undefined },
      { endpoint: "0.0.0.0:4317", transport: "tcp", max_recv_msg_size: 4 * 1024 * 1024, read_buffer_size: 512 * 1024, include_metadata: false, keepalive: undefined, tls: undefined },
    );
    const h = args.http!;
    assert.deepEqual(
      [h.endpoint, h.traces_url_path, h.metrics_url_path, h.logs_url_path, h.max_request_body_size, h.include_metadata],
      ["0.0.0.0:4318", "/v1/traces", "/v1/metrics", "/v1/logs", 20 * 1024 * 1024, false],
    );
    assert.deepEqual(h.compression_algorithms, ["", "gzip", "zstd", "zlib", "snappy", "deflate", "lz4"]);
    assert.deepEqual([h.read_timeout, h.read_header_timeout, h.write_timeout, h.idle_timeout, h.keep_alives_enabled], [undefined, 60_000, 30_000, 60_000, true]);
    assert.deepEqual(h.cors, { allowed_origins: [], allowed_headers: ["X-Requested-With"], exposed_headers: [] });
    assert.deepEqual(args.debug_metrics, { disable_high_cardinality_metrics: true });
    const ka = decodeArgs("grpc {\n keepalive {\n server_parameters {}\n enforcement_policy {}\n }\n}\noutput {}").args.grpc!.keepalive;
    assert.deepEqual(ka, { server_parameters: { time: 7_200_000, timeout: 20_000 }, enforcement_policy: { min_time: 300_000, permit_without_stream: false } });
  });

  test("validation messages name the key", () => {
    const errors = (body: string) => decodeArgs(`${body}\noutput {}`).errors;
    assert.deepEqual(errors(`http { traces_url_path = "" }`), ["traces_url_path cannot be empty"]);
    assert.deepEqual(errors(`http { logs_url_path = "/a%zz" }`), ['invalid logs_url_path: parse "/a%zz": invalid URL escape "%zz"']);
    assert.deepEqual(errors(`http {\n traces_url_path = "/x"\n logs_url_path = "x"\n}`), ['traces_url_path and logs_url_path are both "/x": each signal needs its own path']);
    assert.deepEqual(errors(`grpc { endpoint = "localhost" }`), ['invalid endpoint "localhost": want host:port']);
    assert.deepEqual(errors(`grpc { transport = "unix" }`), ['unsupported transport "unix": want "tcp", "tcp4" or "tcp6"']);
    assert.deepEqual(errors(`http { max_request_body_size = "lots" }`).length, 1);
    assert.deepEqual(errors(`grpc {\n tls { cert_file = "a.pem" }\n}`), ["for auth via TLS, provide both certificate and key, or neither"]);
    assert.deepEqual(errors(`grpc {\n tls {\n cert_pem = "x"\n cert_file = "y"\n key_pem = "z"\n }\n}`), ["for auth via TLS, provide certificate contents or path, but not both"]);
    assert.deepEqual(errors(`http {\n tls {\n cert_pem = "x"\n key_pem = "z"\n min_version = "1.4"\n }\n}`), ['invalid TLS min_version: unsupported TLS version: "1.4"']);
    assert.deepEqual(errors(`http {\n tls {\n cert_pem = "x"\n key_pem = "z"\n min_version = "1.3"\n max_version = "1.2"\n }\n}`), [
      "invalid TLS configuration: min_version cannot be greater than max_version",
    ]);
    assert.deepEqual(errors(`http {\n tls {\n cert_pem = "x"\n key_pem = "z"\n cipher_suites = ["TLS_RSA_WITH_AES_128_CBC_SHA"]\n }\n}`), ['invalid TLS cipher suite: "TLS_RSA_WITH_AES_128_CBC_SHA"']);
    assert.deepEqual(errors(`output2 {}`).length, 1);
    assert.equal(sanitizeUrlPath("v1/traces"), "/v1/traces");
    assert.equal(sanitizeUrlPath("/v1/traces?x=1"), "/v1/traces");
  });
});

describe("otelcol.receiver.otlp: lifecycle", () => {
  test("build opens no socket; run serves; aborting run closes the listeners", async () => {
    const port = await freePort();
    const args = decodeArgs(`http { endpoint = "127.0.0.1:${port}" }\noutput {}`).args;
    const capture = new Capture();
    args.output.traces = [capture];
    const opts = { id: "otelcol.receiver.otlp.life", dataPath: "/nonexistent", logger: createLogger(memorySink()), metrics: new MetricsRegistry(), onStateChange() {} };
    const component = await otlpReceiver.build(opts, args);
    assert.equal(await canBind(port), true, "build must not listen");
    const abort = new AbortController();
    const running = component.run(abort.signal);
    await waitFor(() => component.debugInfo?.()?.http !== undefined);
    assert.equal((await postTraces(`http://127.0.0.1:${port}`)).status, 200);
    abort.abort();
    await running;
    assert.equal(await canBind(port), true, "the listener must be closed after run returns");
    await assert.rejects(postTraces(`http://127.0.0.1:${port}`));
    assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
  });

  test("update restarts only the listener whose block changed; output changes apply without restarts", async () => {
    const capture = new Capture();
    const r = await startReceiver(LOCAL, capture);
    try {
      const [http0, grpc0] = [r.httpUrl, r.grpcAddress];
      await r.update(LOCAL, ["logs"]);
      assert.deepEqual([r.httpUrl, r.grpcAddress], [http0, grpc0], "outputs only: nothing restarts");
      assert.equal((await postTraces(r.httpUrl)).status, 404);
      await r.update(LOCAL.replace(`grpc { endpoint = "127.0.0.1:0" }`, `grpc {\n endpoint = "127.0.0.1:0"\n include_metadata = true\n}`));
      assert.equal(r.httpUrl, http0, "http unchanged");
      assert.notEqual(r.grpcAddress, grpc0, "grpc restarted (new ephemeral port)");
      assert.equal((await postTraces(r.httpUrl)).status, 200);
      await r.update(`grpc { endpoint = "127.0.0.1:0" }\noutput {}`);
      assert.equal(r.httpUrl, "", "http block removed: listener gone");
      await assert.rejects(postTraces(http0));
    } finally {
      await r.stop();
    }
  });

  test("a listener that cannot bind makes the component unhealthy; the other one still serves", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const capture = new Capture();
    const r = await startReceiver(`http { endpoint = "127.0.0.1:0" }\noutput {}`, capture);
    try {
      await r.update(`http { endpoint = "127.0.0.1:0" }\ngrpc { endpoint = "127.0.0.1:${taken}" }\noutput {}`);
      const h = r.component.health?.();
      assert.equal(h?.state, "unhealthy");
      assert.match(h!.message, new RegExp(`grpc server on 127.0.0.1:${taken}`));
      assert.equal((await postTraces(r.httpUrl)).status, 200);
      await r.update(`http { endpoint = "127.0.0.1:0" }\noutput {}`);
      assert.equal(r.component.health?.(), undefined);
    } finally {
      await r.stop();
      blocker.close();
    }
  });
});

describe("otelcol.receiver.otlp: self-metrics and TLS", () => {
  test("accepted / refused items and requests per transport, labelled receiver=otlp/<id>", async () => {
    const capture = new Capture();
    const r = await startReceiver(LOCAL, capture);
    try {
      const labels = { receiver: "otlp/otelcol.receiver.otlp.test", transport: "http", component_id: "otelcol.receiver.otlp.test" };
      assert.equal(sample(r.metrics, "otelcol_receiver_accepted_spans_total", labels), 0);
      await postTraces(r.httpUrl);
      capture.failures.push(PipelineError.retryable("full"));
      assert.equal((await postTraces(r.httpUrl)).status, 503);
      assert.equal(sample(r.metrics, "otelcol_receiver_accepted_spans_total", labels), 7);
      assert.equal(sample(r.metrics, "otelcol_receiver_refused_spans_total", labels), 7);
      assert.equal(sample(r.metrics, "otelcol_receiver_failed_spans_total", labels), 0);
      assert.equal(sample(r.metrics, "otelcol_receiver_requests_total", { ...labels, outcome: "success" }), 1);
      assert.equal(sample(r.metrics, "otelcol_receiver_requests_total", { ...labels, outcome: "refused" }), 1);
      assert.equal(sample(r.metrics, "otelcol_receiver_accepted_log_records_total", { ...labels, transport: "grpc" }), 0);
    } finally {
      await r.stop();
    }
  });

  test("HTTP over TLS (cert_pem / key_pem)", async () => {
    const capture = new Capture();
    const tls = `tls {\n cert_pem = ${JSON.stringify(SERVER_CERT)}\n key_pem = ${JSON.stringify(SERVER_KEY)}\n }`;
    const r = await startReceiver(`http {\n endpoint = "127.0.0.1:0"\n ${tls}\n}\noutput {}`, capture);
    try {
      assert.match(r.httpUrl, /^https:/);
      const u = new URL(`${r.httpUrl}/v1/traces`);
      const status = await new Promise<number>((resolve, reject) => {
        const req = https.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: PROTO, ca: CA_CERT }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode!));
        });
        req.on("error", reject);
        req.end(tracesBytes());
      });
      assert.equal(status, 200);
      assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
    } finally {
      await r.stop();
    }
  });
});
