// The converter as a whole: metadata (honor_metadata, prometheus.md §1.3), start-timestamp zero
// ingestion, option updates, and a batch with every type together.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ResourceMetricsSchema } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { Converter, DEFAULT_CONVERT_OPTIONS } from "../../../src/prom/translate/converter.ts";
import { BARE, NOW_MS, T, T_MS, at, attrs, convert, expHistogram, gauge, histogram, point, resource, sum, summary } from "./capture.ts";

describe("metadata (honor_metadata)", () => {
  const rm = resource([
    gauge("cpu", [point(1)], "1", "CPU share"),
    sum("io", [point(1)], { unit: "By/s", description: "Bytes moved" }),
    sum("conns", [point(1)], { monotonic: false }),
    histogram("lat", [{ timeUnixNano: T, count: 0n, bucketCounts: [], explicitBounds: [] }], { unit: "ms" }),
    expHistogram("size", [{ timeUnixNano: T, count: 0n }]),
    summary("rt", [{ timeUnixNano: T, count: 0n }]),
  ]);

  test("off by default: no metadata is sent", () => {
    assert.deepEqual(convert([rm]).metadata, []);
  });

  test("on: one entry per family with TYPE, HELP = description and UNIT = unit words", () => {
    const c = convert([rm], { honorMetadata: true });
    assert.deepEqual(c.metadata, [
      { family: "target_info", md: { type: "gauge", help: "Target metadata", unit: "" } },
      { family: "cpu_ratio", md: { type: "gauge", help: "CPU share", unit: "" } },
      { family: "io_bytes_per_second_total", md: { type: "counter", help: "Bytes moved", unit: "bytes_per_second" } },
      { family: "conns", md: { type: "gauge", help: "", unit: "" } },
      { family: "lat_milliseconds", md: { type: "histogram", help: "", unit: "milliseconds" } },
      { family: "size", md: { type: "histogram", help: "", unit: "" } },
      { family: "rt", md: { type: "summary", help: "", unit: "" } },
    ]);
  });

  test("sent again only when it changes, or after an update (new receivers may need it)", () => {
    const conv = new Converter({ honorMetadata: true, includeTargetInfo: false }, () => NOW_MS);
    const g = (help: string, ms: number) => resource([gauge("g", [point(1, { timeUnixNano: at(ms) })], "", help)]);
    assert.equal(convert([g("a", 1)], {}, conv).metadata.length, 1);
    assert.equal(convert([g("a", 2)], {}, conv).metadata.length, 0);
    assert.equal(convert([g("b", 3)], {}, conv).metadata.length, 1);
    conv.update({ honorMetadata: true, includeTargetInfo: false });
    assert.equal(convert([g("b", 4)], {}, conv).metadata.length, 1);
  });

  test("otel_scope_info gets gauge metadata", () => {
    const c = convert([resource([gauge("g", [point(1)])], {}, { name: "lib" })], { honorMetadata: true, includeTargetInfo: false, includeScopeInfo: true });
    assert.deepEqual(c.metadata[0], { family: "otel_scope_info", md: { type: "gauge", help: "", unit: "" } });
  });
});

