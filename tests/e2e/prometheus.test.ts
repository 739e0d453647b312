// prometheus.remote_write end to end against a REAL Prometheus (Debian's package, 2.42, with
// --web.enable-remote-write-receiver; prometheus-backend.md), driven through the real solder
// process: OTLP in (the official OpenTelemetry JS SDK exporter, or OTLP/HTTP protobuf requests
// built with the project's generated code when exact timestamps matter) → otelcol.receiver.otlp
// → otelcol.exporter.prometheus → prometheus.remote_write → Prometheus, read back through
// Prometheus's HTTP API. Covers: exact values and labels; a stale marker; Prometheus down for a
// while, then up; solder SIGKILLed and restarted on the same --storage.path, with Prometheus
// down and while sending; a 400 from Prometheus (dropped, logged with the series); remote
// write 2.0 falling back to 1.0 (2.42 is a 1.x receiver); an unwritable storage path (unhealthy). Skips when no prometheus binary is installed (.ci/run
// installs it, so CI never skips); $PROMETHEUS may name the binary.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { ExportMetricsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { builtinRegistry } from "../../src/components/all.ts";
import { PROMETHEUS, type Prom, query, samples, startPrometheus as startPrometheusIn, stopAllPrometheus } from "../helpers/prometheus.ts";
import { type Running, eventually, freePort, startSolder } from "../helpers/solder.ts";

const SKIP = PROMETHEUS ? false : "no prometheus binary (apt-get install prometheus, or set PROMETHEUS); .ci/run installs it";
const dir = mkdtempSync(join(tmpdir(), "solder-e2e-prom-"));

const solders: Running[] = [];
after(async () => {
  for (const s of solders) await s.stop("SIGKILL");
  await stopAllPrometheus();
});

const startPrometheus = (port: number): Promise<Prom> => startPrometheusIn(port, dir);

// ---- solder ----------------------------------------------------------------------------------

function pipeline(promPort: number, extra = ""): string {
  return `otelcol.receiver.otlp "in" {
	http {
		endpoint = "127.0.0.1:0"
	}
	output {
		metrics = [otelcol.exporter.prometheus.conv.input]
	}
}

otelcol.exporter.prometheus "conv" {
	forward_to = [prometheus.remote_write.prom.receiver]
}

prometheus.remote_write "prom" {
	external_labels = { e2e = "solder" }
	endpoint {
		url = "http://127.0.0.1:${promPort}/api/v1/write"
		queue_config {
			batch_send_deadline = "100ms"
			min_backoff         = "50ms"
			max_backoff         = "500ms"
		}
		${extra}
	}
}
`;
}

interface Solder {
  r: Running;
  otlp: string;
}

/** Runs solder on `config` with `storage`; resolves once the OTLP receiver listens. */
async function runSolder(config: string, storage: string, name = "config.alloy"): Promise<Solder> {
  const path = join(dir, name);
  writeFileSync(path, config);
  const r = await startSolder([`--storage.path=${storage}`, path]);
  solders.push(r);
  let otlp = "";
  await eventually(() => {
    const m = /msg="starting HTTP server" .*endpoint=(\S+)/.exec(r.stderr());
    if (m) otlp = `http://${m[1]}`;
    return otlp !== "";
  }, 15_000, "the OTLP receiver").catch((err: Error) => {
    throw new Error(`${err.message}\n${r.stderr()}`);
  });
  return { r, otlp };
}

/** One OTLP/HTTP protobuf request: gauge points of `name` (one per entry), from service e2e-wal. */
function gaugeRequest(name: string, points: Array<{ ts: number; value: number; attrs?: Record<string, string>; noValue?: boolean }>): Uint8Array {
  const dataPoints = points.map((p) => ({
    timeUnixNano: BigInt(p.ts) * 1_000_000n,
    value: { case: "asDouble" as const, value: p.value },
    flags: p.noValue ? 1 : 0,
    attributes: Object.entries(p.attrs ?? {}).map(([key, v]) => ({ key, value: { value: { case: "stringValue" as const, value: v } } })),
  }));
  const resource = { attributes: [{ key: "service.name", value: { value: { case: "stringValue" as const, value: "e2e-wal" } } }] };
  return toBinary(
    ExportMetricsServiceRequestSchema,
    create(ExportMetricsServiceRequestSchema, { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: "e2e" }, metrics: [{ name, data: { case: "gauge", value: { dataPoints } } }] }] }] }),
  );
}

