import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Code as GrpcCode, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { RetryInfoSchema } from "../../../../gen/google/rpc/error_details_pb.ts";
import { StatusSchema } from "../../../../gen/google/rpc/status_pb.ts";
import { ExportTraceServiceRequestSchema, TraceService } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import {
  DATA_REFUSED,
  type MemoryLimiterArgs,
  type MemoryProbe,
  MemoryLimiter,
  defineMemoryLimiter,
  limitingConsumer,
  limitsOf,
  memoryLimiterProcessor,
  retryDelayMs,
  validateMemoryLimiterArgs,
} from "../../../../src/components/otelcol/processor/memory_limiter.ts";
import { Batch } from "../../../../src/otlp/batch.ts";
import type { Consumer } from "../../../../src/otlp/consumer.ts";
import { Code, PipelineError } from "../../../../src/otlp/errors.ts";
import { decodeBody } from "../../../../src/runtime/decode.ts";
import type { EvalError } from "../../../../src/runtime/errors.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule, ObjectValue } from "../../../../src/runtime/value.ts";
import { parseFile } from "../../../../src/syntax/parser.ts";
import { Capture, logsBytes, sample, startReceiver, tracesBytes, waitFor } from "../receiver/otlp_fixtures.ts";

const MiB = 1024 * 1024;
const traces = () => Batch.decode("traces", tracesBytes());
const logs = () => Batch.decode("logs", logsBytes());
const ID = "otelcol.processor.memory_limiter.test";

