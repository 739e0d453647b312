import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ResourceLogsSchema } from "../../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { ResourceSpansSchema } from "../../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { filterProcessor } from "../../../../src/components/otelcol/processor/filter.ts";
import { Batch } from "../../../../src/otlp/batch.ts";
import { PipelineError } from "../../../../src/otlp/errors.ts";
import { allMetricTypes, decode, kvs, plain, resourceMetrics, start } from "./ottl_harness.ts";

function traces(): Batch<"traces"> {
  const rs = create(ResourceSpansSchema, {
    resource: {},
    scopeSpans: [
      { scope: { name: "keep" }, spans: [{ name: "a", events: [{ name: "exception" }, { name: "log" }] }, { name: "health" }] },
      { scope: { name: "gone" }, spans: [{ name: "health" }] },
    ],
  });
  rs.resource!.attributes = kvs({ "service.name": "svc" });
  return Batch.fromResources("traces", [rs]);
}

function logs(severities: number[]): Batch<"logs"> {
  const rl = create(ResourceLogsSchema, { resource: {}, scopeLogs: [{ logRecords: severities.map((s, i) => ({ severityNumber: s, timeUnixNano: BigInt(i) })) }] });
  return Batch.fromResources("logs", [rl]);
}

describe("otelcol.processor.filter", () => {
  test("drops matching spans and span events; empty scopes go too", async () => {
    const p = await start(filterProcessor, 'traces {\n span = [`name == "health"`]\n spanevent = [`name == "log"`]\n}\noutput { traces = [sink] }');
    await p.input.consumeTraces(traces());
    const rs = (p.out.got[0] as Batch<"traces">).full();
    assert.equal(rs[0]!.scopeSpans.length, 1);
    const spans = rs[0]!.scopeSpans[0]!.spans;
    assert.deepEqual(spans.map((s) => s.name), ["a"]);
    assert.deepEqual(spans[0]!.events.map((e) => e.name), ["exception"]);
    assert.match(p.metrics.expose(), /otelcol_processor_filter_spans_filtered_total\{component_id="test"\} 2/);
  });

  test("conditions reach resource and scope", async () => {
    const p = await start(filterProcessor, 'traces {\n span = [`resource.attributes["service.name"] == "svc" and instrumentation_scope.name == "gone"`]\n}\noutput { traces = [sink] }');
    await p.input.consumeTraces(traces());
    const names = (p.out.got[0] as Batch<"traces">).full()[0]!.scopeSpans.map((s) => s.scope?.name);
    assert.deepEqual(names, ["keep"]);
  });

  test("a batch filtered to nothing is not forwarded, and is no error", async () => {
    const p = await start(filterProcessor, "traces {\n span = [`true`]\n}\noutput { traces = [sink] }");
    await p.input.consumeTraces(traces());
    assert.equal(p.out.got.length, 0);
  });

  test("signals without conditions pass untouched (empty batches too)", async () => {
    const p = await start(filterProcessor, "traces {\n span = [`true`]\n}\noutput {\n traces = [sink]\n logs = [sink]\n}");
    await p.input.consumeLogs(Batch.empty("logs"));
    assert.equal(p.out.got.length, 1);
  });

  test("drops metrics, and data points of every type; metrics left without points go", async () => {
    const p = await start(filterProcessor, 'metrics {\n metric = [`name == "m.summary"`]\n datapoint = [`attributes["i"] == 0`, `metric.type == METRIC_DATA_TYPE_HISTOGRAM`]\n}\noutput { metrics = [sink] }');
    await p.input.consumeMetrics(Batch.fromResources("metrics", [resourceMetrics({}, allMetricTypes(2))]));
    const metrics = (p.out.got[0] as Batch<"metrics">).full()[0]!.scopeMetrics[0]!.metrics;
    assert.deepEqual(metrics.map((m) => [m.name, m.data.value?.dataPoints.map((d) => plain(d.attributes).i)]), [
      ["m.gauge", [1n]],
      ["m.sum", [1n]],
      ["m.exphistogram", [1n]],
    ]);
    assert.match(p.metrics.expose(), /otelcol_processor_filter_datapoints_filtered_total\{component_id="test"\} 7/);
  });

  test("filter-only HasAttrOnDatapoint / HasAttrKeyOnDatapoint in the metric context", async () => {
    const p = await start(filterProcessor, 'metrics {\n metric = [`HasAttrOnDatapoint("i", "x")`, `HasAttrKeyOnDatapoint("i") and name == "m.gauge"`]\n}\noutput { metrics = [sink] }');
    await p.input.consumeMetrics(Batch.fromResources("metrics", [resourceMetrics({}, allMetricTypes(1))]));
    const names = (p.out.got[0] as Batch<"metrics">).full()[0]!.scopeMetrics[0]!.metrics.map((m) => m.name);
    assert.deepEqual(names, ["m.sum", "m.histogram", "m.exphistogram", "m.summary"]);
  });

  test("drops log records by severity", async () => {
    const p = await start(filterProcessor, "logs {\n log_record = [`severity_number < SEVERITY_NUMBER_WARN`]\n}\noutput { logs = [sink] }");
    await p.input.consumeLogs(logs([5, 13, 9, 17]));
    const recs = (p.out.got[0] as Batch<"logs">).full()[0]!.scopeLogs[0]!.logRecords;
    assert.deepEqual(recs.map((r) => r.severityNumber), [13, 17]);
  });

  test("propagate (default): an erroring condition fails the batch", async () => {
    const p = await start(filterProcessor, 'logs {\n log_record = [`attributes["a"]["b"] == 1`]\n}\noutput { logs = [sink] }');
    const b = logs([1]);
    b.full()[0]!.scopeLogs[0]!.logRecords[0]!.attributes = kvs({ a: "str" });
    await assert.rejects(p.input.consumeLogs(b), (e: unknown) => e instanceof PipelineError && /failed to evaluate condition/.test(e.message));
    assert.equal(p.out.got.length, 0);
  });

  test("ignore: an erroring condition keeps the item, is logged and counted", async () => {
    const p = await start(filterProcessor, 'error_mode = "ignore"\nlogs {\n log_record = [`attributes["a"]["b"] == 1`]\n}\noutput { logs = [sink] }');
    const b = logs([1]);
    b.full()[0]!.scopeLogs[0]!.logRecords[0]!.attributes = kvs({ a: "str" });
    await p.input.consumeLogs(b);
    assert.equal((p.out.got[0] as Batch<"logs">).itemCount(), 1);
    assert.equal(p.logs.filter((l) => l.includes("failed to evaluate condition")).length, 1);
    assert.match(p.metrics.expose(), /otelcol_processor_filter_condition_errors_total\{component_id="test",condition="attributes\[\\"a\\"\]\[\\"b\\"\] == 1"\} 1/);
  });

  test("load errors are positioned", () => {
    const { problems } = decode(filterProcessor, 'traces {\n  span = [`name = "x"`]\n}\noutput { traces = [sink] }');
    assert.deepEqual(problems.map((p) => `${p.span.start.line}:${p.span.start.col} ${p.message}`), ['2:17 OTTL condition 1, column 6: = is not a comparison; use == to compare']);
  });

  test("error_mode defaults to propagate, as in Alloy", () => assert.equal(filterProcessor.args.attrs!.error_mode!.default, "propagate"));
});
