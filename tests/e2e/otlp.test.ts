// OTLP end to end: the real solder process, driven by the official OpenTelemetry JS SDK exporters
// (tests/e2e/emitter.ts) in every flavour — OTLP/HTTP protobuf, OTLP/HTTP JSON, OTLP/gRPC — with
// and without gzip, for traces, metrics and logs. Each flavour × gzip combination has its own
// pipeline in ONE solder process (receiver → batch → exporter → its own test sink), and the sink's
// decoded content is compared field by field with what the SDK handed its exporters: ids,
// nanosecond timestamps, every attribute with its type, events, links, status, resource, scope,
// metric types / temporality / values / buckets, log severities and bodies. Then: garbage sent
// to a receiver while it serves, a backend that answers 503 twice, SIGTERM with data still in
// the batch processor, and the built-in default pipeline. Receivers listen on 127.0.0.1:0 and
// the bound ports are read back from solder, so parallel runs cannot collide.

import { runEmitter } from "../helpers/emitter.ts";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http2 from "node:http2";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fromBinary } from "@bufbuild/protobuf";
import { StatusSchema } from "../../gen/google/rpc/status_pb.ts";
import type { KeyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { ResourceLogs } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { ResourceMetrics } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { ResourceSpans } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import type { Signal } from "../../src/otlp/batch.ts";
import { type GrpcSink, type HttpSink, type Received, startGrpcSink, startHttpSink } from "../helpers/otlp_sink.ts";
import { type Running, eventually, startSolder } from "../helpers/solder.ts";
import { anyOf, attrsOf, hex } from "../helpers/otlp_canonical.ts";
import type { Context, EmitterReport, LogItem, PointItem, Sent, SpanItem } from "./emitter.ts";

const SIGNALS: readonly Signal[] = ["traces", "metrics", "logs"];

// ---- the pipelines -----------------------------------------------------------------------------

type Flavour = "proto" | "json" | "grpc";
type Exporter = { kind: "otlphttp"; encoding: "proto" | "json"; compression: "none" | "gzip" } | { kind: "otlp"; compression: "none" | "gzip" };

interface Pipeline {
  name: string;
  exporter: Exporter;
  /** Extra lines for the receiver's http block. */
  httpExtra?: string;
  /** Extra blocks for the exporter. */
  exporterExtra?: string;
  /** The batch processor's timeout (default 50ms). */
  batchTimeout?: string;
  /** Bound ports, read back from solder once it runs (the config asks for port 0). */
  grpcPort: number;
  httpPort: number;
  sink: HttpSink | GrpcSink;
  /** Everything the emitter sent through this pipeline so far, flattened per signal. */
  expected: Record<Signal, unknown[]>;
  /** Leading sink requests that were answered with an error (scripted), not counted as delivered. */
  refused: number;
}

/** Each flavour × gzip, crossed with the exporter it leaves through (every exporter variant is used). */
const COMBOS: { flavour: Flavour; gzip: boolean; exporter: Exporter }[] = [
  { flavour: "proto", gzip: false, exporter: { kind: "otlphttp", encoding: "proto", compression: "none" } },
  { flavour: "proto", gzip: true, exporter: { kind: "otlp", compression: "gzip" } },
  { flavour: "json", gzip: false, exporter: { kind: "otlphttp", encoding: "json", compression: "none" } },
  { flavour: "json", gzip: true, exporter: { kind: "otlphttp", encoding: "json", compression: "gzip" } },
  { flavour: "grpc", gzip: false, exporter: { kind: "otlphttp", encoding: "proto", compression: "gzip" } },
  { flavour: "grpc", gzip: true, exporter: { kind: "otlp", compression: "none" } },
];

const comboName = (c: { flavour: Flavour; gzip: boolean }) => `${c.flavour}_${c.gzip ? "gzip" : "plain"}`;

function describeExporter(e: Exporter): string {
  return e.kind === "otlp" ? `otelcol.exporter.otlp (gRPC, ${e.compression})` : `otelcol.exporter.otlphttp (${e.encoding}, ${e.compression})`;
}

function pipelineConfig(p: Pipeline): string {
  const exporterId = `otelcol.exporter.${p.exporter.kind}.${p.name}`;
  const outputs = (target: string) => SIGNALS.map((s) => `\t\t${s} = [${target}.input]`).join("\n");
  const exporter =
    p.exporter.kind === "otlphttp"
      ? `otelcol.exporter.otlphttp "${p.name}" {
	encoding = "${p.exporter.encoding}"
	client {
		endpoint    = "${(p.sink as HttpSink).url}"
		compression = "${p.exporter.compression}"
	}
${p.exporterExtra ?? ""}
}`
      : `otelcol.exporter.otlp "${p.name}" {
	client {
		endpoint    = "${(p.sink as GrpcSink).endpoint}"
		compression = "${p.exporter.compression}"
		tls {
			insecure = true
		}
	}
${p.exporterExtra ?? ""}
}`;
  return `otelcol.receiver.otlp "${p.name}" {
	grpc {
		endpoint = "127.0.0.1:0"
	}
	http {
		endpoint = "127.0.0.1:0"
${p.httpExtra ?? ""}
	}
	output {
${outputs(`otelcol.processor.batch.${p.name}`)}
	}
}

otelcol.processor.batch "${p.name}" {
	timeout = "${p.batchTimeout ?? "50ms"}"
	output {
${outputs(exporterId)}
	}
}

${exporter}
`;
}

// ---- running the emitter -----------------------------------------------------------------------

const children = new Set<ChildProcess>();

/** Runs the SDK emitter against a pipeline's receiver; resolves with its report (all exports must succeed). */
async function emit(p: Pipeline, flavour: Flavour, gzip: boolean, tag: string, ports = { http: p.httpPort, grpc: p.grpcPort }): Promise<EmitterReport> {
  const args = ["--flavour", flavour, "--gzip", gzip ? "on" : "off", "--http", `http://127.0.0.1:${ports.http}`, "--grpc", `http://127.0.0.1:${ports.grpc}`, "--signals", "traces,metrics,logs", "--tag", tag];
  const { report, code, stderr: err } = await runEmitter(args, { timeoutMs: 60_000, label: `${flavour}, gzip ${gzip}`, children });
  assert.deepEqual(report.results, { traces: 0, metrics: 0, logs: 0 }, `emitter (${flavour}, gzip ${gzip}) had failed exports: ${JSON.stringify(report.errors)}\n${err}`);
  assert.equal(code, 0, err);
  for (const s of SIGNALS) p.expected[s].push(...flatten(report.sent, s));
  return report;
}

function flatten(sent: Sent, signal: Signal): unknown[] {
  return (sent[signal] as unknown[][]).flat();
}

// ---- what the sink decoded, in the emitter's canonical form ------------------------------------

function contextOf(
  r: { resource?: { attributes: KeyValue[]; droppedAttributesCount: number }; schemaUrl: string },
  s: { scope?: { name: string; version: string; attributes: KeyValue[]; droppedAttributesCount: number }; schemaUrl: string },
): Context {
  return {
    resource: attrsOf(r.resource?.attributes ?? []),
    resourceDropped: r.resource?.droppedAttributesCount ?? 0,
    resourceSchemaUrl: r.schemaUrl,
    scope: { name: s.scope?.name ?? "", version: s.scope?.version ?? "", attributes: attrsOf(s.scope?.attributes ?? []), dropped: s.scope?.droppedAttributesCount ?? 0 },
    scopeSchemaUrl: s.schemaUrl,
  };
}

function spanItems(rss: ResourceSpans[]): SpanItem[] {
  return rss.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        ...contextOf(rs, ss),
        traceId: hex(s.traceId),
        spanId: hex(s.spanId),
        parentSpanId: hex(s.parentSpanId),
        traceState: s.traceState,
        flags: s.flags,
        name: s.name,
        kind: s.kind,
        start: s.startTimeUnixNano.toString(),
        end: s.endTimeUnixNano.toString(),
        attributes: attrsOf(s.attributes),
        dropped: s.droppedAttributesCount,
        events: s.events.map((e) => ({ name: e.name, time: e.timeUnixNano.toString(), attributes: attrsOf(e.attributes), dropped: e.droppedAttributesCount })),
        droppedEvents: s.droppedEventsCount,
        links: s.links.map((l) => ({
          traceId: hex(l.traceId),
          spanId: hex(l.spanId),
          traceState: l.traceState,
          flags: l.flags,
          attributes: attrsOf(l.attributes),
          dropped: l.droppedAttributesCount,
        })),
        droppedLinks: s.droppedLinksCount,
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? "" },
      })),
    ),
  );
}

