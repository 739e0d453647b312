import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { AggregationTemporality } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { type BatchArgs, HOLD_DRAIN_MS, TOO_MANY_BATCHERS, batchProcessor, validateBatchArgs } from "../../../../src/components/otelcol/processor/batch.ts";
import { Batch, type Signal } from "../../../../src/otlp/index.ts";
import type { Consumer } from "../../../../src/otlp/consumer.ts";
import { PipelineError } from "../../../../src/otlp/errors.ts";
import type { ComponentOptions } from "../../../../src/runtime/component.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule, ObjectValue } from "../../../../src/runtime/value.ts";

const ID = "otelcol.processor.batch.test";

// ---- data ----------------------------------------------------------------------------------

/** Encoded traces request: one resource `svc`, one scope, spans named `${prefix}-${i}`. */
function tracesBytes(n: number, prefix = "s", service = "svc"): Uint8Array {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: new Uint8Array(16).fill(1),
    spanId: Uint8Array.of(0, 0, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255, 7),
    name: `${prefix}-${i}`,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
  }));
  const resource = { attributes: [{ key: "service.name", value: { value: { case: "stringValue" as const, value: service } } }] };
  return toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "lib" }, spans }] }] }));
}

/** A lite traces batch of `n` spans. */
function traces(n: number, prefix = "s", metadata?: Record<string, string[]>): Batch<"traces"> {
  return Batch.decode("traces", tracesBytes(n, prefix), metadata ? new Map(Object.entries(metadata)) : undefined);
}

/** A lite metrics batch: a gauge with `gauge` points and a histogram with `hist` points. */
function metrics(gauge: number, hist: number): Batch<"metrics"> {
  const pt = (i: number) => ({ timeUnixNano: BigInt(i + 1), attributes: [{ key: "i", value: { value: { case: "intValue" as const, value: BigInt(i) } } }] });
  const req = create(ExportMetricsServiceRequestSchema, {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              { name: "g", data: { case: "gauge", value: { dataPoints: Array.from({ length: gauge }, (_, i) => ({ ...pt(i), value: { case: "asInt" as const, value: 1n } })) } } },
              { name: "h", data: { case: "histogram", value: { aggregationTemporality: AggregationTemporality.DELTA, dataPoints: Array.from({ length: hist }, (_, i) => ({ ...pt(i), count: 3n, bucketCounts: [1n, 2n], explicitBounds: [5] })) } } },
            ],
          },
        ],
      },
    ],
  });
  return Batch.decode("metrics", toBinary(ExportMetricsServiceRequestSchema, req));
}

function logs(n: number): Batch<"logs"> {
  const logRecords = Array.from({ length: n }, (_, i) => ({ body: { value: { case: "stringValue" as const, value: `line ${i}` } } }));
  return Batch.decode("logs", toBinary(ExportLogsServiceRequestSchema, create(ExportLogsServiceRequestSchema, { resourceLogs: [{ scopeLogs: [{ logRecords }] }] })));
}

/** Span names of a traces batch, in order (decodes a copy, so the original stays lite). */
function names(b: Batch<"traces">): string[] {
  const req = fromBinary(ExportTraceServiceRequestSchema, b.toBinary());
  return req.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));
}

