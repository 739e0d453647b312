import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ResourceLogsSchema } from "../../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { ResourceSpansSchema } from "../../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { type TransformArgs, transformProcessor } from "../../../../src/components/otelcol/processor/transform.ts";
import { Batch } from "../../../../src/otlp/batch.ts";
import { PipelineError } from "../../../../src/otlp/errors.ts";
import { allMetricTypes, decode, kvs, plain, pointAttributes, resourceMetrics, start } from "./ottl_harness.ts";

// The seed pipeline's transform (spec: seed-pipeline.alloy), with a test sink as output.
const SEED = `
error_mode = "ignore"

metric_statements {
    context    = "datapoint"
    statements = [
        "set(attributes[\\"deployment.environment\\"], resource.attributes[\\"deployment.environment\\"])",
        "set(attributes[\\"service.version\\"], resource.attributes[\\"service.version\\"])",
    ]
}

output {
    metrics = [sink]
}
`;

const metricsBatch = (...rms: ReturnType<typeof resourceMetrics>[]) => Batch.fromResources("metrics", rms);

describe("otelcol.processor.transform: the seed pipeline", () => {
  test("every data point of every metric type gets the resource's environment and version", async () => {
    const p = await start(transformProcessor, SEED);
    const full = resourceMetrics({ "service.name": "api", "deployment.environment": "prod", "service.version": "1.2.3" }, allMetricTypes(3, "a"));
    const partial = resourceMetrics({ "service.name": "worker", "deployment.environment": "staging" }, allMetricTypes(2, "b"));
    const none = resourceMetrics({ "service.name": "batch" }, allMetricTypes(2, "c"));
    await p.input.consumeMetrics(metricsBatch(full, partial, none));
    const points = pointAttributes(p.out.got[0] as Batch<"metrics">);
    assert.equal(points.length, 5 * 3 + 5 * 2 + 5 * 2);
    for (const [name, attrs] of points) {
      if (name.startsWith("a.")) assert.deepEqual(Object.keys(attrs), ["i", "deployment.environment", "service.version"], name);
      if (name.startsWith("a.")) assert.equal(attrs["service.version"], "1.2.3");
      // Absent resource attribute: set with nil does nothing, no empty attribute appears (as in Alloy).
      if (name.startsWith("b.")) assert.deepEqual(attrs, { i: attrs.i, "deployment.environment": "staging" }, name);
      if (name.startsWith("c.")) assert.deepEqual(attrs, { i: attrs.i }, name);
    }
    const types = new Set(points.map(([n]) => n.slice(2)));
    assert.deepEqual([...types].sort(), ["exphistogram", "gauge", "histogram", "sum", "summary"]);
  });

  test("the attribute keeps its type (an int resource attribute stays an int)", async () => {
    const p = await start(transformProcessor, SEED);
    await p.input.consumeMetrics(metricsBatch(resourceMetrics({ "deployment.environment": 7n }, allMetricTypes(1))));
    const [, attrs] = pointAttributes(p.out.got[0] as Batch<"metrics">)[0]!;
    assert.equal(attrs["deployment.environment"], 7n);
  });

  test("executions are counted per statement on /metrics", async () => {
    const p = await start(transformProcessor, SEED);
    await p.input.consumeMetrics(metricsBatch(resourceMetrics({ "deployment.environment": "prod" }, allMetricTypes(2))));
    const text = p.metrics.expose();
    assert.match(text, /otelcol_processor_transform_statement_executions_total\{component_id="test",group="metric_statements\[0\]",statement="set\(attributes\[\\"deployment.environment\\"\].*\} 10/);
  });

  test("traces and logs pass through untouched (no statements for them)", async () => {
    const p = await start(transformProcessor, SEED.replace("metrics = [sink]", "metrics = [sink]\n traces = [sink]"));
    const bytes = toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ scopeSpans: [{ spans: [{ name: "s" }] }] }] }));
    const b = Batch.decode("traces", bytes);
    await p.input.consumeTraces(b);
    assert.equal(p.out.got[0]!.isLite(), true);
    assert.deepEqual([...p.out.got[0]!.toBinary()], [...bytes]);
  });

  test("a signal without an output list is not supported", async () => {
    const p = await start(transformProcessor, SEED);
    await assert.rejects(p.input.consumeLogs(Batch.empty("logs")), /telemetry type is not supported/);
  });
});