/** Decodes a component body written in Alloy syntax (output left empty). */
function decode(text: string): { args: MemoryLimiterArgs; errors: string[] } {
  const { file, diagnostics } = parseFile("test.alloy", `${text}\noutput {}`);
  if (diagnostics.length > 0) throw new Error(`parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, memoryLimiterProcessor.args, {}, file, problems) as unknown as MemoryLimiterArgs;
  return { args, errors: problems.filter((p) => p.severity === "error").map((p) => p.message) };
}

function args(over: Partial<MemoryLimiterArgs> = {}): MemoryLimiterArgs {
  return {
    check_interval: 1000,
    limit: 100 * MiB,
    spike_limit: 20 * MiB,
    limit_percentage: 0,
    spike_limit_percentage: 0,
    min_gc_interval_when_soft_limited: 10_000,
    min_gc_interval_when_hard_limited: 0,
    output: { traces: [], metrics: [], logs: [] },
    debug_metrics: { disable_high_cardinality_metrics: true },
    ...over,
  };
}

/** A probe with a settable reading and clock; gc() runs `onGc` (which may lower the reading). */
class FakeProbe implements MemoryProbe {
  used = 0;
  clock = 1_000_000;
  gcs = 0;
  canGc = true;
  totalBytes = 1000 * MiB;
  onGc: () => void = () => {};
  read = () => this.used;
  gc = () => {
    if (!this.canGc) return false;
    this.gcs++;
    this.onGc();
    return true;
  };
  total = () => ({ bytes: this.totalBytes, source: "cgroup v2" as const });
  now = () => this.clock;
}

function limiter(over: Partial<MemoryLimiterArgs> = {}, probe = new FakeProbe()) {
  const sink = memorySink();
  const l = new MemoryLimiter(args(over), probe, createLogger(sink));
  return { l, probe, lines: sink.lines };
}

describe("otelcol.processor.memory_limiter arguments", () => {
  test("check_interval is required; the rest default as in Alloy", () => {
    assert.deepEqual(decode(`limit = "100MiB"`).errors, ['missing required attribute "check_interval"']);
    const { args: a, errors } = decode(`check_interval = "1s"\nlimit = "100MiB"`);
    assert.deepEqual(errors, []);
    assert.equal(a.check_interval, 1000);
    assert.equal(a.limit, 100 * MiB);
    assert.equal(a.spike_limit, 0);
    assert.equal(a.limit_percentage, 0);
    assert.equal(a.spike_limit_percentage, 0);
    assert.equal(a.min_gc_interval_when_soft_limited, 10_000);
    assert.equal(a.min_gc_interval_when_hard_limited, 0);
  });

  test("validation messages follow Alloy's and upstream's, in Alloy's attribute names", () => {
    const v = (text: string) => decode(text).errors;
    assert.deepEqual(v(`check_interval = "1s"`), ["'limit' or 'limit_percentage' must be greater than zero"]);
    assert.deepEqual(v(`check_interval = "0s"\nlimit = "10MiB"`), ["'check_interval' must be greater than zero"]);
    assert.deepEqual(v(`check_interval = "1s"\nlimit = "10MiB"\nlimit_percentage = 50\nspike_limit_percentage = 10`), ["either limit or limit_percentage must be set, but not both"]);
    assert.deepEqual(v(`check_interval = "1s"\nlimit_percentage = 50`), ["limit_percentage and spike_limit_percentage must be greater than 0 and less than or equal to 100"]);
    assert.deepEqual(v(`check_interval = "1s"\nlimit_percentage = 101\nspike_limit_percentage = 10`), ["limit_percentage and spike_limit_percentage must be greater than 0 and less than or equal to 100"]);
    assert.deepEqual(v(`check_interval = "1s"\nlimit_percentage = 20\nspike_limit_percentage = 20`), ["'spike_limit_percentage' must be smaller than 'limit_percentage'"]);
    assert.deepEqual(v(`check_interval = "1s"\nlimit = "10MiB"\nspike_limit = "10MiB"`), ["'spike_limit' must be smaller than 'limit'"]);
    // Whole MiB: below 1 MiB is zero, and 1.5 MiB is 1 MiB (so a 1 MiB spike is not smaller).
    assert.deepEqual(v(`check_interval = "1s"\nlimit = "512KiB"`), ["'limit' or 'limit_percentage' must be greater than zero"]);
    assert.deepEqual(v(`check_interval = "1s"\nlimit = "1536KiB"\nspike_limit = "1MiB"`), ["'spike_limit' must be smaller than 'limit'"]);
    assert.deepEqual(v(`check_interval = "1s"\nlimit = "10MiB"\nmin_gc_interval_when_soft_limited = "1s"\nmin_gc_interval_when_hard_limited = "2s"`), [
      "'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'",
    ]);
    assert.deepEqual(v(`check_interval = "1s"\nlimit_percentage = 80\nspike_limit_percentage = 20`), []);
    assert.deepEqual(validateMemoryLimiterArgs(args({ limit: 0, limit_percentage: -1 })), ["limit_percentage and spike_limit_percentage must not be negative"]);
  });

  test("limits: spike defaults to a fifth of limit; percentages are of the total memory; whole MiB", () => {
    assert.deepEqual(limitsOf(args({ limit: 100 * MiB, spike_limit: 0 }), () => 0), { hard: 100 * MiB, soft: 80 * MiB });
    assert.deepEqual(limitsOf(args({ limit: 100 * MiB + 5, spike_limit: 30 * MiB + 7 }), () => 0), { hard: 100 * MiB, soft: 70 * MiB });
    assert.deepEqual(limitsOf(args({ limit: 0, limit_percentage: 80, spike_limit_percentage: 25 }), () => 1000 * MiB), { hard: 800 * MiB, soft: 550 * MiB });
  });

  test("the retry delay is the check interval in whole seconds, at least one", () => {
    assert.equal(retryDelayMs(100), 1000);
    assert.equal(retryDelayMs(1000), 1000);
    assert.equal(retryDelayMs(1500), 2000);
    assert.equal(retryDelayMs(5000), 5000);
  });
});

describe("otelcol.processor.memory_limiter checks", () => {
  test("below the soft limit nothing is refused and no GC is forced", () => {
    const { l, probe, lines } = limiter();
    probe.used = 79 * MiB;
    l.check();
    assert.equal(l.mustRefuse, false);
    assert.equal(probe.gcs, 0);
    assert.deepEqual(lines, []);
  });

  test("above the soft limit: one GC, then refusal while it stays high, logged once per transition", () => {
    const { l, probe, lines } = limiter();
    probe.used = 85 * MiB;
    l.check();
    assert.equal(probe.gcs, 1, "a GC is tried on entering the soft limit");
    assert.equal(l.mustRefuse, true);
    for (let i = 0; i < 5; i++) {
      probe.clock += 1000;
      l.check();
    }
    assert.equal(l.mustRefuse, true);
    assert.equal(probe.gcs, 1, "no more GCs within min_gc_interval_when_soft_limited");
    probe.clock += 5000; // 10 s after the first
    l.check();
    assert.equal(probe.gcs, 2, "another GC once min_gc_interval_when_soft_limited has passed");
    assert.equal(l.mustRefuse, true);
    assert.equal(lines.filter((s) => s.includes("above soft limit")).length, 1);
    probe.used = 60 * MiB;
    probe.clock += 1000;
    l.check();
    assert.equal(l.mustRefuse, false);
    assert.equal(lines.filter((s) => s.includes("back within limits")).length, 1);
    probe.clock += 1000;
    l.check();
    assert.equal(lines.filter((s) => s.includes("back within limits")).length, 1);
  });

  test("a GC that frees enough avoids refusing; the next one waits for min_gc_interval_when_soft_limited", () => {
    const { l, probe, lines } = limiter();
    probe.onGc = () => (probe.used = 50 * MiB);
    probe.used = 85 * MiB;
    l.check();
    assert.equal(probe.gcs, 1);
    assert.equal(l.mustRefuse, false);
    assert.deepEqual(lines, []);
    probe.used = 85 * MiB;
    probe.clock += 5_000; // within the 10 s floor: refuse without another GC
    l.check();
    assert.equal(probe.gcs, 1);
    assert.equal(l.mustRefuse, true);
  });

  test("above the hard limit a GC is forced every check (min_gc_interval_when_hard_limited = 0), warned once", () => {
    const { l, probe, lines } = limiter();
    probe.used = 120 * MiB;
    for (let i = 0; i < 3; i++) {
      l.check();
      probe.clock += 1000;
    }
    assert.equal(probe.gcs, 3);
    assert.equal(l.mustRefuse, true);
    assert.equal(lines.filter((s) => s.includes("above hard limit")).length, 1);
  });

  test("min_gc_interval_when_hard_limited spaces forced GCs out", () => {
    const { l, probe } = limiter({ min_gc_interval_when_hard_limited: 5000 });
    probe.used = 120 * MiB;
    for (let i = 0; i < 10; i++) {
      l.check();
      probe.clock += 1000;
    }
    assert.equal(probe.gcs, 2);
  });

  test("a runtime without a GC hook still refuses, and says so once", () => {
    const { l, probe, lines } = limiter();
    probe.canGc = false;
    probe.used = 120 * MiB;
    l.check();
    probe.clock += 1000;
    l.check();
    assert.equal(l.mustRefuse, true);
    assert.equal(lines.filter((s) => s.includes("cannot force a garbage collection")).length, 1);
  });

  test("percentage limits use the probe's total memory", () => {
    const probe = new FakeProbe();
    probe.totalBytes = 1000 * MiB;
    const { l, lines } = limiter({ limit: 0, spike_limit: 0, limit_percentage: 50, spike_limit_percentage: 10 }, probe);
    assert.deepEqual(l.current.limits, { hard: 500 * MiB, soft: 400 * MiB });
    assert.match(lines.join("\n"), /total_memory_mib=1000/);
    probe.used = 410 * MiB;
    l.check();
    assert.equal(l.mustRefuse, true);
  });
});

describe("otelcol.processor.memory_limiter consumer", () => {
  test("refuses with a retryable UNAVAILABLE carrying the retry delay; passes data on otherwise", async () => {
    const { l, probe } = limiter();
    const capture = new Capture();
    const refused: number[] = [];
    const input = limitingConsumer(l, () => ({ traces: [capture], metrics: [], logs: [] }), () => 2000, (_, n) => refused.push(n));
    await input.consumeTraces(traces());
    assert.equal(capture.received.length, 1);
    probe.used = 90 * MiB;
    l.check();
    const err = await input.consumeTraces(traces()).then(
      () => assert.fail("accepted"),
      (e: unknown) => e as PipelineError,
    );
    assert.ok(err instanceof PipelineError);
    assert.equal(err.message, DATA_REFUSED);
    assert.equal(err.code, Code.Unavailable);
    assert.equal(err.permanent, false);
    assert.equal(err.retryAfterMs, 2000);
    assert.deepEqual(refused, [traces().itemCount()]);
    assert.equal(capture.received.length, 1);
    // A signal without an output is "not supported", whatever the memory.
    await assert.rejects(input.consumeLogs(logs()), /telemetry type is not supported/);
  });
});

/** The component built around a fake probe, with its output going to `capture`. */
async function startComponent(probe: FakeProbe, capture: Consumer, over: Partial<MemoryLimiterArgs> = {}) {
  const metrics = new MetricsRegistry();
  let exports: ObjectValue = {};
  const def = defineMemoryLimiter(probe);
  const full = args({ ...over, output: { traces: [capture], metrics: [capture], logs: [capture] } });
  const sink = memorySink();
  const component = await def.build({ id: ID, dataPath: "/nonexistent", logger: createLogger(sink), metrics: metrics.with({ component_id: ID }), onStateChange: (e) => (exports = e) }, full);
  const input = (exports.input as Capsule<Consumer>).value;
  const ctrl = new AbortController();
  const running = component.run(ctrl.signal);
  return {
    input,
    metrics,
    component,
    lines: sink.lines,
    stop: async () => {
      ctrl.abort();
      await running;
    },
  };
}

describe("otelcol.processor.memory_limiter behind otelcol.receiver.otlp", () => {
  test("HTTP: 503 with Retry-After and a Status with RetryInfo; gRPC: UNAVAILABLE with RetryInfo; accepted again once memory falls", async () => {
    const probe = new FakeProbe();
    probe.used = 95 * MiB;
    const capture = new Capture();
    const ml = await startComponent(probe, capture, { check_interval: 50 });
    const r = await startReceiver(`grpc { endpoint = "127.0.0.1:0" }\nhttp { endpoint = "127.0.0.1:0" }\noutput {}`, ml.input);
    try {
      // OTLP/HTTP, protobuf and JSON.
      const res = await fetch(`${r.httpUrl}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: tracesBytes() as BodyInit });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "1");
      const st = fromBinary(StatusSchema, new Uint8Array(await res.arrayBuffer()));
      assert.equal(st.code, Code.Unavailable);
      assert.equal(st.message, DATA_REFUSED);
      assert.equal(anyUnpack(st.details[0]!, RetryInfoSchema)?.retryDelay?.seconds, 1n);
      const json = await fetch(`${r.httpUrl}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" }, body: traces().toJson() });
      assert.equal(json.status, 503);
      assert.equal(json.headers.get("retry-after"), "1");
      const body = (await json.json()) as { code: number; details: Array<{ "@type": string; retryDelay: string }> };
      assert.equal(body.code, Code.Unavailable);
      assert.deepEqual(body.details, [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" }]);

      // OTLP/gRPC.
      const client = createClient(TraceService, createGrpcTransport({ baseUrl: `http://${r.grpcAddress}` }));
      const request = fromBinary(ExportTraceServiceRequestSchema, tracesBytes());
      const err = await client.export(request).then(
        () => assert.fail("accepted"),
        (e: unknown) => ConnectError.from(e),
      );
      assert.equal(err.code, GrpcCode.Unavailable);
      assert.equal(err.rawMessage, DATA_REFUSED);
      assert.equal(err.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds, 1n);
      assert.equal(capture.received.length, 0);
      assert.equal(sample(ml.metrics, "otelcol_processor_refused_spans_total", { component_id: ID, processor: ID }), 3 * traces().itemCount());

      // Memory falls: the next check lets data through again.
      probe.used = 10 * MiB;
      await waitFor(() => (ml.component.debugInfo?.() as { refusing: boolean }).refusing === false);
      await client.export(request);
      const ok = await fetch(`${r.httpUrl}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: tracesBytes() as BodyInit });
      assert.equal(ok.status, 200);
      assert.equal(capture.received.length, 2);
      assert.equal(ml.lines.filter((s) => s.includes("above soft limit")).length, 1);
    } finally {
      await r.stop();
      await ml.stop();
    }
  });

  test("update applies new limits at the next check", async () => {
    const probe = new FakeProbe();
    probe.used = 50 * MiB;
    const ml = await startComponent(probe, new Capture(), { check_interval: 50 });
    try {
      assert.equal((ml.component.debugInfo?.() as { refusing: boolean }).refusing, false);
      await ml.component.update(args({ check_interval: 30, limit: 40 * MiB, spike_limit: 0, output: { traces: [new Capture()], metrics: [], logs: [] } }));
      await waitFor(() => (ml.component.debugInfo?.() as { refusing: boolean }).refusing === true);
      assert.equal((ml.component.debugInfo?.() as { hard_limit_bytes: number }).hard_limit_bytes, 40 * MiB);
    } finally {
      await ml.stop();
    }
  });
});