function pointItems(rms: ResourceMetrics[]): PointItem[] {
  const out: PointItem[] = [];
  for (const rm of rms) {
    for (const sm of rm.scopeMetrics) {
      const ctx = contextOf(rm, sm);
      for (const m of sm.metrics) {
        const head = { ...ctx, name: m.name, description: m.description, unit: m.unit };
        const d = m.data;
        if (d.case === "sum" || d.case === "gauge") {
          for (const p of d.value.dataPoints) {
            assert.equal(p.exemplars.length, 0, `${m.name}: no exemplars were sent`);
            out.push({
              ...head,
              type: d.case,
              temporality: d.case === "sum" ? d.value.aggregationTemporality : 0,
              monotonic: d.case === "sum" ? d.value.isMonotonic : false,
              attributes: attrsOf(p.attributes),
              start: p.startTimeUnixNano.toString(),
              time: p.timeUnixNano.toString(),
              value: p.value.case === "asInt" ? { i: p.value.value.toString() } : { d: p.value.value as number },
            });
          }
        } else if (d.case === "histogram") {
          for (const p of d.value.dataPoints) {
            out.push({
              ...head,
              type: "histogram",
              temporality: d.value.aggregationTemporality,
              monotonic: false,
              attributes: attrsOf(p.attributes),
              start: p.startTimeUnixNano.toString(),
              time: p.timeUnixNano.toString(),
              histogram: {
                count: p.count.toString(),
                sum: p.sum ?? null,
                min: p.min ?? null,
                max: p.max ?? null,
                bounds: [...p.explicitBounds],
                counts: p.bucketCounts.map((c) => c.toString()),
              },
            });
          }
        } else if (d.case === "exponentialHistogram") {
          for (const p of d.value.dataPoints) {
            out.push({
              ...head,
              type: "exponential_histogram",
              temporality: d.value.aggregationTemporality,
              monotonic: false,
              attributes: attrsOf(p.attributes),
              start: p.startTimeUnixNano.toString(),
              time: p.timeUnixNano.toString(),
              exponential: {
                count: p.count.toString(),
                sum: p.sum ?? null,
                min: p.min ?? null,
                max: p.max ?? null,
                scale: p.scale,
                zeroCount: p.zeroCount.toString(),
                positive: { offset: p.positive?.offset ?? 0, counts: (p.positive?.bucketCounts ?? []).map(String) },
                negative: { offset: p.negative?.offset ?? 0, counts: (p.negative?.bucketCounts ?? []).map(String) },
              },
            });
          }
        } else {
          throw new Error(`${m.name}: unexpected metric type ${d.case}`);
        }
      }
    }
  }
  return out;
}

