import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ResourceSchema } from "../../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { ScopeSpansSchema } from "../../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import type { DetectContext, Detection, Detector } from "../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { SourceUnavailableError } from "../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { osTypeOf } from "../../../../src/components/otelcol/processor/resourcedetection/detectors/system.ts";
import { DETECTORS } from "../../../../src/components/otelcol/processor/resourcedetection/registry.ts";
import { type ResourceDetectionArgs, type ResourceDetectionDeps, createResourceDetection, mergeInto, resourceDetectionProcessor } from "../../../../src/components/otelcol/processor/resourcedetection.ts";
import { Batch, type Signal } from "../../../../src/otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../../src/otlp/consumer.ts";
import { PipelineError } from "../../../../src/otlp/errors.ts";
import type { Component } from "../../../../src/runtime/component.ts";
import { decodeBody } from "../../../../src/runtime/decode.ts";
import type { EvalError } from "../../../../src/runtime/errors.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule } from "../../../../src/runtime/value.ts";
import { parseFile } from "../../../../src/syntax/index.ts";
import { logs as logsFixture, metrics as metricsFixture, str, traces as tracesFixture } from "../../../otlp/fixtures.ts";
import { fakeServer, silent } from "./resourcedetection/local_fakes.ts";

// ---- harness -------------------------------------------------------------------------------

class Capture implements Consumer {
  got: Batch<Signal>[] = [];
  private take = async (b: Batch<Signal>) => void this.got.push(b);
  consumeTraces = this.take;
  consumeMetrics = this.take;
  consumeLogs = this.take;
}

const ALL_OUTPUTS = "output {\n traces = [sink]\n metrics = [sink]\n logs = [sink]\n}";

