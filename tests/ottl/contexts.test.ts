// Contexts and their paths (ottl.md §3): every context's fields, read-only paths, ancestors,
// old-style unprefixed paths, cache, ids, times, typed setters.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { InstrumentationScopeSchema } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import {
  ExponentialHistogramDataPointSchema,
  HistogramDataPointSchema,
  MetricSchema,
  SummaryDataPointSchema,
} from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { ScopeSpansSchema, Span_EventSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { compileStatement } from "../../src/ottl/compile.ts";
import { OTime, SpanID, TraceID, fromAny, toPlain } from "../../src/ottl/values.ts";
import { compileError, cond, gauge, kvs, log, plain, resource, run, runError, span, tctx } from "./helpers.ts";

const TRACE = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const SPAN = Uint8Array.from({ length: 8 }, (_, i) => i + 0xa0);

describe("resource context", () => {
  test("attributes, prefixed and unprefixed", () => {
    const r = resource({ a: "1" });
    const t = tctx("resource", { resource: r });
    run("resource", 'set(attributes["b"], resource.attributes["a"])', t);
    assert.deepEqual(plain(r.attributes), { a: "1", b: "1" });
  });
  test("dropped_attributes_count is an int", () => {
    const r = resource();
    run("resource", "set(resource.dropped_attributes_count, 3)", tctx("resource", { resource: r }));
    assert.equal(r.droppedAttributesCount, 3);
    assert.match(runError("resource", 'set(resource.dropped_attributes_count, "3")', tctx("resource", { resource: r })), /must be an int/);
  });
  test("schema_url reads and writes the entry", () => {
    const holder = { schemaUrl: "https://a" };
    const t = tctx("resource", { resourceHolder: holder as never });
    assert.equal(cond("resource", 'resource.schema_url == "https://a"', t), true);
    run("resource", 'set(resource.schema_url, "https://b")', t);
    assert.equal(holder.schemaUrl, "https://b");
  });
  test("whole attributes map replaced by a copy", () => {
    const r = resource({ a: "1" });
    run("resource", 'set(resource.attributes, {"x": 1})', tctx("resource", { resource: r }));
    assert.deepEqual(plain(r.attributes), { x: 1n });
  });
  test("setting attributes to a non-map is an error", () => assert.match(runError("resource", 'set(resource.attributes, "x")', tctx("resource")), /must be set to a map/));
  test("the resource context cannot reach spans", () => assert.match(compileError("resource", 'set(span.name, "x")').message, /cannot be used in the resource context/));
  test("the bare resource path is read-only", () => assert.match(compileError("resource", "set(resource, resource)").message, /cannot be replaced/));
});

describe("scope context", () => {
  test("name, version, attributes, both spellings", () => {
    const scope = create(InstrumentationScopeSchema, { name: "lib", version: "1" });
    const holder = create(ScopeSpansSchema, { scope });
    const t = tctx("scope", { scope, scopeHolder: holder });
    assert.equal(cond("scope", 'scope.name == "lib" and instrumentation_scope.version == "1" and name == "lib"', t), true);
    run("scope", 'set(scope.attributes["k"], "v")', t);
    run("scope", 'set(instrumentation_scope.version, "2")', t);
    assert.deepEqual([plain(scope.attributes), scope.version], [{ k: "v" }, "2"]);
  });
  test("a missing scope reads empty and is created on write", () => {
    const holder = create(ScopeSpansSchema);
    const t = tctx("span", { span: span(), scopeHolder: holder });
    assert.equal(cond("span", 'scope.name == ""', t), true);
    assert.equal(holder.scope, undefined);
    run("span", 'set(scope.name, "created")', t);
    assert.equal((holder as { scope?: { name: string } }).scope?.name, "created");
  });
  test("scope.schema_url", () => {
    const holder = create(ScopeSpansSchema, { schemaUrl: "s" });
    assert.equal(cond("span", 'scope.schema_url == "s"', tctx("span", { span: span(), scopeHolder: holder })), true);
  });
});

describe("span context", () => {
  const ids = () => span({}, { traceId: TRACE, spanId: SPAN, parentSpanId: new Uint8Array(0), name: "GET /x", kind: 2 });
  test("trace_id and span_id as id values and hex strings", () => {
    const t = tctx("span", { span: ids() });
    assert.equal(cond("span", 'span.trace_id.string == "0102030405060708090a0b0c0d0e0f10"', t), true);
    assert.equal(cond("span", 'span.span_id.string == "a0a1a2a3a4a5a6a7"', t), true);
    assert.equal(cond("span", "span.trace_id == TraceID(0x0102030405060708090a0b0c0d0e0f10)", t), true);
  });
  test("a root span's parent id is all zeros, not nil", () => {
    const t = tctx("span", { span: ids() });
    assert.equal(cond("span", "span.parent_span_id == nil", t), false);
    assert.equal(cond("span", "span.parent_span_id == SpanID(0x0000000000000000)", t), true);
    assert.equal(cond("span", 'span.parent_span_id.string == ""', t), true);
  });
  test("ids are settable from hex and from id values", () => {
    const s = ids();
    const t = tctx("span", { span: s });
    run("span", 'set(span.parent_span_id.string, "0102030405060708")', t);
    assert.deepEqual([...s.parentSpanId], [1, 2, 3, 4, 5, 6, 7, 8]);
    run("span", "set(span.trace_id, TraceID(0xffffffffffffffffffffffffffffffff))", t);
    assert.equal(s.traceId[0], 255);
    assert.match(runError("span", 'set(span.span_id.string, "xyz")', t), /16 hex characters/);
    assert.match(runError("span", 'set(span.trace_id, "abc")', t), /must be a TraceID/);
  });
  test("kind, kind.string and kind.deprecated_string", () => {
    const s = ids();
    const t = tctx("span", { span: s });
    assert.equal(cond("span", 'span.kind.string == "Server" and span.kind.deprecated_string == "SPAN_KIND_SERVER"', t), true);
    run("span", 'set(span.kind.string, "Client")', t);
    assert.equal(s.kind, 3);
    run("span", 'set(span.kind.deprecated_string, "SPAN_KIND_CONSUMER")', t);
    assert.equal(s.kind, 5);
    assert.match(runError("span", 'set(span.kind.string, "Nope")', t), /must be one of/);
  });
  test("status code and message; a missing status is created", () => {
    const s = ids();
    const t = tctx("span", { span: s });
    assert.equal(cond("span", "span.status.code == STATUS_CODE_UNSET", t), true);
    run("span", 'set(span.status.message, "boom")', t);
    run("span", "set(status.code, STATUS_CODE_ERROR)", t);
    assert.deepEqual([s.status?.code, s.status?.message], [2, "boom"]);
  });
  test("timestamps as ints and as times", () => {
    const s = span({}, { startTimeUnixNano: 1_700_000_000_000_000_000n, endTimeUnixNano: 1_700_000_001_000_000_000n });
    const t = tctx("span", { span: s });
    assert.equal(cond("span", "span.end_time - span.start_time == Duration(\"1s\")", t), true);
    run("span", "set(span.end_time_unix_nano, span.start_time_unix_nano + 5)", t);
    assert.equal(s.endTimeUnixNano, 1_700_000_000_000_000_005n);
    run("span", "set(span.end_time, span.start_time)", t);
    assert.equal(s.endTimeUnixNano, s.startTimeUnixNano);
    assert.match(runError("span", "set(span.start_time, 5)", t), /must be a time/);
  });
  test("name, flags, dropped counts", () => {
    const s = ids();
    const t = tctx("span", { span: s });
    run("span", 'set(name, "renamed")', t);
    run("span", "set(span.flags, 256)", t);
    run("span", "set(span.dropped_events_count, 2)", t);
    assert.deepEqual([s.name, s.flags, s.droppedEventsCount], ["renamed", 256, 2]);
    assert.match(runError("span", "set(span.name, 1)", t), /must be a string/);
    assert.match(runError("span", "set(span.dropped_links_count, -1)", t), /between 0 and/);
  });
  test("trace_state and one member by key", () => {
    const s = span({}, { traceState: "a=1,b=2" });
    const t = tctx("span", { span: s });
    assert.equal(cond("span", 'span.trace_state["b"] == "2"', t), true);
    assert.equal(cond("span", 'span.trace_state["zz"] == nil', t), true);
    run("span", 'set(span.trace_state["b"], "3")', t);
    assert.equal(s.traceState, "b=3,a=1");
  });
  test("events and links are whole slices", () => {
    const s = span({}, { events: [create(Span_EventSchema, { name: "e" })] });
    const other = span();
    run("span", "set(span.events, span.events)", tctx("span", { span: s }));
    assert.equal(s.events.length, 1);
    assert.match(runError("span", 'set(span.events, "x")', tctx("span", { span: other })), /only be set from another span/);
  });
  test("span context reaches resource and scope", () => {
    const t = tctx("span", { span: ids(), resource: resource({ "service.name": "svc" }), scope: create(InstrumentationScopeSchema, { name: "lib" }) });
    assert.equal(cond("span", 'resource.attributes["service.name"] == "svc" and instrumentation_scope.name == "lib"', t), true);
  });
  test("unknown fields get a suggestion", () => assert.match(compileError("span", 'set(span.nme, "x")').message, /did you mean span\.name/));
  test("the span context cannot reach its events", () => assert.match(compileError("span", 'set(spanevent.name, "x")').message, /cannot be used in the span context/));
  test("IsRootSpan", () => {
    assert.equal(cond("span", "IsRootSpan()", tctx("span", { span: ids() })), true);
  });
});

describe("spanevent context", () => {
  const ev = () => create(Span_EventSchema, { name: "exception", timeUnixNano: 5n, attributes: kvs({ "exception.type": "E" }) });
  test("event fields and the parent span", () => {
    const e = ev();
    const s = span({}, { name: "parent", events: [e] });
    const t = tctx("spanevent", { span: s, event: e, eventIndex: 0 });
    assert.equal(cond("spanevent", 'name == "exception" and span.name == "parent" and spanevent.event_index == 0', t), true);
    run("spanevent", 'set(spanevent.attributes["copied"], span.name)', t);
    run("spanevent", "set(spanevent.time_unix_nano, 7)", t);
    assert.deepEqual([plain(e.attributes).copied, e.timeUnixNano], ["parent", 7n]);
  });
  test("event_index is read-only", () => assert.match(compileError("spanevent", "set(spanevent.event_index, 1)").message, /read-only/));
  test("span enums are available", () => assert.equal(cond("spanevent", "span.kind == SPAN_KIND_UNSPECIFIED", tctx("spanevent", { span: span(), event: ev() })), true));
});

describe("metric context", () => {
  test("name, description, unit", () => {
    const { metric } = gauge("m", 1n);
    run("metric", 'set(metric.unit, "ms")', tctx("metric", { metric }));
    run("metric", 'set(description, "d")', tctx("metric", { metric }));
    assert.deepEqual([metric.unit, metric.description], ["ms", "d"]);
  });
  test("type is read-only and an enum", () => {
    const { metric } = gauge("m", 1n);
    assert.equal(cond("metric", "metric.type == METRIC_DATA_TYPE_GAUGE", tctx("metric", { metric })), true);
    assert.match(compileError("metric", "set(metric.type, METRIC_DATA_TYPE_SUM)").message, /read-only/);
  });
  test("aggregation_temporality and is_monotonic apply to sums only", () => {
    const sum = create(MetricSchema, { name: "s", data: { case: "sum", value: { aggregationTemporality: 1, isMonotonic: false } } });
    const t = tctx("metric", { metric: sum });
    run("metric", "set(metric.aggregation_temporality, AGGREGATION_TEMPORALITY_CUMULATIVE)", t);
    run("metric", "set(metric.is_monotonic, true)", t);
    assert.deepEqual([sum.data.case === "sum" && sum.data.value.aggregationTemporality, sum.data.case === "sum" && sum.data.value.isMonotonic], [2, true]);
    const g = gauge("g", 1n).metric;
    assert.equal(cond("metric", "metric.aggregation_temporality == nil and metric.is_monotonic == nil", tctx("metric", { metric: g })), true);
    run("metric", "set(metric.is_monotonic, true)", tctx("metric", { metric: g })); // ignored for gauges
    assert.equal(g.data.case, "gauge");
  });
  test("metadata map", () => {
    const { metric } = gauge("m", 1n);
    run("metric", 'set(metric.metadata["k"], "v")', tctx("metric", { metric }));
    assert.deepEqual(plain(metric.metadata), { k: "v" });
  });
  test("the metric context cannot reach data points individually", () => assert.match(compileError("metric", 'set(datapoint.attributes["a"], 1)').message, /cannot be used in the metric context/));
});

describe("datapoint context", () => {
  test("number points: value_int / value_double switch the value's type", () => {
    const { metric, point } = gauge("m", 5n);
    const t = tctx("datapoint", { metric, point });
    assert.equal(cond("datapoint", "datapoint.value_int == 5 and datapoint.value_double == 0.0", t), true);
    run("datapoint", "set(datapoint.value_double, 2.5)", t);
    assert.deepEqual(point.value, { case: "asDouble", value: 2.5 });
    assert.equal(cond("datapoint", "value_int == 0", t), true);
  });
  test("attributes, times, flags, metric.* from the parent", () => {
    const { metric, point } = gauge("cpu", 1.5, { host: "a" });
    const t = tctx("datapoint", { metric, point });
    run("datapoint", 'set(attributes["metric"], metric.name)', t);
    run("datapoint", "set(datapoint.time_unix_nano, 10)", t);
    run("datapoint", "set(datapoint.flags, FLAG_NO_RECORDED_VALUE)", t);
    assert.deepEqual([plain(point.attributes), point.timeUnixNano, point.flags], [{ host: "a", metric: "cpu" }, 10n, 1]);
    assert.equal(cond("datapoint", 'datapoint.time - datapoint.start_time == Duration("10ns")', t), true);
  });
  test("histogram points: count, sum, bucket_counts, explicit_bounds", () => {
    const point = create(HistogramDataPointSchema, { count: 3n, sum: 6, bucketCounts: [1n, 2n], explicitBounds: [1.5] });
    const metric = create(MetricSchema, { name: "h", data: { case: "histogram", value: { dataPoints: [point] } } });
    const t = tctx("datapoint", { metric, point });
    assert.equal(cond("datapoint", "datapoint.count == 3 and datapoint.sum == 6.0 and datapoint.bucket_counts == [1, 2] and datapoint.explicit_bounds == [1.5]", t), true);
    assert.equal(cond("datapoint", "datapoint.value_int == nil and datapoint.scale == nil", t), true);
    run("datapoint", "set(datapoint.bucket_counts, [0, 3])", t);
    run("datapoint", "set(datapoint.explicit_bounds, [2.0])", t);
    assert.deepEqual([point.bucketCounts, point.explicitBounds], [[0n, 3n], [2]]);
    assert.match(runError("datapoint", 'set(datapoint.bucket_counts, ["a"])', t), /list of ints/);
  });
  test("exponential histogram points: scale, zero_count, positive/negative buckets", () => {
    const point = create(ExponentialHistogramDataPointSchema, { scale: 2, zeroCount: 1n, positive: { offset: 3, bucketCounts: [4n] } });
    const metric = create(MetricSchema, { name: "e", data: { case: "exponentialHistogram", value: { dataPoints: [point] } } });
    const t = tctx("datapoint", { metric, point });
    assert.equal(cond("datapoint", "datapoint.scale == 2 and datapoint.zero_count == 1 and datapoint.positive.offset == 3 and datapoint.positive.bucket_counts == [4]", t), true);
    run("datapoint", "set(datapoint.negative.offset, -2)", t);
    assert.equal(point.negative?.offset, -2);
  });
  test("summary points: count, sum, quantile_values", () => {
    const point = create(SummaryDataPointSchema, { count: 2n, sum: 1.5, quantileValues: [{ quantile: 0.5, value: 1 }] });
    const metric = create(MetricSchema, { name: "s", data: { case: "summary", value: { dataPoints: [point] } } });
    const t = tctx("datapoint", { metric, point });
    assert.equal(cond("datapoint", "datapoint.count == 2 and datapoint.sum == 1.5 and datapoint.quantile_values != nil and datapoint.exemplars == nil", t), true);
  });
  test("writes to paths that do not apply are ignored", () => {
    const { metric, point } = gauge("g", 1n);
    run("datapoint", "set(datapoint.count, 5)", tctx("datapoint", { metric, point }));
    assert.equal("count" in point, false);
  });
});

describe("log context", () => {
  test("body of any type; body.string renders it", () => {
    const l = log({}, { a: 1n });
    const t = tctx("log", { log: l });
    assert.equal(cond("log", 'log.body.string == "{\\"a\\":1}"', t), true);
    run("log", 'set(log.body, "replaced")', t);
    assert.equal(cond("log", 'body == "replaced"', t), true);
    run("log", 'set(log.body.string, "s")', t);
    assert.equal(l.body?.value.value, "s");
  });
  test("indexing and writing a map body; a list body", () => {
    const l = log({}, { a: { b: 1n } });
    const t = tctx("log", { log: l });
    assert.equal(cond("log", 'log.body["a"]["b"] == 1', t), true);
    run("log", 'set(log.body["a"]["c"], "x")', t);
    assert.deepEqual(toPlain(fromAny(l.body)), { a: { b: 1n, c: "x" } });
    const list = log({}, ["x", "y"]);
    assert.equal(cond("log", 'log.body[1] == "y"', tctx("log", { log: list })), true);
  });
  test("an empty body becomes a map when a key is written", () => {
    const l = log();
    run("log", 'set(log.body["k"], 1)', tctx("log", { log: l }));
    assert.equal(l.body?.value.case, "kvlistValue");
  });
  test("severity, times, ids, flags, event_name", () => {
    const l = log({}, undefined, { severityNumber: 17, severityText: "ERROR", traceId: TRACE, spanId: SPAN });
    const t = tctx("log", { log: l });
    assert.equal(cond("log", 'severity_number >= SEVERITY_NUMBER_ERROR and severity_number < SEVERITY_NUMBER_FATAL and severity_text == "ERROR"', t), true);
    assert.equal(cond("log", 'log.span_id.string == "a0a1a2a3a4a5a6a7" and log.trace_id != nil', t), true);
    run("log", "set(log.severity_number, SEVERITY_NUMBER_WARN2)", t);
    run("log", 'set(log.event_name, "ev")', t);
    run("log", "set(log.observed_time_unix_nano, 9)", t);
    assert.deepEqual([l.severityNumber, l.eventName, l.observedTimeUnixNano], [14, "ev", 9n]);
  });
  test("all 25 severity enums exist", () => {
    const t = tctx("log", { log: log() });
    assert.equal(cond("log", "SEVERITY_NUMBER_TRACE == 1 and SEVERITY_NUMBER_DEBUG4 == 8 and SEVERITY_NUMBER_INFO == 9 and SEVERITY_NUMBER_FATAL4 == 24", t), true);
  });
  test("log enums are not span enums", () => assert.match(compileError("log", "set(attributes[\"k\"], SPAN_KIND_SERVER)").message, /unknown enum symbol/));
});

describe("paths in general", () => {
  test("dynamic keys from other paths", () => {
    const s = span({ "a.b": "v" });
    const t = tctx("span", { span: s, resource: resource({ key: "a.b" }) });
    run("span", 'set(attributes["copy"], attributes[resource.attributes["key"]])', t);
    assert.equal(plain(s.attributes).copy, "v");
  });
  test("a dynamic key must be a string or an int", () => {
    const t = tctx("span", { span: span({ n: 1.5 }) });
    assert.match(runError("span", 'set(attributes["x"], attributes[attributes["n"]])', t), /invalid key type/);
  });
  test("int keys index lists; out of range and negative are errors", () => {
    const t = tctx("span", { span: span({ l: ["a", "b"] }) });
    assert.equal(cond("span", 'attributes["l"][1] == "b"', t), true);
    assert.match(runError("span", 'set(attributes["x"], attributes["l"][2])', t), /index 2 out of bounds/);
    assert.match(runError("span", 'set(attributes["x"], attributes["l"][-1])', t), /out of bounds/);
    assert.match(runError("span", 'set(attributes["x"], attributes["l"]["k"])', t), /slice must be indexed by an int/);
  });
  test("an int key on a map is an error", () => assert.match(runError("span", 'set(attributes["x"], attributes[0])', tctx("span", { span: span() })), /map must be indexed by a string/));
  test("writing into a list element and past its end", () => {
    const s = span({ l: ["a"] });
    const t = tctx("span", { span: s });
    run("span", 'set(attributes["l"][0], "z")', t);
    assert.deepEqual(plain(s.attributes).l, ["z"]);
    assert.match(runError("span", 'set(attributes["l"][3], "z")', t), /out of bounds/);
  });
  test("an int key on a new value creates a padded list", () => {
    const s = span();
    run("span", 'set(attributes["l"][2], "c")', tctx("span", { span: s }));
    assert.deepEqual(plain(s.attributes).l, [null, null, "c"]);
  });
  test("values are copied on write", () => {
    const r = resource({ m: { a: 1n } });
    const s = span();
    const t = tctx("span", { span: s, resource: r });
    run("span", 'set(attributes["copy"], resource.attributes["m"])', t);
    run("span", 'set(resource.attributes["m"]["a"], 2)', t);
    assert.deepEqual(plain(s.attributes).copy, { a: 1n });
  });
  test("keys on a path that takes none", () => assert.match(compileError("span", 'set(span.name["x"], 1)').message, /does not support keys/));
  test("cache is per item and only in the own context", () => {
    const stmt = compileStatement('set(cache["n"], 1) where cache["n"] == nil', { context: "span" });
    const t = tctx("span", { span: span() });
    assert.equal(stmt.run(t), true);
    assert.equal(stmt.run(t), false);
    t.nextItem();
    assert.equal(stmt.run(t), true);
    assert.match(compileError("span", 'set(resource.cache["x"], 1)').message, /use span\.cache/);
  });
  test("typed getters reject the wrong type at run time", () => {
    assert.match(runError("span", 'delete_key(attributes["nope"], "x")', tctx("span", { span: span() })), /expected pcommon.Map but got nil/);
  });
  test("ids and times are values of their own", () => {
    const s = span({}, { traceId: TRACE, startTimeUnixNano: 1n });
    const t = tctx("span", { span: s });
    const ids = compileStatement("set(cache[\"t\"], span.trace_id)", { context: "span" });
    ids.run(t);
    assert.ok(t.cache.get("t") instanceof Uint8Array); // stored in an attribute map as bytes
    assert.ok(new TraceID(TRACE) instanceof TraceID && new SpanID(SPAN) instanceof SpanID && new OTime(1n) instanceof OTime);
  });
});