describe("start_timestamp_zero_ingestion (experimental)", () => {
  const START = at(-60_000);
  const opts = { ...BARE, startTimestampZeroIngestion: true };

  test("off by default", () => {
    assert.equal(DEFAULT_CONVERT_OPTIONS.startTimestampZeroIngestion, false);
    assert.equal(convert([resource([sum("c", [point(5, { startTimeUnixNano: START })])], {})], BARE).samples.length, 1);
  });

  test("counters: a 0 at the start time before the first sample", () => {
    const c = convert([resource([sum("c", [point(5, { startTimeUnixNano: START })])], {})], opts);
    assert.deepEqual(c.samples.map((s) => [s.series, s.ts, s.value]), [["c_total{}", T_MS - 60_000, 0], ["c_total{}", T_MS, 5]]);
  });

  test("only once per start: the next point of the same series gets none", () => {
    const conv = new Converter(opts, () => NOW_MS);
    convert([resource([sum("c", [point(5, { startTimeUnixNano: START })])], {})], opts, conv);
    const c = convert([resource([sum("c", [point(6, { startTimeUnixNano: START, timeUnixNano: at(10_000) })])], {})], opts, conv);
    assert.deepEqual(c.samples.map((s) => s.value), [6]);
  });

  test("gauges never get one; nor points whose start is unset or not before their time", () => {
    assert.equal(convert([resource([gauge("g", [point(5, { startTimeUnixNano: START })])], {})], opts).samples.length, 1);
    assert.equal(convert([resource([sum("c", [point(5)])], {})], opts).samples.length, 1);
    assert.equal(convert([resource([sum("c", [point(5, { startTimeUnixNano: T })])], {})], opts).samples.length, 1);
  });

  test("histograms: every series; summaries: _sum and _count, not quantiles", () => {
    const h = convert([resource([histogram("h", [{ timeUnixNano: T, startTimeUnixNano: START, count: 1n, sum: 1, bucketCounts: [1n, 0n], explicitBounds: [1] }])], {})], opts);
    assert.equal(h.samples.filter((s) => s.value === 0 && s.ts === T_MS - 60_000).length, 4);
    const s = convert([resource([summary("s", [{ timeUnixNano: T, startTimeUnixNano: START, count: 1n, sum: 1, quantileValues: [{ quantile: 0.5, value: 1 }] }])], {})], opts);
    assert.deepEqual(s.samples.filter((x) => x.ts !== T_MS).map((x) => x.series), ["s_sum{}", "s_count{}"]);
  });

  test("native histograms: an empty histogram of the same schema", () => {
    const c = convert([resource([expHistogram("e", [{ timeUnixNano: T, startTimeUnixNano: START, scale: 2, count: 1n, positive: { offset: 0, bucketCounts: [1n] } }])], {})], opts);
    assert.deepEqual(c.histograms.map((x) => [x.ts, x.h.schema, x.h.count, x.h.positiveSpans.length]), [[T_MS - 60_000, 2, 0, 0], [T_MS, 2, 1, 1]]);
  });
});

describe("series that are not written", () => {
  test("no `_created` series, even with start times (prometheus.md §3.4: off)", () => {
    const c = convert([resource([sum("c", [point(1, { startTimeUnixNano: at(-1000) })]), histogram("h", [{ timeUnixNano: T, startTimeUnixNano: at(-1000), count: 0n, bucketCounts: [], explicitBounds: [] }])], {})], BARE);
    assert.ok(c.names().every((n) => !n.endsWith("_created")));
  });

  test("no otel_scope_schema_url and no otel_scope_<attr> labels (newer Prometheus only, prometheus.md §4.3)", () => {
    const rm = create(ResourceMetricsSchema, {
      scopeMetrics: [{ schemaUrl: "https://opentelemetry.io/schemas/1.21.0", scope: { name: "lib", version: "1", attributes: attrs({ "lib.flavour": "x" }) }, metrics: [gauge("g", [point(1)])] }],
    });
    assert.deepEqual(convert([rm], { includeTargetInfo: false }).lines(), ['g{otel_scope_name="lib",otel_scope_version="1"} 1']);
  });
});

describe("options and updates", () => {
  test("add_metric_suffixes = false end to end", () => {
    const c = convert([resource([sum("http.requests", [point(1)], { unit: "1" }), gauge("cpu", [point(1)], "1")], {})], { ...BARE, addMetricSuffixes: false });
    assert.deepEqual(c.names(), ["http_requests", "cpu"]);
  });

  test("update() applies to the next conversion", () => {
    const conv = new Converter(BARE, () => NOW_MS);
    const rm = (ms: number) => resource([sum("x", [point(1, { timeUnixNano: at(ms) })])], {});
    assert.deepEqual(convert([rm(1)], {}, conv).names(), ["x_total"]);
    conv.update({ ...BARE, addMetricSuffixes: false });
    assert.deepEqual(convert([rm(2)], {}, conv).names(), ["x"]);
  });

  test("a namespace prefixes every family", () => {
    const c = convert([resource([sum("requests", [point(1)])], {})], { ...BARE, namespace: "app" });
    assert.deepEqual(c.names(), ["app_requests_total"]);
  });

  test("the report counts points, samples, histograms and exemplars", () => {
    const c = convert(
      [resource([gauge("g", [point(1)]), histogram("h", [{ timeUnixNano: T, count: 0n, sum: 0, bucketCounts: [], explicitBounds: [] }]), expHistogram("e", [{ timeUnixNano: T, count: 0n }])])],
      BARE,
    );
    assert.deepEqual([c.report.points, c.report.samples, c.report.histograms, c.report.exemplars], [3, 4, 1, 0]);
  });
});