function logItems(rls: ResourceLogs[]): LogItem[] {
  return rls.flatMap((rl) =>
    rl.scopeLogs.flatMap((sl) =>
      sl.logRecords.map((r) => ({
        ...contextOf(rl, sl),
        time: r.timeUnixNano.toString(),
        observed: r.observedTimeUnixNano.toString(),
        severityNumber: r.severityNumber,
        severityText: r.severityText,
        body: anyOf(r.body),
        eventName: r.eventName,
        attributes: attrsOf(r.attributes),
        dropped: r.droppedAttributesCount,
        flags: r.flags,
        traceId: hex(r.traceId),
        spanId: hex(r.spanId),
      })),
    ),
  );
}

/** Every item the sink accepted (requests after the scripted refusals), per signal. */
function delivered(p: Pipeline, signal: Signal): unknown[] {
  const items: unknown[] = [];
  for (const r of p.sink.requests.slice(p.refused)) {
    if (r.signal !== signal) continue;
    const full = r.batch().full();
    items.push(...(signal === "traces" ? spanItems(full as ResourceSpans[]) : signal === "metrics" ? pointItems(full as ResourceMetrics[]) : logItems(full as ResourceLogs[])));
  }
  return items;
}

/** JSON with sorted object keys: a multiset key for items. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Asserts that `actual` and `expected` hold the same items the same number of times. */
function assertSameItems(actual: unknown[], expected: unknown[], what: string): void {
  const count = new Map<string, number>();
  for (const e of expected) count.set(stable(e), (count.get(stable(e)) ?? 0) + 1);
  const extra: unknown[] = [];
  for (const a of actual) {
    const k = stable(a);
    const n = count.get(k) ?? 0;
    if (n === 0) extra.push(a);
    else count.set(k, n - 1);
  }
  const missing = [...count.entries()].filter(([, n]) => n > 0).map(([k, n]) => ({ times: n, item: JSON.parse(k) as unknown }));
  if (extra.length > 0 || missing.length > 0) {
    // Both sorted, so the diff lines up the nearest items field by field.
    const sort = (xs: unknown[]) => [...xs].sort((a, b) => (stable(a) < stable(b) ? -1 : 1));
    assert.deepEqual(sort(actual), sort(expected), `${what}: ${missing.length} missing, ${extra.length} unexpected (lost, duplicated or altered items)`);
  }
}