const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}-${from + i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- harness -------------------------------------------------------------------------------

/** A consumer that records what it gets; `fail` makes it throw. */
class Capture implements Consumer {
  got: Array<Batch<Signal>> = [];
  fail: Error | undefined;
  private take = async (b: Batch<Signal>) => {
    if (this.fail) throw this.fail;
    this.got.push(b);
  };
  consumeTraces = this.take;
  consumeMetrics = this.take;
  consumeLogs = this.take;
  sizes(): number[] {
    return this.got.map((b) => b.itemCount());
  }
}

const DEFAULTS = { timeout: 200, send_batch_size: 2000, send_batch_max_size: 3000, metadata_keys: [], metadata_cardinality_limit: 1000, debug_metrics: { disable_high_cardinality_metrics: true } };

async function start(args: Partial<BatchArgs>, out = new Capture(), signals: Signal[] = ["traces", "metrics", "logs"]) {
  const sink = memorySink();
  const metrics = new MetricsRegistry();
  let exports: ObjectValue = {};
  const opts: ComponentOptions = {
    id: ID,
    dataPath: "/nonexistent",
    logger: createLogger(sink, { component_id: ID }),
    metrics: metrics.with({ component_id: ID }),
    onStateChange: (e) => (exports = e),
  };
  const output = { traces: [] as Consumer[], metrics: [] as Consumer[], logs: [] as Consumer[] };
  for (const s of signals) output[s] = [out];
  const full: BatchArgs = { ...DEFAULTS, output, ...args };
  const component = await batchProcessor.build(opts, full);
  const input = (exports.input as Capsule<Consumer>).value;
  const ctrl = new AbortController();
  const running = component.run(ctrl.signal);
  const stop = async () => {
    ctrl.abort();
    await running;
  };
  return { input, out, component, sink, metrics, stop, args: full };
}

// ---- tests ---------------------------------------------------------------------------------

describe("otelcol.processor.batch arguments", () => {
  test("defaults are Alloy's", () => {
    const a = batchProcessor.args.attrs!;
    assert.equal(a.timeout!.default, 200);
    assert.equal(a.send_batch_size!.default, 2000);
    assert.equal(a.send_batch_max_size!.default, 3000);
    assert.deepEqual(a.metadata_keys!.default, []);
    assert.equal(a.metadata_cardinality_limit!.default, 1000);
    assert.equal(batchProcessor.args.blocks!.output!.required, true);
  });

  test("validation names the keys", () => {
    const base = { ...DEFAULTS, output: { traces: [], metrics: [], logs: [] } };
    assert.deepEqual(validateBatchArgs({ ...base, send_batch_size: 2000, send_batch_max_size: 1000 }), ["send_batch_max_size must be greater or equal to send_batch_size when not 0"]);
    assert.deepEqual(validateBatchArgs({ ...base, send_batch_size: 5000, send_batch_max_size: 0 }), []);
    assert.deepEqual(validateBatchArgs({ ...base, metadata_keys: ["X-Tenant", "x-tenant"] }), ['duplicate entry in metadata_keys: "x-tenant" (case-insensitive)']);
  });
});

describe("otelcol.processor.batch triggers", () => {
  test("size trigger: 2000 items arriving in pieces leave as one batch of 2000", async () => {
    const p = await start({ timeout: 10_000 });
    for (let i = 0; i < 3; i++) await p.input.consumeTraces(traces(500, `p${i}`));
    assert.deepEqual(p.out.sizes(), []);
    await p.input.consumeTraces(traces(500, "p3"));
    assert.deepEqual(p.out.sizes(), [2000]);
    assert.deepEqual(names(p.out.got[0] as Batch<"traces">), [0, 1, 2, 3].flatMap((i) => range(`p${i}`, 0, 500)));
    assert.match(p.metrics.expose(), /otelcol_processor_batch_batch_size_trigger_send_total\{component_id="otelcol\.processor\.batch\.test",processor="batch\/otelcol\.processor\.batch\.test"\} 1/);
    await p.stop();
  });

  test("timeout trigger sends what is pending", async () => {
    const p = await start({ timeout: 30 });
    await p.input.consumeTraces(traces(10));
    assert.deepEqual(p.out.sizes(), []);
    await sleep(120);
    assert.deepEqual(p.out.sizes(), [10]);
    assert.match(p.metrics.expose(), /otelcol_processor_batch_timeout_trigger_send_total\{[^}]*\} 1/);
    await p.stop();
  });

  test("split at send_batch_max_size: 7000 → 3000, 3000 now, 1000 on the timer", async () => {
    const p = await start({ timeout: 100 });
    await p.input.consumeTraces(traces(7000));
    assert.deepEqual(p.out.sizes(), [3000, 3000]);
    await sleep(300);
    assert.deepEqual(p.out.sizes(), [3000, 3000, 1000]);
    const all = p.out.got.flatMap((b) => names(b as Batch<"traces">));
    assert.deepEqual(all, range("s", 0, 7000));
    // Each half keeps its resource and scope.
    for (const b of p.out.got) {
      const req = fromBinary(ExportTraceServiceRequestSchema, b.toBinary());
      assert.equal(req.resourceSpans[0]!.resource!.attributes[0]!.value!.value.value, "svc");
      assert.equal(req.resourceSpans[0]!.scopeSpans[0]!.scope!.name, "lib");
    }
    assert.match(p.metrics.expose(), /otelcol_processor_batch_batch_send_size_sum\{[^}]*\} 7000/);
    await p.stop();
  });

  test("send_batch_size 0 sends at once, still split by max", async () => {
    const p = await start({ send_batch_size: 0, send_batch_max_size: 3000, timeout: 10_000 });
    await p.input.consumeTraces(traces(7000));
    assert.deepEqual(p.out.sizes(), [3000, 3000, 1000]);
    await p.input.consumeTraces(traces(5));
    assert.deepEqual(p.out.sizes(), [3000, 3000, 1000, 5]);
    await p.stop();
  });

  test("timeout 0 sends at once", async () => {
    const p = await start({ timeout: 0 });
    await p.input.consumeTraces(traces(3));
    await p.input.consumeTraces(traces(4));
    assert.deepEqual(p.out.sizes(), [3, 4]);
    await p.stop();
  });

  test("max 0: a batch may be any size", async () => {
    const p = await start({ send_batch_size: 100, send_batch_max_size: 0, timeout: 10_000 });
    await p.input.consumeTraces(traces(7000));
    assert.deepEqual(p.out.sizes(), [7000]);
    await p.stop();
  });

  test("a size-triggered send restarts the timer", async () => {
    const p = await start({ send_batch_size: 10, timeout: 200 });
    await p.input.consumeTraces(traces(5, "a"));
    await sleep(100);
    await p.input.consumeTraces(traces(8, "b")); // 13 ≥ 10: all 13 leave now
    assert.deepEqual(p.out.sizes(), [13]);
    await p.input.consumeTraces(traces(2, "c"));
    await sleep(130); // 230 ms after the first arrival: the old timer would have fired by now
    assert.deepEqual(p.out.sizes(), [13]);
    await sleep(250);
    assert.deepEqual(p.out.sizes(), [13, 2]);
    await p.stop();
  });

  test("batches without items are ignored", async () => {
    const p = await start({ send_batch_size: 0 });
    await p.input.consumeTraces(Batch.empty("traces"));
    await p.input.consumeTraces(traces(0));
    await p.stop();
    assert.deepEqual(p.out.sizes(), []);
  });

  test("metrics are counted in data points (a histogram point counts 1)", async () => {
    const p = await start({ send_batch_size: 5, send_batch_max_size: 0, timeout: 10_000 });
    await p.input.consumeMetrics(metrics(2, 1)); // 3 points
    assert.deepEqual(p.out.sizes(), []);
    await p.input.consumeMetrics(metrics(1, 1)); // 5 points
    assert.deepEqual(p.out.sizes(), [5]);
    assert.equal(p.out.got[0]!.signal, "metrics");
    await p.stop();
  });

  test("signals are batched independently", async () => {
    const p = await start({ send_batch_size: 10, timeout: 10_000 });
    await p.input.consumeTraces(traces(6));
    await p.input.consumeLogs(logs(6));
    assert.deepEqual(p.out.sizes(), []);
    await p.input.consumeLogs(logs(4));
    assert.deepEqual(p.out.got.map((b) => [b.signal, b.itemCount()]), [["logs", 10]]);
    await p.stop();
  });
});