describe("otelcol.processor.transform: execution", () => {
  const logsBatch = (attrs: Array<Record<string, unknown>>, resourceAttrs: Record<string, unknown> = {}) => {
    const rl = create(ResourceLogsSchema, { resource: {}, scopeLogs: [{ logRecords: attrs.map(() => ({})) }] });
    rl.resource!.attributes = kvs(resourceAttrs);
    rl.scopeLogs[0]!.logRecords.forEach((r, i) => (r.attributes = kvs(attrs[i]!)));
    return Batch.fromResources("logs", [rl]);
  };
  const records = (b: Batch<"logs">) => b.full()[0]!.scopeLogs[0]!.logRecords.map((r) => plain(r.attributes));

  test("resource-only groups never decode items", async () => {
    const p = await start(transformProcessor, 'log_statements {\n context = "resource"\n statements = [`set(attributes["r"], "yes")`]\n}\noutput { logs = [sink] }');
    const req = create(ExportLogsServiceRequestSchema, { resourceLogs: [{ resource: {}, scopeLogs: [{ logRecords: [{ body: { value: { case: "stringValue", value: "x" } } }] }] }] });
    const lite = Batch.decode("logs", toBinary(ExportLogsServiceRequestSchema, req));
    await p.input.consumeLogs(lite);
    const out = p.out.got[0] as Batch<"logs">;
    assert.equal(out.isLite(), true);
    assert.deepEqual(plain(out.resources()[0]!.attributes), { r: "yes" });
  });

  test("groups run in order, each over the whole batch; statements in order per item", async () => {
    const p = await start(
      transformProcessor,
      `log_statements {
  context = "log"
  statements = ["set(attributes[\\"n\\"], 1) where attributes[\\"n\\"] == nil", "set(attributes[\\"m\\"], attributes[\\"n\\"])"]
}
log_statements {
  context = "log"
  statements = ["set(attributes[\\"n\\"], 2)"]
}
output { logs = [sink] }`,
    );
    await p.input.consumeLogs(logsBatch([{}, { n: 5n }]));
    assert.deepEqual(records(p.out.got[0] as Batch<"logs">), [{ n: 2n, m: 1n }, { n: 2n, m: 5n }]);
  });

  test("cache is per item and per group (pitfall 10)", async () => {
    const p = await start(
      transformProcessor,
      `log_statements {
  context = "log"
  statements = ["set(cache[\\"x\\"], attributes[\\"v\\"])", "set(attributes[\\"same_group\\"], cache[\\"x\\"])"]
}
log_statements {
  context = "log"
  statements = ["set(attributes[\\"next_group\\"], cache[\\"x\\"])"]
}
output { logs = [sink] }`,
    );
    await p.input.consumeLogs(logsBatch([{ v: "a" }, {}]));
    assert.deepEqual(records(p.out.got[0] as Batch<"logs">), [{ v: "a", same_group: "a" }, {}]);
  });

  test("group conditions are OR-ed (E17)", async () => {
    const p = await start(
      transformProcessor,
      'log_statements {\n context = "log"\n conditions = [`attributes["a"] == 1`, `attributes["b"] == 2`]\n statements = [`set(attributes["g"], true)`]\n}\noutput { logs = [sink] }',
    );
    await p.input.consumeLogs(logsBatch([{ a: 1n }, { b: 2n }, { a: 0n, b: 0n }]));
    assert.deepEqual(records(p.out.got[0] as Batch<"logs">).map((r) => r.g), [true, true, undefined]);
  });

  test("the flat statements block infers contexts and runs after the context blocks", async () => {
    const p = await start(
      transformProcessor,
      `statements {
  log = [\`set(log.attributes["order"], Concat([log.attributes["order"], "flat"], ","))\`]
}
log_statements {
  context = "log"
  statements = [\`set(attributes["order"], "block")\`]
}
output { logs = [sink] }`,
    );
    await p.input.consumeLogs(logsBatch([{}]));
    assert.deepEqual(records(p.out.got[0] as Batch<"logs">), [{ order: "block,flat" }]);
  });

  test("propagate (Alloy's default): one bad record fails the whole batch", async () => {
    const p = await start(transformProcessor, 'log_statements {\n context = "log"\n statements = [`set(attributes["x"], attributes["s"]["k"])`]\n}\noutput { logs = [sink] }');
    const err = await p.input.consumeLogs(logsBatch([{ s: {} }, { s: "str" }])).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof PipelineError);
    assert.equal(err.permanent, true);
    assert.match(err.message, /failed to execute statement: set\(attributes\["x"\], attributes\["s"\]\["k"\]\), type Str does not support string indexing \(log_statements\[0\], on log record/);
    assert.equal(p.out.got.length, 0);
  });

  test("ignore: the failing statement is skipped for that item, logged and counted; the rest runs", async () => {
    const p = await start(
      transformProcessor,
      'error_mode = "ignore"\nlog_statements {\n context = "log"\n statements = [`set(attributes["x"], attributes["s"]["k"])`, `set(attributes["after"], true)`]\n}\noutput { logs = [sink] }',
    );
    await p.input.consumeLogs(logsBatch([{ s: { k: "v" } }, { s: "str" }]));
    assert.deepEqual(records(p.out.got[0] as Batch<"logs">), [{ s: { k: "v" }, x: "v", after: true }, { s: "str", after: true }]);
    assert.equal(p.logs.filter((l) => l.includes("failed to execute statement")).length, 1);
    assert.match(p.metrics.expose(), /otelcol_processor_transform_statement_errors_total\{component_id="test",group="log_statements\[0\]",statement="set\(attributes\[\\"x\\"\], attributes\[\\"s\\"\]\[\\"k\\"\]\)"\} 1/);
  });

  test("silent: like ignore without logging", async () => {
    const p = await start(transformProcessor, 'error_mode = "silent"\nlog_statements {\n context = "log"\n statements = [`set(attributes["x"], 1 / 0)`]\n}\noutput { logs = [sink] }');
    await p.input.consumeLogs(logsBatch([{}]));
    assert.equal(p.out.got.length, 1);
    assert.equal(p.logs.length, 0);
  });

  test("a group's error_mode overrides the component's", async () => {
    const p = await start(transformProcessor, 'log_statements {\n context = "log"\n error_mode = "ignore"\n statements = [`set(attributes["x"], 1 / 0)`]\n}\noutput { logs = [sink] }');
    await p.input.consumeLogs(logsBatch([{}]));
    assert.equal(p.out.got.length, 1);
  });

  test("an erroring condition counts as false under ignore", async () => {
    const p = await start(transformProcessor, 'error_mode = "ignore"\nlog_statements {\n context = "log"\n conditions = [`attributes["s"]["k"] == 1`]\n statements = [`set(attributes["hit"], true)`]\n}\noutput { logs = [sink] }');
    await p.input.consumeLogs(logsBatch([{ s: "str" }, { s: { k: 1n } }]));
    assert.deepEqual(records(p.out.got[0] as Batch<"logs">).map((r) => r.hit), [undefined, true]);
  });

  test("deeply nested attribute data becomes a counted error, never a crash", async () => {
    const p = await start(transformProcessor, 'error_mode = "ignore"\nlog_statements {\n context = "log"\n statements = [`set(attributes["copy"], attributes["deep"])`]\n}\noutput { logs = [sink] }');
    const b = logsBatch([{}]);
    const rec = b.full()[0]!.scopeLogs[0]!.logRecords[0]!;
    // 200k levels, built iteratively: far past any JS stack when copied recursively.
    let deep = kvs({ k: "leaf" });
    for (let i = 0; i < 200_000; i++) {
      const inner = deep;
      deep = kvs({ k: {} });
      const v = deep[0]!.value!.value;
      if (v.case === "kvlistValue") v.value.values = inner;
    }
    rec.attributes = kvs({ deep: {} });
    const top = rec.attributes[0]!.value!.value;
    if (top.case === "kvlistValue") top.value.values = deep;
    await p.input.consumeLogs(b);
    assert.equal(p.out.got.length, 1);
    assert.match(p.metrics.expose(), /statement_errors_total\{[^}]*\} 1/);
  });

  test("items a group appends are visited by the same group (copy_metric)", async () => {
    const p = await start(
      transformProcessor,
      `metric_statements {
  context = "metric"
  statements = [
    \`copy_metric(name = "m.gauge.copy") where metric.name == "m.gauge"\`,
    \`set(metric.description, "visited") where metric.name == "m.gauge.copy"\`,
  ]
}
output { metrics = [sink] }`,
    );
    await p.input.consumeMetrics(metricsBatch(resourceMetrics({}, allMetricTypes(1))));
    const metrics = (p.out.got[0] as Batch<"metrics">).full()[0]!.scopeMetrics[0]!.metrics;
    const copy = metrics.find((m) => m.name === "m.gauge.copy");
    assert.equal(copy?.description, "visited");
  });

  test("span and spanevent contexts walk every span and event", async () => {
    const p = await start(
      transformProcessor,
      `trace_statements {
  context = "span"
  statements = [\`set(attributes["svc"], resource.attributes["service.name"])\`]
}
trace_statements {
  context = "spanevent"
  statements = [\`set(attributes["span"], span.name)\`]
}
output { traces = [sink] }`,
    );
    const rs = create(ResourceSpansSchema, { resource: {}, scopeSpans: [{ spans: [{ name: "a", events: [{ name: "e1" }, { name: "e2" }] }, { name: "b" }] }] });
    rs.resource!.attributes = kvs({ "service.name": "svc" });
    await p.input.consumeTraces(Batch.fromResources("traces", [rs]));
    const spans = (p.out.got[0] as Batch<"traces">).full()[0]!.scopeSpans[0]!.spans;
    assert.deepEqual(spans.map((s) => plain(s.attributes)), [{ svc: "svc" }, { svc: "svc" }]);
    assert.deepEqual(spans[0]!.events.map((e) => plain(e.attributes)), [{ span: "a" }, { span: "a" }]);
  });

  test("update replaces the program", async () => {
    const p = await start(transformProcessor, 'log_statements {\n context = "log"\n statements = [`set(attributes["v"], 1)`]\n}\noutput { logs = [sink] }');
    const next = decode(transformProcessor, 'log_statements {\n context = "log"\n statements = [`set(attributes["v"], 2)`]\n}\noutput { logs = [sink] }', p.out).args;
    await p.component.update(next as TransformArgs);
    await p.input.consumeLogs(logsBatch([{}]));
    assert.deepEqual(records(p.out.got[0] as Batch<"logs">), [{ v: 2n }]);
  });
});

