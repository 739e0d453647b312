import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ExportMetricsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { KeyValueSchema } from "../../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { type HostInfoArgs, hostInfoConnector } from "../../../../src/components/otelcol/connector/host_info.ts";
import { Batch, type MetricsBatch } from "../../../../src/otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../../src/otlp/consumer.ts";
import type { ComponentOptions } from "../../../../src/runtime/component.ts";
import { decodeBody } from "../../../../src/runtime/decode.ts";
import type { EvalError } from "../../../../src/runtime/errors.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule, ObjectValue } from "../../../../src/runtime/value.ts";
import { parseFile } from "../../../../src/syntax/index.ts";

const ID = "otelcol.connector.host_info.test";

// ---- data ----------------------------------------------------------------------------------

type KV = MessageInitShape<typeof KeyValueSchema>;
const str = (key: string, value: string): KV => ({ key, value: { value: { case: "stringValue", value } } });
const int = (key: string, value: bigint): KV => ({ key, value: { value: { case: "intValue", value } } });

/** One resource entry: its attributes and how many scope entries (each with one span) it has. */
interface Res {
  attrs: KV[];
  scopes?: number;
}

/** A lite traces batch with the given resources (one scope with one span unless told). */
function traces(...resources: Res[]): Batch<"traces"> {
  const span = { traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2), name: "op" };
  const req = create(ExportTraceServiceRequestSchema, {
    resourceSpans: resources.map((r) => ({
      resource: { attributes: r.attrs },
      scopeSpans: Array.from({ length: r.scopes ?? 1 }, () => ({ scope: { name: "lib" }, spans: [span] })),
    })),
  });
  return Batch.decode("traces", toBinary(ExportTraceServiceRequestSchema, req));
}

const host = (id: string): Res => ({ attrs: [str("service.name", "svc"), str("host.id", id)] });

/** The `grafana.host.id` values of a payload, sorted. */
function hostsOf(b: MetricsBatch): string[] {
  const points = b.full().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => (m.data.case === "gauge" ? m.data.value.dataPoints : []))));
  return points.map((p) => String(p.attributes.find((a) => a.key === "grafana.host.id")?.value?.value.value)).sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 5 ms; fails after `ms`. */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}

// ---- harness -------------------------------------------------------------------------------

/** A metrics consumer that records what it gets; `fail` makes it throw, `delay` makes it slow. */
class Capture implements Consumer {
  got: MetricsBatch[] = [];
  fail: Error | undefined;
  delay = 0;
  consumeMetrics = async (b: MetricsBatch): Promise<void> => {
    if (this.delay > 0) await sleep(this.delay);
    if (this.fail) throw this.fail;
    this.got.push(b);
  };
  consumeTraces = (): Promise<void> => Promise.reject(new Error("unexpected traces"));
  consumeLogs = (): Promise<void> => Promise.reject(new Error("unexpected logs"));
  hosts(): string[][] {
    return this.got.map(hostsOf);
  }
}

const DEFAULTS = { host_identifiers: ["host.id"], metrics_flush_interval: 60_000, debug_metrics: { disable_high_cardinality_metrics: true } };

async function start(args: Partial<HostInfoArgs> = {}, out = new Capture()) {
  const sink = memorySink();
  let exports: ObjectValue = {};
  const opts: ComponentOptions = {
    id: ID,
    dataPath: "/nonexistent",
    logger: createLogger(sink, { component_id: ID }),
    metrics: new MetricsRegistry(),
    onStateChange: (e) => (exports = e),
  };
  const component = await hostInfoConnector.build(opts, { ...DEFAULTS, output: { metrics: [out] }, ...args });
  const input = (exports.input as Capsule<Consumer>).value;
  const ctrl = new AbortController();
  const running = component.run(ctrl.signal);
  const stop = async () => {
    ctrl.abort();
    await running;
  };
  return { input, out, component, logs: sink.lines, stop };
}