describe("otelcol.processor.batch data", () => {
  test("output is byte-exact concatenation of the input, and stays lite", async () => {
    const p = await start({ send_batch_size: 30, timeout: 10_000 });
    const a = tracesBytes(10, "a", "one");
    const b = tracesBytes(20, "b", "two");
    await p.input.consumeTraces(Batch.decode("traces", a));
    await p.input.consumeTraces(Batch.decode("traces", b));
    assert.equal(p.out.got.length, 1);
    const got = p.out.got[0]!;
    assert.equal(got.isLite(), true);
    // Request = repeated resource entries, so concatenated requests are the merged request.
    assert.deepEqual(got.toBinary(), Uint8Array.from([...a, ...b]));
    const decoded = fromBinary(ExportTraceServiceRequestSchema, got.toBinary());
    assert.equal(decoded.resourceSpans.length, 2, "equal resources are not merged, different ones neither");
    await p.stop();
  });

  test("split batches stay lite", async () => {
    const p = await start({ send_batch_size: 0, send_batch_max_size: 4, timeout: 10_000 });
    await p.input.consumeTraces(traces(10));
    assert.deepEqual(p.out.sizes(), [4, 4, 2]);
    assert.ok(p.out.got.every((b) => b.isLite()));
    await p.stop();
  });

  test("shutdown flushes everything pending, in every signal", async () => {
    const p = await start({ send_batch_size: 10_000, send_batch_max_size: 10_000, timeout: 60_000 });
    await p.input.consumeTraces(traces(10));
    await p.input.consumeLogs(logs(3));
    assert.deepEqual(p.out.sizes(), []);
    await p.stop();
    assert.deepEqual(p.out.got.map((b) => [b.signal, b.itemCount()]).sort(), [["logs", 3], ["traces", 10]]);

    const q = await start({ send_batch_size: 8000, send_batch_max_size: 8000, timeout: 60_000 });
    await q.input.consumeTraces(traces(7000));
    await q.component.update({ ...q.args }); // unchanged settings: nothing is flushed
    assert.deepEqual(q.out.sizes(), []);
    await q.stop();
    assert.deepEqual(q.out.sizes(), [7000]);
  });

  test("data arriving after shutdown is sent at once", async () => {
    const p = await start({ timeout: 60_000 });
    await p.stop();
    await p.input.consumeTraces(traces(2));
    assert.deepEqual(p.out.sizes(), [2]);
  });
});

