// THE SEED PIPELINE end to end (examples/seed-pipeline.alloy, the tutorial's pipeline): run by
// the real solder process with nothing changed but addresses — the OTLP receiver on
// 127.0.0.1:0 (ports read back from solder), Loki and Tempo replaced by OTLP/HTTP test sinks,
// Prometheus by a REAL Prometheus with the remote-write receiver. Driven by the official
// OpenTelemetry JS SDK exporters (tests/e2e/emitter.ts), twice: once with
// deployment.environment and service.version on the resource (OTLP/HTTP protobuf), once
// without them (OTLP/gRPC); both say host.name = "app-host". Checks what each backend got:
// resourcedetection's host.name/os.type override on traces (POSTed to <tempo>/v1/traces/v1/traces,
// as Alloy does), logs and target_info; the transform's data point labels, present exactly when
// the resource had the attribute; the Prometheus names of the SDK's instruments; and
// traces_host_info, which the seed's host_info connector only flushes every 60 s or at shutdown,
// so solder is stopped (SIGTERM) and the last flush must reach Prometheus through batch →
// otelcol.exporter.prometheus → prometheus.remote_write before solder exits. Also /-/healthy
// and `solder validate` on the seed. Skips when no prometheus binary is installed (.ci/run
// installs it); $PROMETHEUS may name the binary.

import { runEmitter } from "../helpers/emitter.ts";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KeyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { ResourceLogs } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { ResourceSpans } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { type HttpSink, startHttpSink } from "../helpers/otlp_sink.ts";
import { PROMETHEUS, type Prom, type Vector, query, startPrometheus, stopAllPrometheus } from "../helpers/prometheus.ts";
import { type Running, eventually, freePort, solderCommand, startSolder } from "../helpers/solder.ts";
import { anyOf, hex } from "../helpers/otlp_canonical.ts";
import type { Any, Attr, EmitterReport, LogItem, SpanItem } from "./emitter.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const SEED = `${root}examples/seed-pipeline.alloy`;
const SKIP = PROMETHEUS ? false : "no prometheus binary (apt-get install prometheus, or set PROMETHEUS); .ci/run installs it";
/** What the seed's system detector (hostname_sources = ["os"]) finds: the gateway's host. */
const GATEWAY_HOST = hostname();

// The two emitter runs: both set host.name (the app's idea of its host) and a service.name of
// their own, so every Prometheus series says by its job label which run it came from.
const FULL = { service: "seed-full", environment: "staging", version: "4.5.6" };
const BARE = { service: "seed-bare" };

const dir = mkdtempSync(join(tmpdir(), "solder-e2e-seed-"));
let prom: Prom;
let loki: HttpSink;
let tempo: HttpSink;
let solder: Running;
let startedAt = 0;
let otlp = { http: 0, grpc: 0 };
const reports: { full?: EmitterReport; bare?: EmitterReport } = {};
const children = new Set<ChildProcess>();

// ---- the seed, addresses changed ---------------------------------------------------------------

/** Replaces `from` (which must occur exactly once) with `to`. */
function replaceOnce(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `the seed has exactly one ${JSON.stringify(from)}`);
  return text.replace(from, () => to);
}

/** The seed with only its addresses changed: the receiver on 127.0.0.1:0, the backends to the test's. */
function seedConfig(): string {
  let c = readFileSync(SEED, "utf8");
  c = replaceOnce(c, "\tgrpc { }\n", `\tgrpc {\n\t\tendpoint = "127.0.0.1:0"\n\t}\n`);
  c = replaceOnce(c, "\thttp { }\n", `\thttp {\n\t\tendpoint = "127.0.0.1:0"\n\t}\n`);
  c = replaceOnce(c, `"http://loki:3100/otlp"`, `"${loki.url}/otlp"`);
  c = replaceOnce(c, `"http://tempo/v1/traces"`, `"${tempo.url}/v1/traces"`);
  c = replaceOnce(c, `"http://prometheus:9090/api/v1/write"`, `"${prom.url}/api/v1/write"`);
  return c;
}

