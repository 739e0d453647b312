// Queues against a fake receiver on 127.0.0.1: what goes on the wire (headers, labels, stale
// bits, batching), and the retry rules — 5xx retried with backoff, 429 retried only with
// retry_on_http_429, other 4xx dropped with an error log naming the series.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Labels } from "../../../src/prom/appender.ts";
import { runtimeName } from "../../../src/platform/index.ts";
import { TEST_CERT, TEST_KEY } from "../../helpers/otlp_sink.ts";
import { FakeReceiver, type RunningStore, decodeArgs, eventually, metricValue, startStore, tempDir } from "./harness.ts";

const receivers: FakeReceiver[] = [];
const stores: RunningStore[] = [];
after(async () => {
  for (const s of stores) await s.stop();
  for (const r of receivers) await r.close();
});

async function receiver(): Promise<FakeReceiver> {
  const r = await new FakeReceiver().start();
  receivers.push(r);
  return r;
}

function store(url: string, extra = "", top = ""): RunningStore {
  const s = startStore(`${top}
endpoint {
  url = "${url}"
  queue_config {
    batch_send_deadline = "20ms"
    min_backoff = "5ms"
    max_backoff = "20ms"
  }
  ${extra}
}`);
  stores.push(s);
  return s;
}

const series = (name: string, i = 0): Labels => [["__name__", name], ["i", String(i)]];