describe("otelcol.processor.batch metadata", () => {
  test("one shard per metadata combination; outgoing batches carry only those keys", async () => {
    const p = await start({ metadata_keys: ["X-Tenant"], send_batch_size: 10, timeout: 10_000 });
    await p.input.consumeTraces(traces(6, "a", { "x-tenant": ["a"], "x-other": ["1"] }));
    await p.input.consumeTraces(traces(6, "b", { "x-tenant": ["b"] }));
    assert.deepEqual(p.out.sizes(), []); // 12 spans in all, but 6 per shard
    await p.input.consumeTraces(traces(4, "a2", { "x-tenant": ["a"], "x-other": ["2"] }));
    assert.deepEqual(p.out.sizes(), [10]);
    assert.deepEqual([...p.out.got[0]!.metadata], [["x-tenant", ["a"]]]);
    assert.deepEqual(names(p.out.got[0] as Batch<"traces">), [...range("a", 0, 6), ...range("a2", 0, 4)]);
    await p.stop();
    assert.deepEqual(p.out.sizes(), [10, 6]);
    assert.deepEqual([...p.out.got[1]!.metadata], [["x-tenant", ["b"]]]);
    assert.match(p.metrics.expose(), /otelcol_processor_batch_metadata_cardinality\{[^}]*\} 2/);
  });

  test("past metadata_cardinality_limit new combinations get a permanent error", async () => {
    const p = await start({ metadata_keys: ["tenant"], metadata_cardinality_limit: 2, timeout: 10_000 });
    await p.input.consumeTraces(traces(1, "a", { tenant: ["a"] }));
    await p.input.consumeTraces(traces(1, "b", { tenant: ["b"] }));
    await assert.rejects(p.input.consumeTraces(traces(1, "c", { tenant: ["c"] })), (err: unknown) => {
      assert.ok(err instanceof PipelineError);
      assert.equal(err.message, TOO_MANY_BATCHERS);
      assert.equal(err.message, "too many batcher metadata-value combinations");
      assert.equal(err.permanent, true);
      return true;
    });
    await p.input.consumeTraces(traces(1, "a", { tenant: ["a"] })); // existing combinations still work
    await p.stop();
    assert.deepEqual(p.out.sizes().sort(), [1, 2]);
  });
});