describe("otelcol.processor.transform: configuration", () => {
  const problems = (body: string) => decode(transformProcessor, body).problems.map((p) => `${p.span.start.line}:${p.span.start.col} ${p.severity} ${p.message}`);

  test("error_mode defaults to propagate, as in Alloy", () => {
    assert.equal(transformProcessor.args.attrs!.error_mode!.default, "propagate");
  });
  test("a bad statement is reported at its exact file position, with the column inside the statement", () => {
    const body = 'log_statements {\n  context = "log"\n  statements = [`set(attributes["a"], 1)`, `set(atributes["a"], 1)`]\n}\noutput { logs = [sink] }';
    assert.deepEqual(problems(body), ['3:49 error OTTL statement 2, column 5: unknown path log.atributes in the log context (did you mean log.attributes?)']);
  });
  test("escapes in a quoted Alloy string are accounted for", () => {
    const body = 'log_statements {\n  context = "log"\n  statements = ["set(attributes[\\"a\\"], Nope(1))"]\n}\noutput { logs = [sink] }';
    assert.deepEqual(problems(body), ["3:41 error OTTL statement 1, column 22: undefined function Nope (did you mean Now?)"]);
  });
  test("a context not valid for the signal", () => {
    assert.deepEqual(problems('trace_statements {\n  context = "log"\n  statements = []\n}\noutput { traces = [sink] }'), [
      '2:13 error context "log" is not available for traces statements (use one of resource, scope, span, spanevent)',
    ]);
  });
  test("an unknown context", () => assert.match(problems('log_statements {\n  context = "nope"\n  statements = []\n}\noutput { logs = [sink] }')[0]!, /unknown context nope/));
  test("conditions are checked too", () => {
    assert.deepEqual(problems('log_statements {\n  context = "log"\n  conditions = [`attributes["a"] ==`]\n  statements = []\n}\noutput { logs = [sink] }'), [
      "3:36 error OTTL condition 1, column 19: expected a value, found end of statement",
    ]);
  });
  test("flat statements must use prefixed paths", () => {
    assert.match(problems('statements {\n  log = [`set(attributes["a"], 1)`]\n}\noutput { logs = [sink] }')[0]!, /must start with a context name/);
  });
  test("writing the resource from a log group is a warning (pitfall 1)", () => {
    assert.match(problems('log_statements {\n  context = "log"\n  statements = [`set(resource.attributes["x"], attributes["x"])`]\n}\noutput { logs = [sink] }')[0]!, /^3:22 warning .*last write wins/);
  });
  test('comparing metric.type with "Sum" is a warning that suggests the enum (pitfall 2)', () => {
    assert.deepEqual(problems('metric_statements {\n  context = "metric"\n  statements = [`set(description, "Sum") where type == "Sum"`]\n}\noutput { metrics = [sink] }'), [
      '3:56 warning OTTL statement 1, column 39: type is an int, so comparing it with the string "Sum" is never true; use METRIC_DATA_TYPE_SUM',
    ]);
  });
  test("an inferred spanevent context that also writes spans is a warning (§4.3)", () => {
    const found = problems('statements {\n  trace = [`set(span.name, "a")`, `set(spanevent.name, "b")`]\n}\noutput { traces = [sink] }');
    assert.ok(found.some((f) => /^2:17 warning OTTL statement 1, column 5: the inferred context is spanevent/.test(f)), found.join("\n"));
    assert.ok(found.every((f) => f.includes("warning")));
  });
  test("every broken statement is reported, not only the first", () => {
    const body = 'log_statements {\n  context = "log"\n  statements = [`set(`, `nope()`, `set(attributes["a"], "\\q")`]\n}\noutput { logs = [sink] }';
    assert.equal(problems(body).length, 3);
  });
});