describe("what goes on the wire", () => {
  test("protocol headers, sorted labels with external labels, exact values", async () => {
    const r = await receiver();
    const s = store(r.url, `headers = { "X-Scope-OrgID" = "tenant-1" }`, `external_labels = { cluster = "c1", i = "external-loses" }`);
    await s.write([[[["job", "api"], ["__name__", "up"], ["i", "7"]], 1_700_000_000_123, 1.25]]);
    await eventually(() => r.requests.length === 1, 5000, "one request");
    const h = r.requests[0]!.headers;
    assert.equal(h["content-encoding"], "snappy");
    assert.equal(h["content-type"], "application/x-protobuf");
    assert.equal(h["x-prometheus-remote-write-version"], "0.1.0");
    assert.match(h["user-agent"] ?? "", /^solder\/\d+\.\d+\.\d+$/);
    assert.equal(h["x-scope-orgid"], "tenant-1");
    assert.deepEqual(r.accepted(), ["__name__=up,cluster=c1,i=7,job=api 1.25@1700000000123"]);
  });

  test("a stale marker arrives as the exact StaleNaN bits", async () => {
    const r = await receiver();
    const s = store(r.url);
    const app = s.store.appendable.appender();
    app.append(series("gone"), 1000, 5);
    app.appendStale(series("gone"), 2000);
    await app.commit();
    await eventually(() => r.requests.length > 0, 5000, "a request");
    const raw = [...r.requests.flatMap((q) => [...q.raw])].join(",");
    assert.ok(raw.includes([0x09, 0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f, 0x10].join(",")), "StaleNaN followed by the timestamp");
    const samples = r.requests[0]!.request.timeseries[0]!.samples;
    assert.equal(samples.length, 2);
    assert.equal(samples[0]!.value, 5);
    assert.ok(Number.isNaN(samples[1]!.value));
  });

  test("max_samples_per_send splits batches; samples of one series stay in order", async () => {
    const r = await receiver();
    const s2 = startStore(`endpoint {
  url = "${r.url}"
  queue_config {
    max_samples_per_send = 10
    batch_send_deadline = "20ms"
    min_shards = 3
    max_shards = 3
  }
}`);
    stores.push(s2);
    const samples: Array<[Labels, number, number]> = [];
    for (let t = 1; t <= 20; t++) for (let i = 0; i < 5; i++) samples.push([series("ordered", i), t, t]);
    await s2.write(samples);
    await eventually(() => r.accepted().length === 100, 5000, "100 samples");
    assert.ok(r.requests.every((q) => q.request.timeseries.reduce((n, t) => n + t.samples.length, 0) <= 10));
    for (let i = 0; i < 5; i++) {
      const ts = r.accepted().filter((l) => l.includes(`i=${i} `)).map((l) => Number(l.split("@")[1]));
      assert.deepEqual(ts, Array.from({ length: 20 }, (_, k) => k + 1), `series ${i}`);
    }
    assert.equal(metricValue(s2.metrics, "prometheus_remote_storage_shards{"), 3);
  });

  test("a full shard makes the reader wait: order kept, retries counted, pending back to 0", async () => {
    const r = await receiver();
    // Three 503s keep the first batch in flight while the reader fills the shard (capacity 4).
    r.script = [{ status: 503 }, { status: 503 }, { status: 503 }];
    const s2 = startStore(`endpoint {
  url = "${r.url}"
  queue_config {
    capacity = 4
    max_samples_per_send = 2
    batch_send_deadline = "20ms"
    min_backoff = "5ms"
    max_backoff = "20ms"
    min_shards = 1
    max_shards = 1
  }
}`);
    stores.push(s2);
    const samples: Array<[Labels, number, number]> = [];
    for (let t = 1; t <= 10; t++) for (let i = 0; i < 3; i++) samples.push([series("full", i), t, t]);
    await s2.write(samples);
    await eventually(() => r.accepted().length === 30, 10_000, "30 samples");
    for (let i = 0; i < 3; i++) {
      const ts = r.accepted().filter((l) => l.includes(`i=${i} `)).map((l) => Number(l.split("@")[1]));
      assert.deepEqual(ts, Array.from({ length: 10 }, (_, k) => k + 1), `series ${i}`);
    }
    assert.ok((metricValue(s2.metrics, "prometheus_remote_storage_enqueue_retries_total{") ?? 0) > 0, "the reader waited for room");
    await eventually(() => metricValue(s2.metrics, "prometheus_remote_storage_samples_pending{") === 0, 5000, "pending back to 0");
    assert.equal(metricValue(s2.metrics, "prometheus_remote_storage_samples_total{"), 30);
  });

  test("exemplars and native histograms follow send_exemplars and send_native_histograms", async () => {
    const r = await receiver();
    const hist = { schema: 0, zeroThreshold: 1e-128, zeroCount: 0, count: 2, sum: 3, positiveSpans: [{ offset: 1, length: 1 }], positiveDeltas: [2], negativeSpans: [], negativeDeltas: [], resetHint: 0 as const };
    const send = async (s: RunningStore) => {
      const app = s.store.appendable.appender();
      app.append(series("c_total"), 10, 1);
      app.appendExemplar(series("c_total"), { labels: [["trace_id", "abc"]], value: 1, timestampMs: 10 });
      app.appendHistogram(series("h"), 10, hist);
      app.updateMetadata("c", { type: "counter", help: "C.", unit: "" });
      await app.commit();
    };
    await send(store(r.url, "send_native_histograms = true"));
    await eventually(() => r.requests.length > 0 && r.requests.flatMap((q) => q.request.timeseries).length === 2, 5000, "both series");
    const all = r.requests.flatMap((q) => q.request.timeseries);
    assert.equal(all.find((t) => t.labels[0]!.value === "c_total")!.exemplars[0]!.labels[0]!.value, "abc");
    assert.equal(all.find((t) => t.labels[0]!.value === "h")!.histograms[0]!.count.value, 2n);

    const r2 = await receiver();
    await send(store(r2.url, "send_exemplars = false"));
    await eventually(() => r2.requests.length > 0, 5000, "a request");
    await new Promise((res) => setTimeout(res, 100));
    const only = r2.requests.flatMap((q) => q.request.timeseries);
    assert.deepEqual(only.map((t) => [t.labels[0]!.value, t.samples.length, t.exemplars.length, t.histograms.length]), [["c_total", 1, 0, 0]]);
  });

  test("basic_auth and bearer_token set Authorization; files are read at send time", async () => {
    const r = await receiver();
    const s = store(r.url, `basic_auth {\n username = "u"\n password = "p@ss"\n }`);
    await s.write([[series("auth"), 1, 1]]);
    await eventually(() => r.requests.length === 1, 5000, "request");
    assert.equal(r.requests[0]!.headers.authorization, `Basic ${btoa("u:p@ss")}`);

    const r2 = await receiver();
    const s2 = store(r2.url, `bearer_token = "tok"`);
    await s2.write([[series("auth"), 1, 1]]);
    await eventually(() => r2.requests.length === 1, 5000, "request");
    assert.equal(r2.requests[0]!.headers.authorization, "Bearer tok");

    const r3 = await receiver();
    const file = join(tempDir(), "token");
    writeFileSync(file, "first\n");
    const s3 = store(r3.url, `bearer_token_file = "${file}"`);
    await s3.write([[series("auth"), 1, 1]]);
    await eventually(() => r3.requests.length === 1, 5000, "request");
    writeFileSync(file, "rotated\n");
    await s3.write([[series("auth"), 2, 1]]);
    await eventually(() => r3.requests.length === 2, 5000, "second request");
    assert.deepEqual(r3.requests.map((q) => q.headers.authorization), ["Bearer first", "Bearer rotated"]);
  });
});