/** Waits until the sink has as many items as were sent, then compares them all. */
async function assertDelivered(p: Pipeline, ms = 20_000): Promise<void> {
  for (const s of SIGNALS) {
    assert.ok(p.expected[s].length > 0, `${p.name}: the emitter sent no ${s}`);
    await eventually(() => delivered(p, s).length >= p.expected[s].length, ms, `${p.name}: ${p.expected[s].length} ${s} items at the sink`).catch((err: Error) => {
      throw new Error(`${err.message} (got ${delivered(p, s).length})\nsolder stderr (tail):\n${solder?.stderr().slice(-3000)}`);
    });
    assertSameItems(delivered(p, s), p.expected[s], `${p.name} ${s}`);
  }
}

// ---- the shared solder process -----------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), "solder-e2e-otlp-"));
let solder: Running | undefined;
const pipelines = new Map<string, Pipeline>();
const sinks: Array<HttpSink | GrpcSink> = [];

/** A pipeline with its own sink; part of the shared process's configuration unless `shared` is false. */
async function pipeline(name: string, exporter: Exporter, extra: Partial<Pick<Pipeline, "httpExtra" | "exporterExtra" | "batchTimeout">> = {}, shared = true): Promise<Pipeline> {
  const sink = exporter.kind === "otlp" ? await startGrpcSink() : await startHttpSink();
  sinks.push(sink);
  const p: Pipeline = { name, exporter, ...extra, grpcPort: 0, httpPort: 0, sink, expected: { traces: [], metrics: [], logs: [] }, refused: 0 };
  if (shared) pipelines.set(name, p);
  return p;
}

/** Waits until the receiver of `p` in `r` listens and records its ports. */
async function resolvePorts(r: Running, p: Pipeline): Promise<void> {
  let ports: { grpc: number; http: number } | undefined;
  await eventually(async () => (ports = await boundPorts(r, p.name)) !== undefined, 15_000, `${p.name} receiver listening`).catch((err: Error) => {
    throw new Error(`${err.message}\nsolder stderr:\n${r.stderr()}`);
  });
  p.grpcPort = ports!.grpc;
  p.httpPort = ports!.http;
}

/** Every solder process this file started, killed in after(). */
const processes: Running[] = [];

/**
 * startSolder(), retried: the helper picks the admin port with freePort(), and another process
 * can take it before solder binds it.
 */
async function start(args: string[]): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await startSolder(args);
      processes.push(r);
      return r;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/**
 * The ports a receiver bound: its debug info in the components API (the addresses it listens
 * on), else its "starting … server" log lines. Undefined until both listeners run.
 */