/** POSTs OTLP; resolves with the HTTP status. */
async function post(s: Solder, body: Uint8Array): Promise<number> {
  const res = await fetch(`${s.otlp}/v1/metrics`, { method: "POST", headers: { "Content-Type": "application/x-protobuf" }, body: body as BodyInit });
  await res.arrayBuffer();
  return res.status;
}

/** `count` series of `name`, `points` samples each, one second apart, ending a minute ago; sent one request per timestamp. */
async function sendSeries(s: Solder, name: string, count: number, points: number, base: number): Promise<void> {
  for (let k = 0; k < points; k++) {
    const batch = Array.from({ length: count }, (_, i) => ({ ts: base + k * 1000, value: i * 1000 + k, attrs: { series: String(i) } }));
    assert.equal(await post(s, gaugeRequest(name, batch)), 200, `request ${k} acknowledged`);
  }
}

/** Asserts that every series of `name` holds exactly the `points` samples sendSeries wrote. */
async function assertAllArrived(p: Prom, name: string, count: number, points: number, base: number, ms = 60_000): Promise<void> {
  const at = base + points * 1000;
  await eventually(async () => Number((await query(p, `count(count_over_time(${name}[10m]) == ${points})`, at / 1000))[0]?.value?.[1] ?? 0) === count, ms, `${count}×${points} samples of ${name}`).catch(async (err: Error) => {
    const got = await query(p, `count_over_time(${name}[10m])`, at / 1000);
    throw new Error(`${err.message}; per series: ${JSON.stringify(got.map((v) => [v.metric.series, v.value?.[1]]))}`);
  });
  for (const i of [0, count - 1]) {
    const got = await samples(p, `${name}{series="${i}"}`, at);
    assert.deepEqual(got, Array.from({ length: points }, (_, k) => [base + k * 1000, String(i * 1000 + k)]), `series ${i}`);
  }
}

// ---- tests -----------------------------------------------------------------------------------