describe("configuration", () => {
  test("validation messages name the setting", () => {
    const errors = (body: string) => decodeArgs(body).errors;
    assert.deepEqual(errors(`endpoint { url = "prometheus:9090" }`), ['url "prometheus:9090" is not a valid http:// or https:// URL']);
    assert.deepEqual(errors(`endpoint {\n url = "http://p/w"\n bearer_token = "t"\n basic_auth { username = "u" }\n}`), ["at most one of sigv4, azuread, google_iam, basic_auth, oauth2, bearer_token & bearer_token_file must be configured"]);
    assert.deepEqual(errors(`endpoint {\n url = "http://p/w"\n headers = { "Content-Encoding" = "gzip" }\n}`), ["Content-Encoding is a reserved header. It must not be changed"]);
    assert.deepEqual(errors(`endpoint {\n url = "http://p/w"\n queue_config { max_shards = 0 }\n}`), ["max_shards must be greater than or equal to min_shards"]);
    assert.deepEqual(errors(`wal {\n min_keepalive_time = "1h"\n max_keepalive_time = "1h"\n}`), ["min_keepalive_time must be smaller than max_keepalive_time"]);
    assert.deepEqual(errors(`wal { truncate_frequency = "0s" }`), ["truncate_frequency must not be 0"]);
    assert.deepEqual(errors(`endpoint { url = "http://p/w" }\nendpoint { url = "http://p/w" }`), ["duplicate remote write configs are not allowed, found duplicate for URL: http://p/w"]);
    assert.deepEqual(errors(`endpoint {\n url = "http://p/w"\n protobuf_message = "v3"\n}`).length, 1);
    assert.match(errors(`endpoint {\n url = "http://p/w"\n write_relabel_config {\n action = "drop"\n }\n}`)[0]!, /write_relabel_config is not supported/);
    assert.deepEqual(decodeArgs(`endpoint {\n url = "http://p/w"\n enable_http2 = true\n}`).warnings, ['"enable_http2" has no effect in solder: requests use the runtime\'s fetch, which picks the HTTP version itself']);
  });

  test("defaults follow Alloy's", () => {
    const { args, errors } = decodeArgs(`endpoint { url = "http://p/w" }`);
    assert.deepEqual(errors, []);
    const e = args.endpoint[0]!;
    assert.deepEqual(e.queue_config, { capacity: 10000, max_shards: 50, min_shards: 1, max_samples_per_send: 2000, batch_send_deadline: 5000, min_backoff: 30, max_backoff: 5000, retry_on_http_429: true, sample_age_limit: 0 });
    assert.deepEqual(e.metadata_config, { send: true, send_interval: 60_000, max_samples_per_send: 2000 });
    assert.deepEqual([e.remote_timeout, e.send_exemplars, e.send_native_histograms, e.protobuf_message], [30_000, true, false, "prometheus.WriteRequest"]);
    assert.deepEqual(args.wal, { truncate_frequency: 7_200_000, min_keepalive_time: 300_000, max_keepalive_time: 28_800_000 });
  });

  test("https with tls_config (ca_pem)", { skip: !runtimeName().startsWith("bun") && "fetch takes per-request TLS options only on Bun" }, async () => {
    const r = await new FakeReceiver().start(0, { cert: TEST_CERT, key: TEST_KEY });
    receivers.push(r);
    const s = store(r.url, `tls_config {\n ca_pem = ${JSON.stringify(TEST_CERT)}\n }`);
    await s.write([[series("tls"), 1, 1]]);
    await eventually(() => r.accepted().length === 1, 5000, "the sample over https");
  });
});