async function boundPorts(r: Running, name: string): Promise<{ grpc: number; http: number } | undefined> {
  const id = `otelcol.receiver.otlp.${name}`;
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

before(async () => {
  for (const c of COMBOS) await pipeline(comboName(c), c.exporter);
  await pipeline("bad_input", { kind: "otlphttp", encoding: "proto", compression: "none" }, { httpExtra: `\t\tmax_request_body_size = "1MiB"` });
  await pipeline(
    "backend_down",
    { kind: "otlphttp", encoding: "proto", compression: "gzip" },
    { exporterExtra: `\tretry_on_failure {\n\t\tinitial_interval     = "100ms"\n\t\tmax_interval         = "200ms"\n\t\trandomization_factor = 0\n\t}` },
  );
  const config = [...pipelines.values()].map(pipelineConfig).join("\n");
  const path = join(dir, "otlp.alloy");
  writeFileSync(path, config);
  solder = await start([`--storage.path=${join(dir, "data")}`, path]);
  // Ready means the graph is loaded; the receivers' listeners start right after, on ports the OS picks.
  for (const p of pipelines.values()) await resolvePorts(solder, p);
  assert.doesNotMatch(solder.stderr(), /failed to start (grpc|http) server/);
});

after(async () => {
  for (const c of children) c.kill("SIGKILL");
  for (const r of processes) await r.stop("SIGKILL");
  for (const s of sinks) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---- tests -------------------------------------------------------------------------------------

describe("OTLP end to end with the OpenTelemetry JS SDK", () => {
  for (const c of COMBOS) {
    const name = comboName(c);
    test(`${c.flavour === "grpc" ? "OTLP/gRPC" : `OTLP/HTTP ${c.flavour}`}, gzip ${c.gzip ? "on" : "off"} → ${describeExporter(c.exporter)}: every item arrives intact`, async () => {
      const p = pipelines.get(name)!;
      const report = await emit(p, c.flavour, c.gzip, name);
      // The emitter really produced what the test is about.
      const spans = flatten(report.sent, "traces") as SpanItem[];
      assert.deepEqual(spans.map((s) => s.name).sort(), ["child-op", "parent-op", "remote-op"]);
      const parent = spans.find((s) => s.name === "parent-op")!;
      const child = spans.find((s) => s.name === "child-op")!;
      assert.equal(child.parentSpanId, parent.spanId);
      assert.equal(child.traceId, parent.traceId);
      assert.ok(report.sent.metrics.length >= 1 && report.sent.logs.length === 1);

      await assertDelivered(p);

      // Spot checks on the decoded wire data, on top of the full comparison.
      const got = delivered(p, "traces") as SpanItem[];
      const gotChild = got.find((s) => s.name === "child-op")!;
      assert.equal(gotChild.parentSpanId, parent.spanId);
      assert.deepEqual(gotChild.status, { code: 2, message: "boom" });
      assert.equal(gotChild.kind, 3);
      assert.equal(got.find((s) => s.name === "parent-op")!.kind, 2);
      assert.deepEqual(
        got.find((s) => s.name === "parent-op")!.attributes.find(([k]) => k === "e2e.big"),
        ["e2e.big", { i: "9007199254740991" }],
      );
      assert.deepEqual(gotChild.resource[0], ["service.name", { s: "otlp-e2e" }]);
      const points = delivered(p, "metrics") as PointItem[];
      const requests = points.find((m) => m.name === "e2e.requests" && stable(m.attributes) === stable([["route", { s: "/a" }], ["ok", { b: true }]]))!;
      assert.deepEqual({ type: requests.type, temporality: requests.temporality, monotonic: requests.monotonic, value: requests.value }, { type: "sum", temporality: 1, monotonic: true, value: { i: "7" } });
      const latency = points.find((m) => m.name === "e2e.latency" && m.histogram?.count === "3")!;
      assert.deepEqual(latency.histogram, { count: "3", sum: 555, min: 5, max: 500, bounds: [10, 100, 1000], counts: ["1", "1", "1", "0"] });
      const queue = points.find((m) => m.name === "e2e.queue")!;
      assert.deepEqual({ type: queue.type, temporality: queue.temporality, monotonic: queue.monotonic, value: queue.value }, { type: "sum", temporality: 2, monotonic: false, value: { i: "-3" } });
      const size = points.find((m) => m.name === "e2e.size")!;
      assert.deepEqual([size.type, size.exponential?.count, size.exponential?.zeroCount, size.exponential?.sum], ["exponential_histogram", "5", "1", 16.5]);
      assert.deepEqual(points.find((m) => m.name === "e2e.temperature")!.value, { d: 21.5 });
      const logs = delivered(p, "logs") as LogItem[];
      assert.deepEqual(
        logs.map((l) => [l.severityNumber, l.severityText]).sort(),
        [
          [17, "ERROR"],
          [5, ""],
          [9, "INFO"],
        ],
      );

      // What the exporter put on the wire towards the backend.
      for (const r of p.sink.requests) assertExporterRequest(c.exporter, r);
    });
  }

  test("bad input while serving: 400, 413, 415 (also 404, 405, gRPC INVALID_ARGUMENT and RESOURCE_EXHAUSTED); valid data before, during and after arrives intact", async () => {
    const p = pipelines.get("bad_input")!;
    await emit(p, "proto", false, "before");
    await assertDelivered(p);

    await sendGarbage(p);
    // Again, while a client sends valid data at the same time.
    await Promise.all([emit(p, "json", true, "during"), sendGarbage(p)]);

    // Still serving, nothing of the garbage went through, and new data arrives intact.
    assert.equal(solder!.proc.exitCode, null);
    assert.equal((await fetch(`${solder!.url}/-/healthy`)).status, 200);
    await emit(p, "grpc", false, "after");
    await assertDelivered(p);
  });

  test("backend down, then up: the exporter retries 503 twice and the data arrives exactly once, complete", async () => {
    const p = pipelines.get("backend_down")!;
    const sink = p.sink as HttpSink;
    sink.reply({ status: 503 }, { status: 503, headers: { "Retry-After": "0" } });
    p.refused = 2;
    await emit(p, "proto", true, "backend-down");
    await assertDelivered(p);
    assert.ok(sink.requests.length >= 3, `expected the two refused requests and the retries, got ${sink.requests.length}`);
    // The refused requests were re-sent: each of their items is in what was accepted.
    for (const r of sink.requests.slice(0, 2)) {
      const accepted = new Set(delivered(p, r.signal!).map(stable));
      const refused = r.signal === "traces" ? spanItems(r.batch().full() as ResourceSpans[]) : r.signal === "metrics" ? pointItems(r.batch().full() as ResourceMetrics[]) : logItems(r.batch().full() as ResourceLogs[]);
      assert.ok(refused.length > 0);
      for (const item of refused) assert.ok(accepted.has(stable(item)), `${r.signal} item refused with 503 was never re-sent`);
    }
  });

  test("nothing arrives twice later on, and the receivers counted every item", async () => {
    for (const p of pipelines.values()) {
      for (const s of SIGNALS) assertSameItems(delivered(p, s), p.expected[s], `${p.name} ${s} (late duplicates)`);
    }
    const metrics = await (await fetch(`${solder!.url}/metrics`)).text();
    for (const c of COMBOS) {
      const p = pipelines.get(comboName(c))!;
      const transport = c.flavour === "grpc" ? "grpc" : "http";
      const accepted = (item: string) => {
        const line = metrics.split("\n").find((l) => l.startsWith(`otelcol_receiver_accepted_${item}_total{`) && l.includes(`receiver="otlp/otelcol.receiver.otlp.${p.name}"`) && l.includes(`transport="${transport}"`));
        assert.ok(line, `no otelcol_receiver_accepted_${item}_total for ${p.name}/${transport}`);
        return Number(line.slice(line.lastIndexOf(" ") + 1));
      };
      assert.equal(accepted("spans"), p.expected.traces.length, `${p.name} accepted spans`);
      assert.equal(accepted("metric_points"), p.expected.metrics.length, `${p.name} accepted metric points`);
      assert.equal(accepted("log_records"), p.expected.logs.length, `${p.name} accepted log records`);
    }
  });
});

/** Sends malformed, oversized and mislabelled requests to a receiver; asserts each is refused as it should be. */
async function sendGarbage(p: Pipeline): Promise<void> {
  const base = `http://127.0.0.1:${p.httpPort}`;
  const post = (path: string, body: Uint8Array | string | ReadableStream<Uint8Array>, headers: Record<string, string>) =>
    fetch(`${base}${path}`, { method: "POST", body: body as BodyInit, headers, duplex: "half" } as RequestInit);
  const protobuf = { "content-type": "application/x-protobuf" };

  // Malformed protobuf: a length-delimited field 1 whose length runs past the end.
  const malformed = await post("/v1/traces", new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), protobuf);
  assert.equal(malformed.status, 400);
  assert.equal(malformed.headers.get("content-type"), "application/x-protobuf");
  const status = fromBinary(StatusSchema, new Uint8Array(await malformed.arrayBuffer()));
  assert.equal(status.code, 3);
  assert.ok(status.message.length > 0);
  // A wire type that does not exist (7).
  assert.equal((await post("/v1/metrics", new Uint8Array([0x0f, 0x00]), protobuf)).status, 400);
  // Malformed JSON, and JSON of the wrong shape.
  const json = { "content-type": "application/json" };
  const badJson = await post("/v1/logs", '{"resourceLogs": [', json);
  assert.equal(badJson.status, 400);
  assert.equal(badJson.headers.get("content-type"), "application/json");
  assert.equal(((await badJson.json()) as { code: number }).code, 3);
  assert.equal((await post("/v1/traces", '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "not-hex"}]}]}]}', json)).status, 400);

  // A gzip bomb: 10 MB of zeros, about 10 KB on the wire, over the 1 MiB limit once inflated.
  const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
  assert.ok(bomb.byteLength < 64 * 1024);
  const bombed = await post("/v1/traces", new Uint8Array(bomb), { ...protobuf, "content-encoding": "gzip" });
  assert.equal(bombed.status, 413);
  await bombed.arrayBuffer();
  // The same bomb streamed in chunks without Content-Length, as real clients send bodies.
  const chunks = [bomb.subarray(0, 4096), bomb.subarray(4096)];
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      const next = chunks.shift();
      if (next) ctl.enqueue(new Uint8Array(next));
      else ctl.close();
    },
  });
  assert.equal((await post("/v1/logs", stream, { ...protobuf, "content-encoding": "gzip" })).status, 413);
  // A raw body over the limit.
  assert.equal((await post("/v1/metrics", new Uint8Array(2 * 1024 * 1024), protobuf)).status, 413);

  // Wrong content type.
  const wrongType = await post("/v1/traces", "hello", { "content-type": "text/plain" });
  assert.equal(wrongType.status, 415);
  assert.match(await wrongType.text(), /415 unsupported media type/);
  assert.equal((await post("/v1/traces", new Uint8Array(0), {})).status, 415);
  // Undecodable or unknown Content-Encoding.
  assert.equal((await post("/v1/traces", new Uint8Array([1, 2, 3]), { ...protobuf, "content-encoding": "gzip" })).status, 400);
  assert.equal((await post("/v1/traces", new Uint8Array([1, 2, 3]), { ...protobuf, "content-encoding": "br" })).status, 400);
  // Wrong method and path.
  assert.equal((await fetch(`${base}/v1/traces`)).status, 405);
  assert.equal((await post("/v2/traces", new Uint8Array(0), protobuf)).status, 404);
  // gRPC: a message that is not an ExportTraceServiceRequest.
  assert.equal(await grpcCall(p.grpcPort, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f])), "3");
  // gRPC: the gzip bomb as a compressed message, over max_recv_msg_size (4 MiB) once inflated.
  assert.equal(await grpcCall(p.grpcPort, "/opentelemetry.proto.collector.logs.v1.LogsService/Export", new Uint8Array(bomb), true), "8");
}