/** The ports the seed's receiver bound: its debug info in the components API, else its log lines. */
async function boundPorts(r: Running): Promise<{ grpc: number; http: number } | undefined> {
  const id = "otelcol.receiver.otlp.default";
  const found: Record<string, string> = {};
  try {
    const detail = (await (await fetch(`${r.url}/api/v0/web/components/${id}`)).json()) as { debugInfo?: { name: string; value: { value: unknown } }[] };
    for (const d of detail.debugInfo ?? []) if (typeof d.value?.value === "string") found[d.name] = d.value.value;
  } catch {
    // fall back to the log
  }
  for (const line of r.stderr().split("\n")) {
    const m = /msg="starting (GRPC|HTTP) server" .*component_id=(\S+) endpoint=(\S+)/.exec(line);
    if (m && m[2] === id) found[m[1]!.toLowerCase()] ??= m[3]!;
  }
  const port = (a: string | undefined) => (a === undefined ? 0 : Number(a.slice(a.lastIndexOf(":") + 1)));
  const ports = { grpc: port(found.grpc), http: port(found.http) };
  return ports.grpc > 0 && ports.http > 0 ? ports : undefined;
}

// ---- the emitter -------------------------------------------------------------------------------

/** Runs the SDK emitter (cumulative metrics, so that every instrument becomes Prometheus series). */
async function emit(flavour: "proto" | "grpc", resource: string, tag: string): Promise<EmitterReport> {
  const args = ["--flavour", flavour, "--gzip", "off", "--http", `http://127.0.0.1:${otlp.http}`, "--grpc", `http://127.0.0.1:${otlp.grpc}`];
  args.push("--signals", "traces,metrics,logs", "--tag", tag, "--resource", resource, "--temporality", "cumulative");
  const { report, code, stderr: err } = await runEmitter(args, { timeoutMs: 30_000, label: tag, children });
  assert.deepEqual(report.results, { traces: 0, metrics: 0, logs: 0 }, `emitter (${tag}) had failed exports: ${JSON.stringify(report.errors)}\n${err}`);
  assert.equal(code, 0, err);
  return report;
}

// ---- what the sinks decoded --------------------------------------------------------------------


/** Attributes as a key → canonical value map (the comparison ignores order). */
function attrMap(kvs: KeyValue[] | Attr[]): Record<string, Any> {
  const out: Record<string, Any> = {};
  for (const kv of kvs) {
    if (Array.isArray(kv)) out[kv[0]] = kv[1];
    else out[kv.key] = anyOf(kv.value);
  }
  return out;
}

interface GotSpan {
  resource: Record<string, Any>;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  kind: number;
  start: string;
  end: string;
  attributes: Record<string, Any>;
  status: { code: number; message: string };
}

function receivedSpans(sink: HttpSink): GotSpan[] {
  return sink.requests.flatMap((r) =>
    (r.batch().full() as ResourceSpans[]).flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((s) => ({
          resource: attrMap(rs.resource?.attributes ?? []),
          name: s.name,
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          kind: s.kind,
          start: s.startTimeUnixNano.toString(),
          end: s.endTimeUnixNano.toString(),
          attributes: attrMap(s.attributes),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? "" },
        })),
      ),
    ),
  );
}

function expectedSpan(s: SpanItem): GotSpan {
  return {
    resource: detected(s.resource),
    name: s.name,
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    kind: s.kind,
    start: s.start,
    end: s.end,
    attributes: attrMap(s.attributes),
    status: s.status,
  };
}

interface GotLog {
  resource: Record<string, Any>;
  time: string;
  severityNumber: number;
  body: Any;
  attributes: Record<string, Any>;
  traceId: string;
  spanId: string;
}

function receivedLogs(sink: HttpSink): GotLog[] {
  return sink.requests.flatMap((r) =>
    (r.batch().full() as ResourceLogs[]).flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) =>
        sl.logRecords.map((l) => ({
          resource: attrMap(rl.resource?.attributes ?? []),
          time: l.timeUnixNano.toString(),
          severityNumber: l.severityNumber,
          body: anyOf(l.body),
          attributes: attrMap(l.attributes),
          traceId: hex(l.traceId),
          spanId: hex(l.spanId),
        })),
      ),
    ),
  );
}

function expectedLog(l: LogItem): GotLog {
  return { resource: detected(l.resource), time: l.time, severityNumber: l.severityNumber, body: l.body, attributes: attrMap(l.attributes), traceId: l.traceId, spanId: l.spanId };
}