describe("status handling", () => {
  test("500 is retried with backoff until it succeeds; nothing is lost or duplicated", async () => {
    const r = await receiver();
    r.script = [{ status: 500, body: "boom" }, { status: 503 }, { status: 502 }];
    const s = store(r.url);
    await s.write([[series("retry"), 1, 1], [series("retry", 1), 1, 2]]);
    await eventually(() => metricValue(s.metrics, "prometheus_remote_storage_samples_total{") === 2, 5000, "sent after retries");
    assert.equal(r.accepted().length, 2);
    assert.deepEqual(r.requests.map((q) => q.status), [500, 503, 502, 204]);
    assert.equal(metricValue(s.metrics, "prometheus_remote_storage_samples_retried_total{"), 6);
    assert.equal(metricValue(s.metrics, "prometheus_remote_storage_samples_total{"), 2);
    assert.equal(metricValue(s.metrics, "prometheus_remote_storage_samples_failed_total{"), 0);
    assert.ok(s.logs.some((l) => l.includes("Failed to send batch, retrying") && l.includes("500")), s.logs.join("\n"));
  });

  test("429 is retried with retry_on_http_429 (honouring Retry-After) and dropped without it", async () => {
    const r = await receiver();
    r.script = [{ status: 429, headers: { "Retry-After": "0" } }];
    const s = store(r.url);
    await s.write([[series("throttled"), 1, 1]]);
    await eventually(() => r.accepted().length === 1, 5000, "accepted after 429");
    assert.deepEqual(r.requests.map((q) => q.status), [429, 204]);

    const r2 = await receiver();
    r2.script = [{ status: 429 }];
    const s3 = startStore(`endpoint {
  url = "${r2.url}"
  queue_config {
    batch_send_deadline = "20ms"
    retry_on_http_429 = false
  }
}`);
    stores.push(s3);
    await s3.write([[series("throttled"), 1, 1]]);
    await eventually(() => s3.logs.some((l) => l.includes("non-recoverable error")), 5000, "the drop");
    await s3.write([[series("throttled"), 2, 2]]);
    await eventually(() => metricValue(s3.metrics, "prometheus_remote_storage_samples_total{") === 1, 5000, "the next batch");
    assert.deepEqual(r2.accepted(), ["__name__=throttled,i=0 2@2"]);
    assert.equal(metricValue(s3.metrics, "prometheus_remote_storage_samples_failed_total{"), 1);
  });

  test("400 drops the batch with an error log naming its series; later batches go on", async () => {
    const r = await receiver();
    r.script = [{ status: 400, body: "out of order sample" }];
    const s = store(r.url);
    await s.write([[series("bad", 1), 5, 1], [series("bad", 2), 5, 1]]);
    await eventually(() => s.logs.some((l) => l.includes("non-recoverable error")), 5000, "the drop");
    const line = s.logs.find((l) => l.includes("non-recoverable error"))!;
    assert.match(line, /level=error/);
    assert.match(line, /400/);
    assert.match(line, /out of order sample/);
    assert.match(line, /__name__=\\"bad\\", i=\\"1\\"/);
    assert.match(line, /count=2/);
    await s.write([[series("good"), 6, 1]]);
    await eventually(() => r.accepted().length === 1, 5000, "next batch");
    assert.deepEqual(r.requests.map((q) => q.status), [400, 204]);
  });

  test("an endpoint that is down (connection refused) gets everything once it is back", async () => {
    const r = await receiver();
    const port = r.port;
    await r.close();
    const s = store(r.url);
    for (let t = 1; t <= 5; t++) await s.write([[series("outage"), t, t]]);
    await eventually(() => s.logs.some((l) => l.includes("Failed to send batch")), 5000, "a failed attempt");
    const back = await new FakeReceiver().start(port);
    receivers.push(back);
    await eventually(() => back.accepted().length === 5, 10_000, "all five after recovery");
    assert.deepEqual(back.accepted().map((l) => l.split("@")[1]), ["1", "2", "3", "4", "5"]);
  });

  test("remote_timeout ends a hanging request, which is then retried", async () => {
    const r = await receiver();
    r.script = [{ status: 0 }]; // never answered
    const s = store(r.url, `remote_timeout = "100ms"`);
    await s.write([[series("slow"), 1, 1]]);
    await eventually(() => r.accepted().length === 1 && r.requests.length === 2, 5000, "the retry");
    assert.ok(s.logs.some((l) => l.includes("timed out (remote_timeout)")), s.logs.join("\n"));
  });

  test("sample_age_limit drops samples older than the limit before sending", async () => {
    const r = await receiver();
    const aged = startStore(`endpoint {\n url = "${r.url}"\n queue_config {\n batch_send_deadline = "20ms"\n sample_age_limit = "1h"\n }\n}`);
    stores.push(aged);
    await aged.write([[series("aged"), Date.now() - 2 * 3600_000, 1], [series("fresh"), Date.now(), 2]]);
    await eventually(() => r.accepted().length === 1, 5000, "the fresh sample");
    assert.match(r.accepted()[0]!, /^__name__=fresh/);
    assert.equal(metricValue(aged.metrics, "prometheus_remote_storage_samples_dropped_total{"), 1);
  });

  test("metadata is sent every send_interval (remote write 1.0, WriteRequest.metadata)", async () => {
    const r = await receiver();
    const s = store(r.url, `metadata_config { send_interval = "50ms" }`);
    const app = s.store.appendable.appender();
    app.append(series("http_requests_total"), 1, 1);
    app.updateMetadata("http_requests", { type: "counter", help: "Requests served.", unit: "" });
    await app.commit();
    await eventually(() => r.requests.some((q) => q.request.metadata.length > 0), 5000, "a metadata request");
    const m = r.requests.find((q) => q.request.metadata.length > 0)!.request;
    assert.deepEqual(m.timeseries, []);
    assert.deepEqual(m.metadata.map((x) => [x.type, x.metricFamilyName, x.help]), [[1, "http_requests", "Requests served."]]);
    // The sender counts after the response arrives, so the counter may trail the request.
    await eventually(() => (metricValue(s.metrics, "prometheus_remote_storage_metadata_total{") ?? 0) >= 1, 5000, "the metadata counter");
  });

  test("remote write 2.0 falls back to 1.0 when the receiver is a 1.x one", async () => {
    const r = await receiver();
    const s = store(r.url, `protobuf_message = "io.prometheus.write.v2.Request"`);
    await s.write([[series("v2"), 1, 1]]);
    await eventually(() => r.accepted().length === 1, 5000, "the sample, in 1.0");
    assert.equal(r.requests[0]!.headers["content-type"], "application/x-protobuf;proto=io.prometheus.write.v2.Request");
    assert.equal(r.requests[0]!.headers["x-prometheus-remote-write-version"], "2.0.0");
    assert.equal(r.requests[1]!.headers["content-type"], "application/x-protobuf");
    assert.ok(s.logs.some((l) => l.includes("falling back to 1.0")));
  });

  test("a 2.0 receiver that reports what it wrote keeps getting 2.0", async () => {
    const r = await receiver();
    r.script = [{ status: 204, headers: { "X-Prometheus-Remote-Write-Samples-Written": "1" } }, { status: 204, headers: { "X-Prometheus-Remote-Write-Samples-Written": "1" } }];
    const s = store(r.url, `protobuf_message = "io.prometheus.write.v2.Request"`);
    await s.write([[series("v2"), 1, 1]]);
    await eventually(() => r.requests.length === 1, 5000, "first");
    await s.write([[series("v2"), 2, 1]]);
    await eventually(() => r.requests.length === 2, 5000, "second");
    assert.ok(r.requests.every((q) => q.headers["x-prometheus-remote-write-version"] === "2.0.0"));
  });
});