describe("prometheus.remote_write → a real Prometheus", () => {
  test("the pipeline's components are registered", { skip: SKIP }, () => {
    const names = builtinRegistry().names();
    for (const name of ["otelcol.receiver.otlp", "otelcol.exporter.prometheus", "prometheus.remote_write"]) {
      assert.ok(names.includes(name), `${name} is not registered in src/components/all.ts; these tests feed prometheus.remote_write through it`);
    }
  });

  test("metrics from the OpenTelemetry SDK arrive with exact values and labels", { skip: SKIP }, async () => {
    const prom = await startPrometheus(await freePort());
    const s = await runSolder(pipeline(prom.port), join(dir, "data-sdk"), "sdk.alloy");
    const exporter = new OTLPMetricExporter({ url: `${s.otlp}/v1/metrics` });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ "service.name": "e2e-sdk", "service.instance.id": "i-1" }), readers: [reader] });
    const meter = provider.getMeter("e2e-meter", "1.2.3");
    const requests = meter.createCounter("e2e.requests");
    requests.add(5, { route: "/a" });
    requests.add(2, { route: "/b" });
    requests.add(1, { route: "/a" });
    meter.createGauge("e2e.temperature", { unit: "Cel" }).record(21.5, { room: "lab" });
    await reader.forceFlush();
    await provider.shutdown();

    await eventually(async () => (await query(prom, `e2e_requests_total{route="/a"}`)).length === 1, 15_000, "the counter in Prometheus");
    const [a] = await query(prom, `e2e_requests_total{route="/a"}`);
    assert.equal(a!.value![1], "6");
    assert.deepEqual(a!.metric, { __name__: "e2e_requests_total", e2e: "solder", instance: "i-1", job: "e2e-sdk", otel_scope_name: "e2e-meter", otel_scope_version: "1.2.3", route: "/a" });
    assert.equal((await query(prom, `e2e_requests_total{route="/b"}`))[0]!.value![1], "2");
    await eventually(async () => (await query(prom, `e2e_temperature_celsius`)).length === 1, 15_000, "the gauge");
    assert.equal((await query(prom, `e2e_temperature_celsius{room="lab", job="e2e-sdk"}`))[0]!.value![1], "21.5");
    assert.match(await (await fetch(`${s.r.url}/metrics`)).text(), /^prometheus_remote_storage_samples_total\{.*remote_name=.*\} [1-9]\d*$/m);
  });

  test("a stale marker (OTLP no-recorded-value) ends the series in Prometheus", { skip: SKIP }, async () => {
    const prom = await startPrometheus(await freePort());
    const s = await runSolder(pipeline(prom.port), join(dir, "data-stale"), "stale.alloy");
    const t = Date.now() - 30_000;
    assert.equal(await post(s, gaugeRequest("e2e_stale", [{ ts: t, value: 7 }])), 200);
    assert.equal(await post(s, gaugeRequest("e2e_stale", [{ ts: t + 1000, value: 0, noValue: true }])), 200);
    await eventually(async () => (await query(prom, "e2e_stale", (t + 500) / 1000))[0]?.value?.[1] === "7", 15_000, "the value");
    // Without the marker (or with a plain NaN instead of StaleNaN) the 5-minute lookback would
    // still find a value here; range selectors never return stale markers themselves.
    await eventually(async () => (await query(prom, "e2e_stale", (t + 2000) / 1000)).length === 0, 15_000, "the series to end at the marker").catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await query(prom, "e2e_stale", (t + 2000) / 1000))}`);
    });
    assert.deepEqual(await samples(prom, "e2e_stale", t + 2000), [[t, "7"]]);
  });

  test("Prometheus down for a while, then up: every acknowledged sample arrives", { skip: SKIP }, async () => {
    const port = await freePort();
    const s = await runSolder(pipeline(port), join(dir, "data-outage"), "outage.alloy");
    const base = Date.now() - 90_000;
    await sendSeries(s, "e2e_outage", 20, 30, base);
    await eventually(() => s.r.stderr().includes("Failed to send batch, retrying"), 10_000, "failed attempts while Prometheus is down");
    await new Promise((r) => setTimeout(r, 1500));
    const prom = await startPrometheus(port);
    await assertAllArrived(prom, "e2e_outage", 20, 30, base);
  });

  test("solder SIGKILLed while Prometheus is down, restarted on the same storage path: every acknowledged sample arrives", { skip: SKIP }, async () => {
    const port = await freePort();
    const storage = join(dir, "data-kill-down");
    const first = await runSolder(pipeline(port), storage, "kill-down.alloy");
    const base = Date.now() - 90_000;
    await sendSeries(first, "e2e_kill_down", 20, 30, base);
    first.r.proc.kill("SIGKILL");
    await first.r.exited;
    const prom = await startPrometheus(port);
    await runSolder(pipeline(port), storage, "kill-down.alloy");
    await assertAllArrived(prom, "e2e_kill_down", 20, 30, base);
  });

  test("solder SIGKILLed in the middle of sending, restarted: every acknowledged sample arrives, no batch is refused", { skip: SKIP }, async () => {
    const prom = await startPrometheus(await freePort());
    const storage = join(dir, "data-kill-live");
    // Small batches and several shards, so that the kill lands between requests of different shards.
    const extra = `queue_config {\n\t\t\tmax_samples_per_send = 50\n\t\t\tmin_shards = 4\n\t\t\tmax_shards = 4\n\t\t\tbatch_send_deadline = "10ms"\n\t\t}`;
    const config = pipeline(prom.port).replace(/queue_config \{[^}]*\}/, extra);
    const first = await runSolder(config, storage, "kill-live.alloy");
    const base = Date.now() - 120_000;
    // Requests 0..40 are acknowledged; the kill follows the last acknowledgement at once.
    const acknowledged = 41;
    for (let k = 0; k < acknowledged; k++) {
      const batch = Array.from({ length: 40 }, (_, i) => ({ ts: base + k * 1000, value: i * 1000 + k, attrs: { series: String(i) } }));
      assert.equal(await post(first, gaugeRequest("e2e_kill_live", batch)), 200);
    }
    first.r.proc.kill("SIGKILL");
    await first.r.exited;
    assert.ok((await query(prom, "count_over_time(e2e_kill_live[10m])", (base + acknowledged * 1000) / 1000)).length > 0, "some samples were sent before the kill");
    const again = await runSolder(config, storage, "kill-live.alloy");
    await assertAllArrived(prom, "e2e_kill_live", 40, acknowledged, base);
    assert.doesNotMatch(again.r.stderr(), /non-recoverable error/, "no batch was refused (a resend mixing old and new samples would be)");
  });

  test("a 400 from Prometheus drops that batch with an error log naming the series; later samples still arrive", { skip: SKIP }, async () => {
    const prom = await startPrometheus(await freePort());
    const s = await runSolder(pipeline(prom.port), join(dir, "data-400"), "bad.alloy");
    const t = Date.now() - 30_000;
    assert.equal(await post(s, gaugeRequest("e2e_duplicate", [{ ts: t, value: 1 }])), 200);
    await eventually(async () => (await samples(prom, "e2e_duplicate", t + 1000)).length === 1, 15_000, "the first sample");
    // Same timestamp, another value: Prometheus answers 400 "duplicate sample for timestamp".
    assert.equal(await post(s, gaugeRequest("e2e_duplicate", [{ ts: t, value: 2 }])), 200);
    await eventually(() => /non-recoverable error/.test(s.r.stderr()), 15_000, "the error log");
    const line = s.r.stderr().split("\n").find((l) => l.includes("non-recoverable error"))!;
    assert.match(line, /level=error/);
    assert.match(line, /400/);
    assert.match(line, /duplicate sample for timestamp/);
    assert.match(line, /__name__=\\"e2e_duplicate\\"/);
    assert.equal(await post(s, gaugeRequest("e2e_duplicate", [{ ts: t + 1000, value: 3 }])), 200);
    await eventually(async () => (await samples(prom, "e2e_duplicate", t + 2000)).length === 2, 15_000, "the next sample");
    assert.deepEqual(await samples(prom, "e2e_duplicate", t + 2000), [[t, "1"], [t + 1000, "3"]]);
  });

  test("remote write 2.0 against Prometheus 2.42 (a 1.x receiver) falls back to 1.0 and nothing is lost", { skip: SKIP }, async () => {
    const prom = await startPrometheus(await freePort());
    const s = await runSolder(pipeline(prom.port, `protobuf_message = "io.prometheus.write.v2.Request"`), join(dir, "data-v2"), "v2.alloy");
    const t = Date.now() - 30_000;
    assert.equal(await post(s, gaugeRequest("e2e_v2", [{ ts: t, value: 2.5 }])), 200);
    await eventually(async () => (await samples(prom, "e2e_v2", t + 1000)).length === 1, 15_000, "the sample");
    assert.deepEqual(await samples(prom, "e2e_v2", t + 1000), [[t, "2.5"]]);
    assert.match(s.r.stderr(), /level=warn .*falling back to 1\.0/);
  });

  test("an unwritable storage path: clear error, the component is unhealthy, OTLP is refused", { skip: SKIP }, async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "not a directory");
    const s = await runSolder(pipeline(await freePort()), file, "unwritable.alloy");
    const status = await post(s, gaugeRequest("e2e_nowhere", [{ ts: Date.now(), value: 1 }]));
    assert.notEqual(status, 200);
    const detail = (await (await fetch(`${s.r.url}/api/v0/web/components/prometheus.remote_write.prom`)).json()) as { health: { state: string; message: string } };
    assert.equal(detail.health.state, "unhealthy");
    assert.match(detail.health.message, /cannot open the WAL in .*a-file\/prometheus\.remote_write\.prom\/wal: ENOTDIR/);
    assert.match(s.r.stderr(), /level=error .*cannot open the WAL/);
  });
});