/** Decodes a block body written in Alloy syntax, with `sink` in scope as a consumer. */
function decode(text: string): { args: HostInfoArgs; errors: string[] } {
  const { file, diagnostics } = parseFile("test.alloy", text);
  if (diagnostics.length > 0) throw new Error(`parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, hostInfoConnector.args, { sink: consumerCapsule(new Capture()) }, file, problems) as unknown as HostInfoArgs;
  return { args, errors: problems.filter((p) => p.severity === "error").map((p) => p.message) };
}

// ---- tests ---------------------------------------------------------------------------------

describe("otelcol.connector.host_info arguments", () => {
  test("defaults are Alloy's", () => {
    const { args, errors } = decode(`output { metrics = [sink] }`);
    assert.deepEqual(errors, []);
    assert.deepEqual(args.host_identifiers, ["host.id"]);
    assert.equal(args.metrics_flush_interval, 60_000);
    assert.equal(args.output.metrics.length, 1);
    assert.equal(hostInfoConnector.stability, "generally-available");
    assert.deepEqual(hostInfoConnector.exports, ["input"]);
  });

  test("validation messages name the keys", () => {
    assert.deepEqual(decode(`host_identifiers = []\noutput { metrics = [sink] }`).errors, ["host_identifiers must not be empty"]);
    assert.deepEqual(decode(`metrics_flush_interval = "0s"\noutput { metrics = [sink] }`).errors, ["metrics_flush_interval must be greater than 0"]);
    assert.deepEqual(decode(`metrics_flush_interval = "-1s"\noutput { metrics = [sink] }`).errors, ["metrics_flush_interval must be greater than 0"]);
    assert.deepEqual(decode(`metrics_flush_interval = "1ms"\nhost_identifiers = ["host.name"]\noutput { metrics = [sink] }`).errors, []);
  });

  test("the output block takes only metrics", () => {
    assert.deepEqual(decode(`output { traces = [sink] }`).errors, ['unrecognized attribute name "traces"']);
    assert.deepEqual(decode(`output {\n metrics = [sink]\n logs = [sink]\n}`).errors, ['unrecognized attribute name "logs"']);
    assert.deepEqual(decode(``).errors, ['missing required block "output"']);
  });

  test("without a metrics output Alloy creates no connector", () => {
    assert.deepEqual(decode(`output { }`).errors, ["no connectors were created"]);
  });
});

describe("otelcol.connector.host_info hosts", () => {
  test("one host: one payload at shutdown", async () => {
    const c = await start();
    await c.input.consumeTraces(traces(host("h1")));
    assert.deepEqual(c.out.hosts(), []);
    await c.stop();
    assert.deepEqual(c.out.hosts(), [["h1"]]);
  });

  test("several hosts over several resources and batches within one interval: one point each", async () => {
    const c = await start();
    await c.input.consumeTraces(traces(host("h1"), host("h2")));
    await c.input.consumeTraces(traces(host("h3"), host("h1")));
    await c.input.consumeTraces(traces(host("h2")));
    await c.stop();
    assert.deepEqual(c.out.hosts(), [["h1", "h2", "h3"]]);
  });

  test("a host with two listed identifiers counts as two hosts, in either list order", async () => {
    for (const ids of [["host.id", "host.name"], ["host.name", "host.id"]]) {
      const c = await start({ host_identifiers: ids });
      await c.input.consumeTraces(traces({ attrs: [str("host.name", "node-a"), str("host.id", "i-123")] }));
      await c.stop();
      assert.deepEqual(c.out.hosts(), [["i-123", "node-a"]], ids.join(","));
    }
  });

  test("resources without any listed key contribute nothing", async () => {
    const c = await start();
    await c.input.consumeTraces(traces({ attrs: [str("host.name", "node-a"), str("service.name", "svc")] }, { attrs: [] }));
    await c.stop();
    assert.deepEqual(c.out.got, []);
  });

  test("a resource with zero scope spans is ignored; one with an empty scope counts", async () => {
    const c = await start();
    await c.input.consumeTraces(traces({ attrs: [str("host.id", "no-scopes")], scopes: 0 }, { attrs: [str("host.id", "three-scopes")], scopes: 3 }));
    const empty = create(ExportTraceServiceRequestSchema, { resourceSpans: [{ resource: { attributes: [str("host.id", "empty-scope")] }, scopeSpans: [{}] }] });
    await c.input.consumeTraces(Batch.decode("traces", toBinary(ExportTraceServiceRequestSchema, empty)));
    await c.stop();
    assert.deepEqual(c.out.hosts(), [["empty-scope", "three-scopes"]]);
  });

  test("a non-string identifier is skipped and logged, once per interval", async () => {
    const c = await start({ host_identifiers: ["host.id", "host.name"] });
    await c.input.consumeTraces(traces({ attrs: [int("host.id", 7n), str("host.name", "node-a")] }, { attrs: [int("host.id", 8n)] }));
    await c.input.consumeTraces(traces({ attrs: [{ key: "host.id" }] }));
    await c.stop();
    assert.deepEqual(c.out.hosts(), [["node-a"]]);
    const warnings = c.logs.filter((l) => l.includes("Skipping host identifier"));
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, /level=warn .*key=host\.id type=intValue/);
  });

  test("of duplicate keys the last one counts, as upstream's map does", async () => {
    const c = await start();
    await c.input.consumeTraces(traces({ attrs: [str("host.id", "first"), str("host.id", "last")] }));
    await c.stop();
    assert.deepEqual(c.out.hosts(), [["last"]]);
  });

  test("input batches are read lite, never upgraded", async () => {
    const c = await start();
    const b = traces(host("h1"), { attrs: [str("host.id", "h2")], scopes: 0 });
    await c.input.consumeTraces(b);
    assert.equal(b.isLite(), true);
    await c.stop();
  });

  test("traces are accepted even when the downstream fails; metrics and logs are refused", async () => {
    const c = await start();
    await assert.rejects(c.input.consumeMetrics(Batch.empty("metrics")), /telemetry type is not supported/);
    await assert.rejects(c.input.consumeLogs(Batch.empty("logs")), /telemetry type is not supported/);
    c.out.fail = new Error("down");
    await c.input.consumeTraces(traces(host("h1")));
    await c.stop();
  });
});

describe("otelcol.connector.host_info emission", () => {
  test("the payload has Alloy's exact shape", async () => {
    const c = await start();
    await c.input.consumeTraces(traces(host("h1")));
    const before = BigInt(Date.now()) * 1_000_000n;
    await c.stop();
    const after = BigInt(Date.now()) * 1_000_000n;
    assert.equal(c.out.got.length, 1);
    const b = c.out.got[0]!;
    assert.equal(b.metadata.size, 0);
    // Decoded from the wire, so "present but empty" is told apart from "absent".
    const req = fromBinary(ExportMetricsServiceRequestSchema, b.toBinary());
    assert.equal(req.resourceMetrics.length, 1);
    const rm = req.resourceMetrics[0]!;
    assert.ok(rm.resource, "the resource is sent");
    assert.deepEqual(rm.resource.attributes, []);
    assert.equal(rm.schemaUrl, "");
    assert.equal(rm.scopeMetrics.length, 1);
    const sm = rm.scopeMetrics[0]!;
    assert.equal(sm.scope?.name, "hostinfoconnector");
    assert.equal(sm.scope?.version, "");
    assert.equal(sm.metrics.length, 1);
    const m = sm.metrics[0]!;
    assert.equal(m.name, "traces_host_info");
    assert.equal(m.unit, "");
    assert.equal(m.description, "");
    assert.equal(m.data.case, "gauge");
    const points = m.data.case === "gauge" ? m.data.value.dataPoints : [];
    assert.equal(points.length, 1);
    const p = points[0]!;
    assert.deepEqual(p.value, { case: "asInt", value: 1n });
    assert.equal(p.attributes.length, 1);
    assert.equal(p.attributes[0]!.key, "grafana.host.id");
    assert.deepEqual(p.attributes[0]!.value?.value, { case: "stringValue", value: "h1" });
    assert.equal(p.startTimeUnixNano, p.timeUnixNano);
    assert.ok(p.timeUnixNano >= before && p.timeUnixNano <= after, "stamped at flush time");
  });

  test("nothing is emitted when no host was seen", async () => {
    const c = await start({ metrics_flush_interval: 20 });
    await sleep(100);
    await c.stop();
    assert.deepEqual(c.out.got, []);
  });

  test("the ticker flushes every metrics_flush_interval and clears the set", async () => {
    const c = await start({ metrics_flush_interval: 30 });
    await c.input.consumeTraces(traces(host("h1"), host("h2")));
    await until(() => c.out.got.length === 1);
    assert.deepEqual(c.out.hosts(), [["h1", "h2"]]);
    // Idle intervals send nothing: the set was cleared.
    await sleep(100);
    assert.equal(c.out.got.length, 1);
    await c.input.consumeTraces(traces(host("h3")));
    await until(() => c.out.got.length === 2);
    assert.deepEqual(c.out.hosts()[1], ["h3"]);
    await c.stop();
    assert.equal(c.out.got.length, 2, "nothing left for the final flush");
  });

  test("the interval is honoured: no flush before it is due", async () => {
    const c = await start({ metrics_flush_interval: 300 });
    const t0 = Date.now();
    await c.input.consumeTraces(traces(host("h1")));
    await sleep(100);
    assert.equal(c.out.got.length, 0);
    await until(() => c.out.got.length === 1);
    assert.ok(Date.now() - t0 >= 250, `flushed after ${Date.now() - t0} ms`);
    await c.stop();
  });

  test("shutdown flushes what is pending and waits for the send", async () => {
    const out = new Capture();
    out.delay = 50;
    const c = await start({}, out);
    await c.input.consumeTraces(traces(host("h1")));
    await c.stop();
    assert.deepEqual(out.hosts(), [["h1"]]);
  });

  test("a component that never ran sends nothing", async () => {
    const out = new Capture();
    let exports: ObjectValue = {};
    const opts: ComponentOptions = { id: ID, dataPath: "/nonexistent", logger: createLogger(memorySink()), metrics: new MetricsRegistry(), onStateChange: (e) => (exports = e) };
    await hostInfoConnector.build(opts, { ...DEFAULTS, output: { metrics: [out] } });
    await (exports.input as Capsule<Consumer>).value.consumeTraces(traces(host("h1")));
    await sleep(20);
    assert.deepEqual(out.got, []);
  });

  test("a downstream error is logged, not thrown, and the data is discarded", async () => {
    const c = await start({ metrics_flush_interval: 30 });
    c.out.fail = new Error("backend down");
    await c.input.consumeTraces(traces(host("h1")));
    await until(() => c.logs.some((l) => l.includes("Error consuming metrics")));
    assert.match(c.logs.find((l) => l.includes("Error consuming metrics"))!, /level=error .*error="backend down"/);
    c.out.fail = undefined;
    await c.stop();
    assert.deepEqual(c.out.got, [], "not retried");
  });

  test("every consumer in the output list gets the payload", async () => {
    const a = new Capture();
    const b = new Capture();
    const c = await start({ output: { metrics: [a, b] } });
    await c.input.consumeTraces(traces(host("h1")));
    await c.stop();
    assert.deepEqual(a.hosts(), [["h1"]]);
    assert.deepEqual(b.hosts(), [["h1"]]);
  });
});

describe("otelcol.connector.host_info update", () => {
  test("changed arguments flush pending hosts to the old output, then apply", async () => {
    const first = new Capture();
    const second = new Capture();
    const c = await start({}, first);
    await c.input.consumeTraces(traces(host("h1")));
    await c.component.update({ ...DEFAULTS, host_identifiers: ["host.name"], output: { metrics: [second] } });
    await until(() => first.got.length === 1);
    assert.deepEqual(first.hosts(), [["h1"]]);
    await c.input.consumeTraces(traces({ attrs: [str("host.id", "ignored-now"), str("host.name", "node-a")] }));
    await c.stop();
    assert.deepEqual(second.hosts(), [["node-a"]]);
    assert.equal(first.got.length, 1);
  });

  test("unchanged arguments keep the pending set and the ticker", async () => {
    const c = await start();
    await c.input.consumeTraces(traces(host("h1")));
    await c.component.update({ ...DEFAULTS, host_identifiers: ["host.id"], output: { metrics: [c.out] } });
    await sleep(20);
    assert.deepEqual(c.out.got, []);
    await c.stop();
    assert.deepEqual(c.out.hosts(), [["h1"]]);
  });

  test("a new interval restarts the ticker", async () => {
    const c = await start();
    await c.input.consumeTraces(traces(host("h1")));
    await c.component.update({ ...DEFAULTS, metrics_flush_interval: 30, output: { metrics: [c.out] } });
    await until(() => c.out.got.length === 1); // the update's own flush
    await c.input.consumeTraces(traces(host("h2")));
    await until(() => c.out.got.length === 2); // the new ticker, long before 60 s
    assert.deepEqual(c.out.hosts(), [["h1"], ["h2"]]);
    await c.stop();
  });
});