describe("otelcol.processor.batch errors and wiring", () => {
  test("sends of one shard run one at a time, in order, even when downstream is slow", async () => {
    const log: string[] = [];
    const slow = new Capture();
    const take = async (b: Batch<Signal>) => {
      const first = names(b as Batch<"traces">)[0]!;
      log.push(`start ${first}`);
      await sleep(20);
      log.push(`end ${first}`);
    };
    slow.consumeTraces = take;
    const p = await start({ send_batch_size: 0 }, slow);
    await Promise.all([p.input.consumeTraces(traces(1, "a")), p.input.consumeTraces(traces(1, "b")), p.input.consumeTraces(traces(1, "c"))]);
    assert.deepEqual(log, ["start a-0", "end a-0", "start b-0", "end b-0", "start c-0", "end c-0"]);
    await p.stop();
  });

  test("a permanent downstream error is logged as Sender failed, never returned, and the batch dropped", async () => {
    const out = new Capture();
    out.fail = PipelineError.permanent("backend says no");
    const p = await start({ send_batch_size: 0 }, out);
    await p.input.consumeTraces(traces(3)); // resolves
    const line = p.sink.lines.find((l) => l.includes("Sender failed"));
    assert.ok(line, p.sink.lines.join("\n"));
    assert.match(line, /level=warn/);
    assert.match(line, /backend says no/);
    assert.doesNotMatch(p.metrics.expose(), /batch_send_size_count/); // failed sends are not recorded
    await p.input.consumeTraces(traces(2)); // nothing is held: new data is taken
    await p.stop();
    assert.equal(p.sink.lines.filter((l) => l.includes("Sender failed")).length, 2);
  });

  test("a batch refused with a retryable error is kept and offered again; new data is refused meanwhile", async () => {
    const out = new Capture();
    out.fail = PipelineError.retryable("sending queue is full");
    const p = await start({ send_batch_size: 0 }, out);
    await p.input.consumeTraces(traces(3, "a")); // resolves: the batch is the processor's now
    const held = p.sink.lines.find((l) => l.includes("keeping the batch"));
    assert.ok(held, p.sink.lines.join("\n"));
    assert.match(held, /level=warn .*sending queue is full/);
    const err = await p.input.consumeTraces(traces(2, "b")).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof PipelineError && !err.permanent, `new data is refused with a retryable error: ${err}`);
    assert.match(err.message, /a traces batch is waiting for an output that refused it \(sending queue is full\); retry later/);
    await p.input.consumeLogs(logs(1)); // another signal is another shard
    out.fail = undefined;
    const deadline = Date.now() + 5_000;
    while (out.got.filter((b) => b.signal === "traces").length === 0 && Date.now() < deadline) await sleep(20);
    const got = out.got.filter((b) => b.signal === "traces") as Batch<"traces">[];
    assert.deepEqual(got.map(names), [range("a", 0, 3)], "the kept batch arrives once");
    await p.input.consumeTraces(traces(2, "c")); // taken again
    assert.deepEqual(names(out.got.at(-1) as Batch<"traces">), range("c", 0, 2));
    assert.match(p.metrics.expose(), /batch_send_size_count\{[^}]*\} 3/);
    await p.stop();
  });

  test("fan-out: only the output that refused gets the batch again", async () => {
    const ok = new Capture();
    const flaky = new Capture();
    flaky.fail = PipelineError.retryable("sending queue is full");
    const p = await start({ send_batch_size: 0, output: { traces: [ok, flaky], metrics: [], logs: [] } });
    await p.input.consumeTraces(traces(4));
    await sleep(350); // two more offers to `flaky`
    flaky.fail = undefined;
    const deadline = Date.now() + 5_000;
    while (flaky.got.length === 0 && Date.now() < deadline) await sleep(20);
    assert.deepEqual(ok.sizes(), [4]);
    assert.deepEqual(flaky.sizes(), [4]);
    await p.stop();
  });

  test("a lite batch is offered again as it was, even when the refusing output changed it", async () => {
    const out = new Capture();
    let calls = 0;
    out.consumeTraces = async (b) => {
      if (++calls === 1) {
        for (const rs of (b as Batch<"traces">).full()) for (const ss of rs.scopeSpans) for (const sp of ss.spans) sp.name = "changed";
        throw PipelineError.retryable("downstream refused after a change");
      }
      out.got.push(b);
    };
    const p = await start({ send_batch_size: 0 }, out);
    await p.input.consumeTraces(traces(2, "x"));
    const deadline = Date.now() + 5_000;
    while (out.got.length === 0 && Date.now() < deadline) await sleep(20);
    assert.deepEqual(out.got.map((b) => names(b as Batch<"traces">)), [range("x", 0, 2)]);
    await p.stop();
  });

  test("a decoded batch is not copied for the last output; the output that refused it gets the same batch again", async () => {
    const ok = new Capture();
    const flaky = new Capture();
    const seen: Batch<Signal>[] = [];
    let calls = 0;
    flaky.consumeTraces = async (b) => {
      seen.push(b);
      if (++calls === 1) throw PipelineError.retryable("sending queue is full");
      flaky.got.push(b);
    };
    const p = await start({ send_batch_size: 0, output: { traces: [ok, flaky], metrics: [], logs: [] } });
    const batch = traces(3, "f");
    batch.full();
    await p.input.consumeTraces(batch);
    const deadline = Date.now() + 5_000;
    while (flaky.got.length === 0 && Date.now() < deadline) await sleep(20);
    assert.equal(seen.length, 2);
    assert.equal(seen[0], seen[1], "the refused batch itself is offered again");
    assert.notEqual(ok.got[0], seen[0]);
    assert.deepEqual([...ok.got, ...flaky.got].map((b) => names(b as Batch<"traces">)), [range("f", 0, 3), range("f", 0, 3)]);
    await p.stop();
  });

  test("shutdown offers a refused batch for a bounded time, then drops it and says so", async () => {
    const out = new Capture();
    out.fail = PipelineError.retryable("sending queue is shutting down");
    const p = await start({ timeout: 10_000 }, out);
    await p.input.consumeTraces(traces(5));
    const t0 = Date.now();
    await p.stop();
    const took = Date.now() - t0;
    assert.ok(took < HOLD_DRAIN_MS + 3_000, `stop took ${took} ms`);
    const line = p.sink.lines.find((l) => l.includes("Dropping data"));
    assert.ok(line, p.sink.lines.join("\n"));
    assert.match(line, /level=error .*at shutdown.*dropped_items=5/);
  });

  test("a signal with no output list is not supported", async () => {
    const p = await start({}, new Capture(), ["traces"]);
    await assert.rejects(p.input.consumeLogs(logs(1)), /telemetry type is not supported/);
    await p.stop();
  });

  test("update: a shard holding a batch for an output that was replaced takes new data for the new outputs", async () => {
    const old = new Capture();
    old.fail = PipelineError.retryable("sending queue is shutting down"); // e.g. an exporter removed by the reload
    const next = new Capture();
    const p = await start({ send_batch_size: 0 }, old, ["traces"]);
    await p.input.consumeTraces(traces(3, "a")); // kept: the old output refuses
    await assert.rejects(p.input.consumeTraces(traces(1, "r")), /waiting for an output that refused it/);
    await p.component.update({ ...p.args, output: { traces: [next], metrics: [], logs: [] } });
    await p.input.consumeTraces(traces(2, "b")); // not refused for the rest of the hold (up to 5 minutes)
    assert.deepEqual(next.got.map((b) => names(b as Batch<"traces">)), [range("b", 0, 2)]);
    // The kept batch is still bound for the outputs it was cut for.
    old.fail = undefined;
    const deadline = Date.now() + 5_000;
    while (old.got.length === 0 && Date.now() < deadline) await sleep(20);
    assert.deepEqual(old.got.map((b) => names(b as Batch<"traces">)), [range("a", 0, 3)]);
    await p.stop();
  });

  test("update: new output lists apply at once; changed settings flush to the old outputs first", async () => {
    const first = new Capture();
    const second = new Capture();
    const p = await start({ send_batch_size: 10, timeout: 60_000 }, first, ["traces"]);
    await p.input.consumeTraces(traces(4, "x"));
    await p.component.update({ ...p.args, output: { traces: [second], metrics: [], logs: [] } });
    assert.deepEqual(first.sizes(), []);
    await p.input.consumeTraces(traces(6, "y"));
    assert.deepEqual(second.sizes(), [10], "pending data goes to the new list");

    await p.input.consumeTraces(traces(3, "z"));
    await p.component.update({ ...p.args, send_batch_size: 2, output: { traces: [first], metrics: [], logs: [] } });
    await sleep(0);
    assert.deepEqual(second.sizes(), [10, 3], "flushed to where it was going");
    await p.input.consumeTraces(traces(2, "w"));
    assert.deepEqual(first.sizes(), [2], "new size applies");
    await p.stop();
  });
});