/** Headers and framing of what solder's exporter sent to the sink. */
function assertExporterRequest(e: Exporter, r: Received): void {
  if (e.kind === "otlp") {
    assert.match(r.path, /^\/opentelemetry\.proto\.collector\.(trace|metrics|logs)\.v1\.(Trace|Metrics|Logs)Service\/Export$/);
    assert.match(r.headers["content-type"] ?? "", /^application\/grpc(\+proto)?$/);
    if (e.compression === "gzip") assert.equal(r.headers["grpc-encoding"], "gzip");
    else assert.ok(r.headers["grpc-encoding"] === undefined || r.headers["grpc-encoding"] === "identity", `grpc-encoding ${r.headers["grpc-encoding"]}`);
    return;
  }
  assert.equal(r.path, `/v1/${r.signal}`);
  assert.equal(r.headers["content-type"], e.encoding === "json" ? "application/json" : "application/x-protobuf");
  assert.equal(r.headers["content-encoding"], e.compression === "gzip" ? "gzip" : undefined);
  if (e.compression === "gzip") assert.ok(r.rawBody.byteLength < r.body.byteLength, "gzip body is smaller than the payload");
  else assert.deepEqual(r.rawBody, r.body);
  assert.match(r.headers["user-agent"] ?? "", /^solder\//);
  if (e.encoding === "json") assertOtlpJson(JSON.parse(new TextDecoder().decode(r.body)), "$");
}

const ID_HEX: Record<string, RegExp> = { traceId: /^([0-9a-f]{32})?$/, spanId: /^([0-9a-f]{16})?$/, parentSpanId: /^([0-9a-f]{16})?$/ };
const ENUM_KEYS = new Set(["kind", "severityNumber", "aggregationTemporality", "code"]);
const INT64_KEYS = /UnixNano$|^(count|intValue|asInt|zeroCount)$/;

/**
 * What other OTLP/JSON receivers require of solder's JSON (otlp.md §3), checked on the raw text
 * independently of solder's own decoder: lowerCamelCase keys, ids as lowercase hex, enums as
 * integers, 64-bit integers as decimal strings (or safe numbers).
 */
function assertOtlpJson(v: unknown, at: string): void {
  if (Array.isArray(v)) return v.forEach((x, i) => assertOtlpJson(x, `${at}[${i}]`));
  if (!v || typeof v !== "object") return;
  for (const [k, x] of Object.entries(v)) {
    const where = `${at}.${k}`;
    assert.match(k, /^[a-z][a-zA-Z0-9]*$/, `${where}: keys are lowerCamelCase`);
    if (k in ID_HEX) assert.ok(typeof x === "string" && ID_HEX[k]!.test(x), `${where}: lowercase hex id, got ${JSON.stringify(x)}`);
    else if (ENUM_KEYS.has(k)) assert.equal(typeof x, "number", `${where}: enums are integers`);
    else if (INT64_KEYS.test(k)) assert.ok((typeof x === "string" && /^-?\d+$/.test(x)) || Number.isSafeInteger(x), `${where}: 64-bit integer, got ${JSON.stringify(x)}`);
    else if (k === "bucketCounts") for (const c of x as unknown[]) assert.ok((typeof c === "string" && /^\d+$/.test(c)) || Number.isSafeInteger(c), `${where}: uint64 counts`);
    assertOtlpJson(x, where);
  }
}

/** One unary gRPC call with a raw message; resolves with the grpc-status trailer. */
function grpcCall(port: number, path: string, message: Uint8Array, gzip = false): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const fail = (err: Error) => (session.destroy(), reject(err));
    session.on("error", fail);
    const frame = new Uint8Array(5 + message.byteLength);
    frame[0] = gzip ? 1 : 0;
    new DataView(frame.buffer).setUint32(1, message.byteLength);
    frame.set(message, 5);
    const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...(gzip ? { "grpc-encoding": "gzip" } : {}) });
    let status: string | undefined;
    req.on("response", (h) => (status ??= h["grpc-status"] as string | undefined));
    req.on("trailers", (h) => (status = h["grpc-status"] as string | undefined));
    req.on("data", () => {});
    req.on("end", () => {
      session.close();
      resolve(status);
    });
    req.on("error", fail);
    req.end(frame);
  });
}