/** Decodes a component body (the scope has `sink`), returning arguments and error messages. */
function decode(def: ReturnType<typeof createResourceDetection>, text: string, sink: Consumer = new Capture()) {
  const { file, diagnostics } = parseFile("test.alloy", text);
  if (diagnostics.length > 0) throw new Error(`parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, def.args, { sink: consumerCapsule(sink) }, file, problems) as unknown as ResourceDetectionArgs;
  return { args, errors: problems.filter((p) => p.severity === "error").map((p) => p.message) };
}

interface Running {
  input: Consumer;
  out: Capture;
  component: Component<ResourceDetectionArgs>;
  logs: string[];
  def: ReturnType<typeof createResourceDetection>;
  stop(): Promise<void>;
}

/** Builds with `deps` (process env hidden unless given), decodes `text`, and runs unless told not to. */
async function start(text: string, deps: Partial<ResourceDetectionDeps> = {}, run = true): Promise<Running> {
  const def = createResourceDetection({ env: () => undefined, initialBackoffMs: 20, ...deps });
  const out = new Capture();
  const { args, errors } = decode(def, text, out);
  if (errors.length > 0) throw new Error(`config: ${errors.join("; ")}`);
  const sink = memorySink("debug");
  let input: Consumer | undefined;
  const component = await def.build(
    { id: "otelcol.processor.resourcedetection.test", dataPath: "/nonexistent", logger: createLogger(sink), metrics: new MetricsRegistry(), onStateChange: (e) => (input = (e.input as Capsule<Consumer>).value) },
    args,
  );
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  if (run) running = component.run(abort.signal);
  return {
    input: input!,
    out,
    component,
    logs: sink.lines,
    def,
    stop: async () => {
      if (!running) running = component.run(abort.signal);
      abort.abort();
      await running;
    },
  };
}

/** A detector returning `attributes` (after `delayMs`), counting calls. */
function fake(name: string, attributes: Detection["attributes"], opts: { schemaUrl?: string; delayMs?: number; failTimes?: number; error?: () => Error; switches?: Record<string, boolean> } = {}): Detector & { calls: number } {
  const d = {
    name,
    attributes: opts.switches ?? {},
    calls: 0,
    async detect(ctx: DetectContext, _args: unknown, enabled: (a: string) => boolean): Promise<Detection> {
      d.calls++;
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (opts.error) throw opts.error();
      if (d.calls <= (opts.failTimes ?? 0)) throw new Error(`flaky ${d.calls}`);
      const on = opts.switches ? Object.fromEntries(Object.entries(attributes).filter(([k]) => enabled(k))) : attributes;
      void ctx;
      return { attributes: on, ...(opts.schemaUrl !== undefined ? { schemaUrl: opts.schemaUrl } : {}) };
    },
  };
  return d;
}

/** A detector that never settles and ignores its signal. */
const hanging = (name: string): Detector => ({ name, attributes: {}, detect: () => new Promise<Detection>(() => {}) });

const withFakes = (...fakes: Detector[]): Partial<ResourceDetectionDeps> => ({ detectors: [...DETECTORS, ...fakes] });

const tracesBatch = () => Batch.decode("traces", toBinary(ExportTraceServiceRequestSchema, tracesFixture()));
const metricsBatch = () => Batch.decode("metrics", toBinary(ExportMetricsServiceRequestSchema, metricsFixture()));
const logsBatch = () => Batch.decode("logs", toBinary(ExportLogsServiceRequestSchema, logsFixture()));

/** Resource attributes of every entry as plain objects (decoding a copy, so the batch stays lite). */
function resourcesOf(b: Batch<Signal>): Record<string, unknown>[] {
  const schema = b.signal === "traces" ? ExportTraceServiceRequestSchema : b.signal === "metrics" ? ExportMetricsServiceRequestSchema : ExportLogsServiceRequestSchema;
  const req = fromBinary(schema, b.toBinary()) as unknown as Record<string, { resource?: { attributes: { key: string; value?: { value: { case?: string; value?: unknown } } }[] } }[]>;
  const list = req.resourceSpans ?? req.resourceMetrics ?? req.resourceLogs ?? [];
  return list.map((r) => Object.fromEntries((r.resource?.attributes ?? []).map((kv) => [kv.key, kv.value?.value.value])));
}

function schemaUrlsOf(b: Batch<"traces">): string[] {
  return fromBinary(ExportTraceServiceRequestSchema, b.toBinary()).resourceSpans.map((r) => r.schemaUrl);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- tests ---------------------------------------------------------------------------------

describe("otelcol.processor.resourcedetection arguments (spec §2)", () => {
  test("defaults are Alloy's", () => {
    const { args, errors } = decode(resourceDetectionProcessor, ALL_OUTPUTS);
    assert.deepEqual(errors, []);
    assert.deepEqual([args.detectors, args.override, args.timeout, args.fail_on_missing_metadata], [["env"], true, 5000, false]);
    assert.equal(resourceDetectionProcessor.args.blocks!.output!.required, true);
    assert.equal(resourceDetectionProcessor.stability, "generally-available");
    assert.ok(resourceDetectionProcessor.summary);
  });

  test("validation messages", () => {
    assert.deepEqual(decode(resourceDetectionProcessor, `detectors = []\n${ALL_OUTPUTS}`).errors, ["at least one detector must be specified"]);
    assert.deepEqual(decode(resourceDetectionProcessor, `detectors = ["env", "nope", "sysstem"]\n${ALL_OUTPUTS}`).errors, ["invalid detector: nope", "invalid detector: sysstem"]);
    assert.deepEqual(decode(resourceDetectionProcessor, `system { hostname_sources = ["os", "bogus"] }\n${ALL_OUTPUTS}`).errors, ["invalid hostname source: bogus"]);
    assert.deepEqual(decode(resourceDetectionProcessor, "detectors = [\"env\"]").errors, ['missing required block "output"']);
  });

  test("one block per configurable detector; env has none", () => {
    const blocks = Object.keys(resourceDetectionProcessor.args.blocks!);
    for (const name of ["system", "docker", "heroku", "consul", "kubernetes_node", "kubeadm"]) assert.ok(blocks.includes(name), name);
    assert.ok(!blocks.includes("env"));
    assert.match(decode(resourceDetectionProcessor, `env { }\n${ALL_OUTPUTS}`).errors[0]!, /unrecognized block name "env"/);
  });

  test("dotted attribute block names decode, with per-attribute defaults", () => {
    const text = `detectors = ["system"]\nsystem {\n resource_attributes {\n  host.id { enabled = true }\n  os.type { enabled = false }\n }\n}\n${ALL_OUTPUTS}`;
    const { args, errors } = decode(resourceDetectionProcessor, text);
    assert.deepEqual(errors, []);
    const ra = (args.system as { resource_attributes: Record<string, { enabled: boolean }> }).resource_attributes;
    assert.deepEqual([ra["host.id"]!.enabled, ra["os.type"]!.enabled, ra["host.name"]!.enabled, ra["host.arch"]!.enabled], [true, false, true, false]);
    assert.match(decode(resourceDetectionProcessor, `system { resource_attributes { host.nope { enabled = true } } }\n${ALL_OUTPUTS}`).errors[0]!, /unrecognized block name "host.nope"/);
  });
});

describe("otelcol.processor.resourcedetection with the seed configuration", () => {
  const SEED = `detectors = ["env", "system"]\nsystem {\n hostname_sources = ["os"]\n}\n${ALL_OUTPUTS}`;

  test("adds exactly host.name (= os.hostname()) and os.type, replacing the app's host.name; items untouched", async () => {
    const p = await start(SEED, {});
    const req = tracesFixture();
    req.resourceSpans[0]!.resource!.attributes.push(create(ResourceSchema, { attributes: [str("host.name", "app-host")] }).attributes[0]!);
    const batch = Batch.decode("traces", toBinary(ExportTraceServiceRequestSchema, req));
    await p.input.consumeTraces(batch);
    const [out] = p.out.got;
    assert.ok(out!.isLite(), "resource-only changes keep the batch lite");
    const [a, b] = resourcesOf(out!);
    assert.deepEqual(a, { "service.name": "a", "process.pid": 42n, "host.name": hostname(), "os.type": osTypeOf(process.platform) });
    assert.deepEqual(b, { "host.name": hostname(), "os.type": osTypeOf(process.platform) });
    // Spans are the very bytes that came in.
    const bytes = out!.toBinary();
    for (const scope of req.resourceSpans.flatMap((r) => r.scopeSpans)) {
      assert.ok(Buffer.from(bytes).includes(Buffer.from(toBinary(ScopeSpansSchema, scope))), "scope bytes unchanged");
    }
    // The system detector's schema URL fills the empty one only.
    assert.deepEqual(schemaUrlsOf(out as Batch<"traces">), ["https://opentelemetry.io/schemas/1.26.0", "https://opentelemetry.io/schemas/1.6.1"]);
    assert.equal(p.component.health?.(), undefined);
    await p.stop();
  });

  test("OTEL_RESOURCE_ATTRIBUTES of the gateway: env is listed first, so its host.name wins", async () => {
    const env: Record<string, string> = { OTEL_RESOURCE_ATTRIBUTES: "host.name=from-env,deployment.environment=prod%20eu" };
    const p = await start(SEED, { env: (n) => env[n] });
    await p.input.consumeTraces(tracesBatch());
    const [, b] = resourcesOf(p.out.got[0]!);
    assert.deepEqual(b, { "host.name": "from-env", "deployment.environment": "prod eu", "os.type": osTypeOf(process.platform) });
    await p.stop();
  });

  test("every signal is enriched and stays lite", async () => {
    const p = await start(SEED);
    await p.input.consumeTraces(tracesBatch());
    await p.input.consumeMetrics(metricsBatch());
    await p.input.consumeLogs(logsBatch());
    assert.deepEqual(p.out.got.map((b) => b.signal), ["traces", "metrics", "logs"]);
    for (const b of p.out.got) {
      assert.ok(b.isLite(), b.signal);
      for (const r of resourcesOf(b)) assert.equal(r["host.name"], hostname(), b.signal);
    }
    await p.stop();
  });

  test("resource_attributes switches: os.type off, host.arch on", async () => {
    const p = await start(`detectors = ["system"]\nsystem {\n hostname_sources = ["os"]\n resource_attributes {\n  os.type { enabled = false }\n  host.arch { enabled = true }\n }\n}\n${ALL_OUTPUTS}`);
    await p.input.consumeLogs(logsBatch());
    assert.deepEqual(Object.keys(resourcesOf(p.out.got[0]!)[1]!).sort(), ["host.arch", "host.name", "process.pid", "service.name"]);
    await p.stop();
  });
});

describe("otelcol.processor.resourcedetection merging and applying (spec §2.1, §2.2)", () => {
  const A = () => fake("a", { k: "from-a", only_a: "1" }, { schemaUrl: "" });
  const B = () => fake("b", { k: "from-b", only_b: "2", "service.name": "detected" }, { schemaUrl: "https://b/schema" });

  test("the first listed detector that provides a key wins", async () => {
    for (const [order, expected] of [[`["a", "b"]`, "from-a"], [`["b", "a"]`, "from-b"]] as const) {
      const p = await start(`detectors = ${order}\n${ALL_OUTPUTS}`, withFakes(A(), B()));
      await p.input.consumeTraces(tracesBatch());
      const [, res] = resourcesOf(p.out.got[0]!);
      assert.equal(res!.k, expected, order);
      assert.equal(res!.only_a, "1");
      assert.equal(res!.only_b, "2");
      await p.stop();
    }
  });

  test("override = true replaces client values; false only adds missing keys", async () => {
    for (const override of [true, false]) {
      const p = await start(`detectors = ["b"]\noverride = ${override}\n${ALL_OUTPUTS}`, withFakes(B()));
      await p.input.consumeTraces(tracesBatch());
      const [a] = resourcesOf(p.out.got[0]!);
      assert.equal(a!["service.name"], override ? "detected" : "a");
      assert.equal(a!.only_b, "2");
      await p.stop();
    }
  });

  test("schema_url: kept when set, else the first non-empty detected one", async () => {
    const p = await start(`detectors = ["a", "b"]\n${ALL_OUTPUTS}`, withFakes(A(), B()));
    await p.input.consumeTraces(tracesBatch());
    assert.deepEqual(schemaUrlsOf(p.out.got[0] as Batch<"traces">), ["https://opentelemetry.io/schemas/1.26.0", "https://b/schema"]);
    await p.stop();
  });

  test("nothing detected → resources untouched, bytes identical", async () => {
    const p = await start(`detectors = ["env"]\n${ALL_OUTPUTS}`);
    const bytes = toBinary(ExportTraceServiceRequestSchema, tracesFixture());
    await p.input.consumeTraces(Batch.decode("traces", bytes));
    assert.deepEqual(p.out.got[0]!.toBinary(), bytes);
    await p.stop();
  });

  test("values keep their types; every resource gets its own copy", () => {
    const r1 = create(ResourceSchema, { attributes: [str("keep", "x")] });
    const r2 = create(ResourceSchema);
    const detected: [string, string | number | boolean | string[]][] = [["s", "v"], ["n", 3], ["f", 1.5], ["b", true], ["l", ["x", "y"]]];
    mergeInto(r1, detected, true);
    mergeInto(r2, detected, true);
    assert.deepEqual(r1.attributes.map((kv) => [kv.key, kv.value?.value.case]), [["keep", "stringValue"], ["s", "stringValue"], ["n", "intValue"], ["f", "doubleValue"], ["b", "boolValue"], ["l", "arrayValue"]]);
    assert.notEqual(r1.attributes[1]!.value, r2.attributes[0]!.value);
  });

  test("signals without outputs are refused as unsupported", async () => {
    const p = await start(`detectors = ["env"]\noutput { traces = [sink] }`);
    await assert.rejects(p.input.consumeLogs(logsBatch()), (e: unknown) => e instanceof PipelineError && !e.permanent && /telemetry type is not supported/.test(e.message));
    await p.stop();
  });
});

describe("otelcol.processor.resourcedetection detection lifecycle (spec §2.1)", () => {
  test("detection runs in run(), not in build, once, and is cached", async () => {
    const a = fake("a", { k: "v" });
    const p = await start(`detectors = ["a"]\n${ALL_OUTPUTS}`, withFakes(a), false);
    assert.equal(a.calls, 0, "build has no side effects");
    const stopping = p.stop(); // starts run() then aborts at once
    await stopping;
    const q = await start(`detectors = ["a"]\n${ALL_OUTPUTS}`, withFakes(a));
    for (let i = 0; i < 3; i++) await q.input.consumeTraces(tracesBatch());
    assert.ok(a.calls <= 2, `detected ${a.calls} times`);
    await q.stop();
  });

  test("data that arrives while detection runs waits for it instead of passing unenriched", async () => {
    const p = await start(`detectors = ["a"]\n${ALL_OUTPUTS}`, withFakes(fake("a", { late: "yes" }, { delayMs: 80 })));
    await p.input.consumeTraces(tracesBatch());
    assert.equal(resourcesOf(p.out.got[0]!)[0]!.late, "yes");
    await p.stop();
  });

  test("data waits at most `timeout` when detection has not started", async () => {
    const p = await start(`detectors = ["a"]\ntimeout = "60ms"\n${ALL_OUTPUTS}`, withFakes(fake("a", {})), false);
    await assert.rejects(p.input.consumeTraces(tracesBatch()), (e: unknown) => e instanceof PipelineError && !e.permanent && /has not finished/.test(e.message));
    await p.stop();
  });

  test("all detectors run concurrently", async () => {
    const started = Date.now();
    const p = await start(`detectors = ["a", "b"]\n${ALL_OUTPUTS}`, withFakes(fake("a", { x: "1" }, { delayMs: 150 }), fake("b", { y: "2" }, { delayMs: 150 })));
    await p.input.consumeTraces(tracesBatch());
    assert.ok(Date.now() - started < 280, `took ${Date.now() - started}ms`);
    await p.stop();
  });

  test("a failing detector is retried with backoff until it succeeds", async () => {
    const a = fake("a", { k: "third time" }, { failTimes: 2 });
    const p = await start(`detectors = ["a"]\ntimeout = "2s"\n${ALL_OUTPUTS}`, withFakes(a));
    await p.input.consumeTraces(tracesBatch());
    assert.equal(a.calls, 3);
    assert.equal(resourcesOf(p.out.got[0]!)[0]!.k, "third time");
    assert.equal(p.logs.filter((l) => l.includes("failed to detect resource") && l.includes("detector=a")).length, 2);
    assert.equal(p.component.health?.(), undefined);
    await p.stop();
  });

  test("a detector that still fails at `timeout` makes the component unhealthy and refuses data (retryable)", async () => {
    const env: Record<string, string> = { OTEL_RESOURCE_ATTRIBUTES: "not a pair" };
    const started = Date.now();
    const p = await start(`detectors = ["env", "system"]\nsystem { hostname_sources = ["os"] }\ntimeout = "200ms"\n${ALL_OUTPUTS}`, { env: (n) => env[n] });
    const err = await p.input.consumeTraces(tracesBatch()).catch((e: unknown) => e);
    assert.ok(err instanceof PipelineError && !err.permanent, String(err));
    assert.match((err as Error).message, /resource detection failed: env: invalid resource format/);
    assert.ok(Date.now() - started >= 150, "retried until the timeout");
    const h = p.component.health?.();
    assert.equal(h?.state, "unhealthy");
    assert.match(h!.message, /env: invalid resource format/);
    assert.ok(p.logs.filter((l) => l.includes("failed to detect resource")).length >= 2, "retried");
    assert.deepEqual(p.out.got, []);
    await p.stop();
  });

  test("a detector whose source never answers contributes nothing, logged; detection ends at `timeout`", async () => {
    const started = Date.now();
    const p = await start(`detectors = ["a", "slow"]\ntimeout = "150ms"\n${ALL_OUTPUTS}`, withFakes(fake("a", { k: "v" }), hanging("slow")));
    await p.input.consumeTraces(tracesBatch());
    const took = Date.now() - started;
    assert.ok(took >= 140 && took < 1000, `took ${took}ms`);
    assert.deepEqual(resourcesOf(p.out.got[0]!)[1], { k: "v" });
    assert.ok(p.logs.some((l) => l.includes("level=warn") && l.includes("could not reach its source") && l.includes("detector=slow")));
    assert.equal(p.component.health?.(), undefined);
    await p.stop();
  });

  test("a real detector against a fake agent on loopback that never answers (consul)", async () => {
    const agent = await fakeServer(silent);
    try {
      const started = Date.now();
      const p = await start(`detectors = ["consul", "system"]\ntimeout = "300ms"\nconsul { address = "${agent.hostPort}" }\nsystem { hostname_sources = ["os"] }\n${ALL_OUTPUTS}`);
      await p.input.consumeTraces(tracesBatch());
      assert.ok(Date.now() - started < 1500);
      assert.deepEqual(Object.keys(resourcesOf(p.out.got[0]!)[1]!).sort(), ["host.name", "os.type"]);
      assert.ok(p.logs.some((l) => l.includes("could not reach its source") && l.includes("detector=consul")));
      await p.stop();
    } finally {
      await agent.close();
    }
  });

  test("with fail_on_missing_metadata an unreachable source is an error", async () => {
    const gone = fake("gone", {}, { error: () => new SourceUnavailableError("connection refused") });
    const p = await start(`detectors = ["gone"]\ntimeout = "100ms"\nfail_on_missing_metadata = true\n${ALL_OUTPUTS}`, withFakes(gone));
    await assert.rejects(p.input.consumeTraces(tracesBatch()), /resource detection failed: gone: source unavailable: connection refused/);
    assert.equal(p.component.health?.()?.state, "unhealthy");
    await p.stop();
  });

  test("update: changed detector settings detect again; an override change does not", async () => {
    const a = fake("a", { k: "v" });
    const b = fake("b", { k: "w" });
    const p = await start(`detectors = ["a"]\n${ALL_OUTPUTS}`, withFakes(a, b));
    await p.input.consumeTraces(tracesBatch());
    assert.equal(a.calls, 1);
    await p.component.update(decode(p.def, `detectors = ["a"]\noverride = false\n${ALL_OUTPUTS}`, p.out).args);
    await p.input.consumeTraces(tracesBatch());
    assert.equal(a.calls, 1, "override alone does not re-detect");
    await p.component.update(decode(p.def, `detectors = ["b", "a"]\n${ALL_OUTPUTS}`, p.out).args);
    await p.input.consumeTraces(tracesBatch());
    assert.deepEqual([a.calls, b.calls], [2, 1]);
    assert.equal(resourcesOf(p.out.got[2]!)[1]!.k, "w");
    await p.stop();
  });

  test("update recovers an unhealthy component when the fix re-detects", async () => {
    const env: Record<string, string> = { OTEL_RESOURCE_ATTRIBUTES: "bad" };
    const p = await start(`detectors = ["env"]\ntimeout = "100ms"\n${ALL_OUTPUTS}`, { env: (n) => env[n] });
    await sleep(150);
    assert.equal(p.component.health?.()?.state, "unhealthy");
    env.OTEL_RESOURCE_ATTRIBUTES = "good=1";
    await p.component.update(decode(p.def, `detectors = ["env"]\ntimeout = "120ms"\n${ALL_OUTPUTS}`, p.out).args);
    await p.input.consumeTraces(tracesBatch());
    assert.equal(p.component.health?.(), undefined);
    assert.equal(resourcesOf(p.out.got[0]!)[0]!.good, "1");
    await p.stop();
  });
});