/** The resource after the seed's resourcedetection: host.name is the gateway's, os.type added. */
function detected(resource: Attr[]): Record<string, Any> {
  return { ...attrMap(resource), "host.name": { s: GATEWAY_HOST }, "os.type": { s: "linux" } };
}

const byId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
const byTime = (a: { time: string; severityNumber: number }, b: { time: string; severityNumber: number }) => a.time.localeCompare(b.time) || a.severityNumber - b.severityNumber;

/** A bucket bound as a number (+Inf included). */
const le = (bound: string): number => (bound === "+Inf" ? Infinity : Number(bound));

// ---- setup -------------------------------------------------------------------------------------

before(async () => {
  if (SKIP) return;
  [loki, tempo] = [await startHttpSink(), await startHttpSink()];
  prom = await startPrometheus(await freePort(), dir);
  const path = join(dir, "seed.alloy");
  writeFileSync(path, seedConfig());
  startedAt = Date.now();
  // No OTEL_RESOURCE_ATTRIBUTES from the test's environment for the env detector.
  solder = await startSolder([`--storage.path=${join(dir, "data")}`, path], { env: { OTEL_RESOURCE_ATTRIBUTES: "" } });
  let ports: { grpc: number; http: number } | undefined;
  await eventually(async () => (ports = await boundPorts(solder)) !== undefined, 15_000, "the seed's receiver listening").catch((err: Error) => {
    throw new Error(`${err.message}\nsolder stderr:\n${solder.stderr()}`);
  });
  otlp = ports!;
  reports.full = await emit("proto", `service.name=${FULL.service},deployment.environment=${FULL.environment},service.version=${FULL.version},host.name=app-host`, "full");
  reports.bare = await emit("grpc", `service.name=${BARE.service},-service.version,host.name=app-host`, "bare");
});