// ---- shutdown ----------------------------------------------------------------------------------

describe("solder stopping", () => {
  test("SIGTERM flushes what the batch processor still holds: everything accepted reaches the backend", async () => {
    const p = await pipeline("drain", { kind: "otlphttp", encoding: "proto", compression: "gzip" }, { batchTimeout: "1h" }, false);
    const path = join(dir, "drain.alloy");
    writeFileSync(path, pipelineConfig(p));
    const r = await start([`--storage.path=${join(dir, "drain-data")}`, path]);
    await resolvePorts(r, p);
    await emit(p, "grpc", true, "drain");
    await emit(p, "json", false, "drain-json");
    // Accepted, and held: the batch is neither full nor timed out.
    assert.equal(p.sink.requests.length, 0);
    assert.equal(await r.stop("SIGTERM"), 0, r.stderr());
    await assertDelivered(p, 5_000);
  });
});

// ---- the built-in default pipeline -------------------------------------------------------------

/** True when 0.0.0.0:<port> can be bound right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "0.0.0.0", () => s.close(() => resolve(true)));
  });
}

describe("solder run without a configuration", () => {
  test("runs the built-in default pipeline on 4317/4318, prints what it receives, and stops cleanly on SIGTERM", async (t) => {
    if (!(await portFree(4317)) || !(await portFree(4318))) return t.skip("ports 4317/4318 are in use");
    const r = await start([`--storage.path=${join(dir, "default-data")}`]);
    try {
      await eventually(() => /running the built-in default pipeline/.test(r.stderr()), 10_000, "the default pipeline log line");
      // Both listeners either start or (when something grabbed a port meanwhile) report why.
      await eventually(() => /starting HTTP server.*0\.0\.0\.0:4318|failed to start http server/.test(r.stderr()), 10_000, "the HTTP listener");
      await eventually(() => /starting GRPC server.*0\.0\.0\.0:4317|failed to start grpc server/.test(r.stderr()), 10_000, "the gRPC listener");
      if (/starting HTTP server.*0\.0\.0\.0:4318/.test(r.stderr()) && /starting GRPC server.*0\.0\.0\.0:4317/.test(r.stderr())) {
        // 127.0.0.1:4317/4318 can only be solder now: the wildcard bind excludes anyone else.
        const scratch: Pipeline = { name: "default", exporter: { kind: "otlp", compression: "none" }, grpcPort: 4317, httpPort: 4318, sink: undefined as never, expected: { traces: [], metrics: [], logs: [] }, refused: 0 };
        await emit(scratch, "proto", false, "default-http");
        await emit(scratch, "grpc", true, "default-grpc");
        // The batch processor may put both runs in one batch: count the items, not the lines.
        const total = (re: RegExp) => [...r.stderr().matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
        await eventually(() => total(/msg=TracesExporter .*\bspans=(\d+)/g) >= 6, 10_000, "6 spans in TracesExporter summaries");
        await eventually(() => total(/msg=LogsExporter .*"log records"=(\d+)/g) >= 6, 10_000, "6 log records in LogsExporter summaries");
        await eventually(() => /msg=MetricsExporter .*"data points"=\d+/.test(r.stderr()), 10_000, "a MetricsExporter summary");
      }
      // Otherwise a default port was taken while solder started: only the lifecycle is checked.
    } finally {
      assert.equal(await r.stop("SIGTERM"), 0, r.stderr());
    }
  });
});