after(async () => {
  for (const c of children) c.kill("SIGKILL");
  if (solder) await solder.stop("SIGKILL");
  await stopAllPrometheus();
  for (const s of [loki, tempo]) await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---- tests -------------------------------------------------------------------------------------

describe("the seed pipeline, unchanged but for addresses", () => {
  // Needs no Prometheus: runs even where the rest skips.
  test("solder validate accepts the seed with only the known tempo warning", () => {
    const [cmd, ...pre] = solderCommand();
    const r = spawnSync(cmd!, [...pre, "validate", SEED], { cwd: root, encoding: "utf8", timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) => /warning|error/i.test(l));
    assert.deepEqual(warnings, [
      `Warning: ${SEED}:77:1: client endpoint "http://tempo/v1/traces" already ends in /v1/traces; traces are sent to http://tempo/v1/traces/v1/traces (as Alloy does). Use traces_endpoint to give the full URL`,
    ]);
  });

  test("solder runs it and is healthy", { skip: SKIP }, async () => {
    const res = await fetch(`${solder.url}/-/healthy`);
    assert.equal(res.status, 200, await res.text());
    assert.doesNotMatch(solder.stderr(), /level=error/);
  });

  test("traces reach Tempo at <endpoint>/v1/traces, spans intact, host.name/os.type from the gateway", { skip: SKIP }, async () => {
    const sent = [...reports.full!.sent.traces.flat(), ...reports.bare!.sent.traces.flat()];
    assert.equal(sent.length, 6);
    for (const s of sent) assert.deepEqual(s.resource.find(([k]) => k === "host.name"), ["host.name", { s: "app-host" }], "the app said host.name = app-host");
    await eventually(() => receivedSpans(tempo).length >= sent.length, 15_000, "6 spans at the Tempo sink").catch((err: Error) => {
      throw new Error(`${err.message} (got ${receivedSpans(tempo).length})\n${solder.stderr().slice(-3000)}`);
    });
    assert.deepEqual([...new Set(tempo.requests.map((r) => r.path))], ["/v1/traces/v1/traces"]);
    assert.deepEqual(receivedSpans(tempo).sort(byId), sent.map(expectedSpan).sort(byId));
    assert.deepEqual(new Set(receivedSpans(tempo).map((s) => JSON.stringify(s.resource["service.name"]))), new Set([FULL.service, BARE.service].map((s) => JSON.stringify({ s }))));
    for (const s of receivedSpans(tempo)) assert.deepEqual([s.resource["host.name"], s.resource["os.type"]], [{ s: GATEWAY_HOST }, { s: "linux" }]);
  });

  test("logs reach Loki at <endpoint>/v1/logs with the same override", { skip: SKIP }, async () => {
    const sent = [...reports.full!.sent.logs.flat(), ...reports.bare!.sent.logs.flat()];
    assert.equal(sent.length, 6);
    await eventually(() => receivedLogs(loki).length >= sent.length, 15_000, "6 log records at the Loki sink");
    assert.deepEqual([...new Set(loki.requests.map((r) => r.path))], ["/otlp/v1/logs"]);
    assert.deepEqual(receivedLogs(loki).sort(byTime), sent.map(expectedLog).sort(byTime));
  });

  test("metrics reach Prometheus under their translated names; the transform's labels follow the resource", { skip: SKIP }, async () => {
    const scope = { otel_scope_name: "e2e-meter", otel_scope_version: "2.0.0" };
    const full = { job: FULL.service, deployment_environment: FULL.environment, service_version: FULL.version, ...scope };
    const bare = { job: BARE.service, ...scope };
    const sortKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
    const series = async (selector: string) => (await query(prom, selector)).sort((a, b) => sortKey(a.metric).localeCompare(sortKey(b.metric)));
    /** [labels, value] of every series `selector` finds, in label order. */
    const pairs = async (selector: string) => (await series(selector)).map((v) => [v.metric, v.value![1]]);
    // Per run: the counter's 2 series, the histogram's 2 × (4 buckets + _sum + _count), 3 gauges. The
    // exponential histogram e2e.size becomes a native histogram, which prometheus.remote_write only
    // sends with send_native_histograms = true (default false, as in Alloy): it never arrives.
    const SERIES_PER_RUN = 17;
    const count = async (job: string) => (await query(prom, `{job="${job}", __name__!="target_info"}`)).length;
    await eventually(async () => (await count(FULL.service)) === SERIES_PER_RUN && (await count(BARE.service)) === SERIES_PER_RUN, 20_000, "the metrics of both runs in Prometheus").catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await query(prom, `{__name__=~"e2e_.*"}`))}\n${solder.stderr().slice(-3000)}`);
    });
    for (const [run, labels] of [["full", full], ["bare", bare]] as const) {
      const job = `job="${labels.job}"`;
      // A monotonic cumulative sum: a counter, _total.
      const requests: [Record<string, string>, string][] = [
        [{ __name__: "e2e_requests_total", ...labels, ok: "false", retry_count: "1", route: "/b" }, "2"],
        [{ __name__: "e2e_requests_total", ...labels, ok: "true", route: "/a" }, "7"],
      ];
      assert.deepEqual(await pairs(`e2e_requests_total{${job}}`), requests.sort((a, b) => sortKey(a[0]).localeCompare(sortKey(b[0]))), `${run}: e2e_requests_total`);
      // An explicit-bucket histogram in ms: _bucket (cumulative, +Inf), _sum, _count.
      const buckets = await series(`e2e_latency_milliseconds_bucket{${job}, route="/a"}`);
      assert.deepEqual(
        buckets.map((v) => [v.metric.le!, v.value![1]]).sort((a, b) => le(a[0]) - le(b[0])),
        [["10", "1"], ["100", "2"], ["1000", "3"], ["+Inf", "3"]],
        `${run}: e2e_latency_milliseconds_bucket`,
      );
      for (const v of buckets) assert.deepEqual({ ...v.metric, le: undefined }, { __name__: "e2e_latency_milliseconds_bucket", ...labels, route: "/a", le: undefined });
      assert.deepEqual(await pairs(`e2e_latency_milliseconds_sum{${job}, route="/a"}`), [[{ __name__: "e2e_latency_milliseconds_sum", ...labels, route: "/a" }, "555"]]);
      assert.deepEqual(await pairs(`e2e_latency_milliseconds_count{${job}, route="/a"}`), [[{ __name__: "e2e_latency_milliseconds_count", ...labels, route: "/a" }, "3"]]);
      // Gauges (the unit becomes a suffix), and a non-monotonic sum, which is a gauge without _total.
      assert.deepEqual(await pairs(`e2e_temperature_celsius{${job}}`), [[{ __name__: "e2e_temperature_celsius", ...labels, floor: "3", room: "lab" }, "21.5"]]);
      assert.deepEqual(await pairs(`e2e_ratio{${job}}`), [[{ __name__: "e2e_ratio", ...labels, ratio_kind: "hit" }, "0.125"]]);
      assert.deepEqual(await pairs(`e2e_queue{${job}}`), [[{ __name__: "e2e_queue", ...labels, queue: "q1" }, "-3"]]);
    }
    // Every data point series of the run whose resource had the attributes carries them; none of the other run's does.
    const fullSeries = await query(prom, `{job="${FULL.service}", __name__!="target_info"}`);
    const bareSeries = await query(prom, `{job="${BARE.service}", __name__!="target_info"}`);
    const names = (vs: Vector[]) => [...new Set(vs.map((v) => v.metric.__name__))].sort();
    const NAMES = ["e2e_latency_milliseconds_bucket", "e2e_latency_milliseconds_count", "e2e_latency_milliseconds_sum", "e2e_queue", "e2e_ratio", "e2e_requests_total", "e2e_temperature_celsius"];
    assert.deepEqual([names(fullSeries), names(bareSeries)], [NAMES, NAMES]);
    assert.deepEqual([fullSeries.length, bareSeries.length], [SERIES_PER_RUN, SERIES_PER_RUN]);
    for (const v of fullSeries) assert.deepEqual([v.metric.deployment_environment, v.metric.service_version], [FULL.environment, FULL.version], JSON.stringify(v.metric));
    for (const v of bareSeries) assert.deepEqual([v.metric.deployment_environment, v.metric.service_version], [undefined, undefined], JSON.stringify(v.metric));
  });

  test("target_info carries the detected host.name and os.type (resourcedetection runs before the transform)", { skip: SKIP }, async () => {
    await eventually(async () => (await query(prom, `target_info{job=~"seed-.*"}`)).length === 2, 20_000, "target_info of both runs");
    const [bare, full] = (await query(prom, `target_info{job=~"seed-.*"}`)).sort((a, b) => a.metric.job!.localeCompare(b.metric.job!));
    for (const v of [bare!, full!]) {
      assert.equal(v.value![1], "1");
      assert.deepEqual([v.metric.host_name, v.metric.os_type], [GATEWAY_HOST, "linux"], JSON.stringify(v.metric));
      assert.equal(v.metric.e2e_flavour, v === full ? "proto/none" : "grpc/none");
    }
    assert.deepEqual([full!.metric.job, full!.metric.deployment_environment, full!.metric.service_version], [FULL.service, FULL.environment, FULL.version]);
    assert.deepEqual([bare!.metric.job, bare!.metric.deployment_environment, bare!.metric.service_version], [BARE.service, undefined, undefined]);
  });

  test("SIGTERM: host_info's last flush reaches Prometheus as traces_host_info before solder exits", { skip: SKIP }, async () => {
    const selector = `traces_host_info{grafana_host_id="${GATEWAY_HOST}", otel_scope_name="hostinfoconnector"}`;
    // The seed flushes host_info every 60 s: nothing yet (unless this run was slow enough for a tick).
    const early = Date.now() - startedAt < 55_000;
    if (early) assert.deepEqual(await query(prom, "traces_host_info"), [], "no traces_host_info before the first tick");
    const stoppedAt = Date.now();
    assert.equal(await solder.stop("SIGTERM"), 0, solder.stderr().slice(-3000));
    const stopMs = Date.now() - stoppedAt;
    const found = await query(prom, selector);
    assert.equal(found.length, 1, `traces_host_info after shutdown (stopped in ${stopMs} ms): ${JSON.stringify(await query(prom, "traces_host_info"))}\nsolder stderr (tail):\n${solder.stderr().slice(-3000)}`);
    assert.equal(found[0]!.value![1], "1");
    assert.deepEqual(found[0]!.metric, { __name__: "traces_host_info", grafana_host_id: GATEWAY_HOST, otel_scope_name: "hostinfoconnector" });
    assert.doesNotMatch(solder.stderr(), /level=error/);
  });
});
