// Metric-only functions (ottl.md §5.2) run through metric-context statements, with the processor's
// iteration (appended metrics are visited by the same group, §4.4).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Metric, NumberDataPoint } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { compileStatement } from "../../../src/ottl/compile.ts";
import { OttlCompileError, OttlRuntimeError } from "../../../src/ottl/errors.ts";
import { runMetrics } from "./helpers.ts";
import { expHistogram, gauge, histogram, numberPoint, plainAttrs, sum, summary, valueOf } from "./metric_fixtures.ts";

function points(m: Metric | undefined): NumberDataPoint[] {
  const d = m?.data;
  return d?.case === "gauge" || d?.case === "sum" ? d.value.dataPoints : [];
}

const names = (ms: Metric[]): string[] => ms.map((m) => m.name);

describe("convert_sum_to_gauge / convert_gauge_to_sum", () => {
  test("Sum → Gauge keeps the points; other types untouched", () => {
    const ms = runMetrics([`convert_sum_to_gauge() where metric.name == "s"`], [sum("s", [numberPoint(1n), numberPoint(2.5)]), sum("other", [numberPoint(1n)]), gauge("g", [])]);
    assert.equal(ms[0]?.data.case, "gauge");
    assert.deepEqual(points(ms[0]).map(valueOf), [1n, 2.5]);
    assert.equal(ms[1]?.data.case, "sum");
    assert.equal(ms[2]?.data.case, "gauge");
  });
  test("no-op for histograms and summaries", () => {
    const ms = runMetrics([`convert_sum_to_gauge()`, `convert_gauge_to_sum("delta", false)`], [histogram("h", [{ count: 1n }]), summary("s", [{ count: 1n, sum: 1 }])]);
    assert.deepEqual(ms.map((m) => m.data.case), ["histogram", "summary"]);
  });
  test("Gauge → Sum with temporality and monotonicity", () => {
    const [c] = runMetrics([`convert_gauge_to_sum("cumulative", true)`], [gauge("g", [numberPoint(3n)])]);
    assert.equal(c?.data.case, "sum");
    if (c?.data.case === "sum") {
      assert.equal(c.data.value.aggregationTemporality, 2);
      assert.equal(c.data.value.isMonotonic, true);
      assert.deepEqual(c.data.value.dataPoints.map(valueOf), [3n]);
    }
    const [d] = runMetrics([`convert_gauge_to_sum("delta", false)`], [gauge("g", [])]);
    assert.ok(d?.data.case === "sum" && d.data.value.aggregationTemporality === 1 && !d.data.value.isMonotonic);
  });
  test("round trip and the metric.type enum", () => {
    const ms = runMetrics([`convert_sum_to_gauge()`, `set(metric.description, "was sum") where metric.type == METRIC_DATA_TYPE_GAUGE`], [sum("s", [numberPoint(1n)])]);
    assert.equal(ms[0]?.description, "was sum");
  });
  test("bad temporality is a configuration error; datapoint context rejects metric functions", () => {
    assert.throws(() => compileStatement(`convert_gauge_to_sum("Cumulative", true)`, { context: "metric" }), OttlCompileError);
    assert.throws(() => compileStatement(`convert_gauge_to_sum("cumulative", "yes")`, { context: "metric" }), OttlCompileError);
    assert.throws(() => compileStatement(`convert_sum_to_gauge()`, { context: "datapoint" }), OttlCompileError);
    assert.throws(() => compileStatement(`convert_sum_to_gauge()`, { context: "log" }), OttlCompileError);
  });
});

describe("extract_sum_metric / extract_count_metric", () => {
  test("histogram: new Sum appended after, points without sum skipped, temporality copied", () => {
    const h = histogram("latency", [{ count: 3n, sum: 7.5, attrs: { a: "1" } }, { count: 2n }], 1);
    const ms = runMetrics([`extract_sum_metric(true) where metric.name == "latency"`], [h]);
    assert.deepEqual(names(ms), ["latency", "latency_sum"]);
    const s = ms[1];
    assert.equal(s?.description, "latency description");
    assert.equal(s?.unit, "ms");
    assert.ok(s?.data.case === "sum" && s.data.value.aggregationTemporality === 1 && s.data.value.isMonotonic);
    assert.deepEqual(points(s).map(valueOf), [7.5]);
    assert.deepEqual(plainAttrs(points(s)[0]?.attributes ?? []), { a: "1" });
    assert.equal(points(s)[0]?.timeUnixNano, 100n);
    assert.equal(points(s)[0]?.startTimeUnixNano, 10n);
  });
  test("counts are ints; custom suffix; summaries become cumulative", () => {
    const ms = runMetrics([`extract_count_metric(false, ".n") where metric.name == "q"`], [summary("q", [{ count: 4n, sum: 1 }, { count: 0n, sum: 0 }])]);
    assert.deepEqual(names(ms), ["q", "q.n"]);
    assert.deepEqual(points(ms[1]).map(valueOf), [4n, 0n]);
    assert.ok(ms[1]?.data.case === "sum" && ms[1].data.value.aggregationTemporality === 2 && !ms[1].data.value.isMonotonic);
  });
  test("exponential histograms", () => {
    const ms = runMetrics([`extract_sum_metric(false) where metric.name == "e"`, `extract_count_metric(false) where metric.name == "e"`], [expHistogram("e", [{ count: 5n, sum: 12 }])]);
    assert.deepEqual(names(ms), ["e", "e_sum", "e_count"]);
    assert.deepEqual(points(ms[1]).map(valueOf), [12]);
    assert.deepEqual(points(ms[2]).map(valueOf), [5n]);
  });
  test("nothing is created when no point has a sum, or there are no points", () => {
    assert.deepEqual(names(runMetrics([`extract_sum_metric(true)`], [histogram("h", [{ count: 1n }])])), ["h"]);
    assert.deepEqual(names(runMetrics([`extract_count_metric(true)`], [histogram("h", [])])), ["h"]);
  });
  test("other metric types are an error", () => {
    assert.throws(() => runMetrics([`extract_sum_metric(true)`], [gauge("g", [numberPoint(1)])]), OttlRuntimeError);
    assert.throws(() => runMetrics([`extract_count_metric(true)`], [sum("s", [])]), /requires an input metric of type Histogram/);
  });
  test("§7.1 item 13: without a where clause the new metric is visited and fails (a Sum)", () => {
    assert.throws(() => runMetrics([`extract_sum_metric(true)`], [histogram("h", [{ count: 1n, sum: 1 }])]), OttlRuntimeError);
  });
});

describe("convert_summary_count_val_to_sum / convert_summary_sum_val_to_sum", () => {
  test("new Sums from summaries", () => {
    const statements = [
      `convert_summary_count_val_to_sum("delta", true) where metric.name == "rpc"`,
      `convert_summary_sum_val_to_sum("cumulative", false, "_total") where metric.name == "rpc"`,
    ];
    const ms = runMetrics(statements, [summary("rpc", [{ count: 10n, sum: 2.5, attrs: { m: "get" } }])]);
    assert.deepEqual(names(ms), ["rpc", "rpc_count", "rpc_total"]);
    assert.deepEqual(points(ms[1]).map(valueOf), [10n]);
    assert.ok(ms[1]?.data.case === "sum" && ms[1].data.value.aggregationTemporality === 1 && ms[1].data.value.isMonotonic);
    assert.deepEqual(points(ms[2]).map(valueOf), [2.5]);
    assert.deepEqual(plainAttrs(points(ms[2])[0]?.attributes ?? []), { m: "get" });
    assert.equal(ms[0]?.data.case, "summary");
  });
  test("no-op for other types; the default suffixes", () => {
    const ms = runMetrics([`convert_summary_sum_val_to_sum("delta", true) where metric.name == "g"`], [gauge("g", [])]);
    assert.deepEqual(names(ms), ["g"]);
    assert.deepEqual(names(runMetrics([`convert_summary_sum_val_to_sum("delta", true) where metric.name == "s"`], [summary("s", [])])), ["s", "s_sum"]);
  });
  test("bad temporality is a configuration error", () => {
    assert.throws(() => compileStatement(`convert_summary_count_val_to_sum("sometimes", true)`, { context: "metric" }), OttlCompileError);
  });
});

describe("copy_metric", () => {
  test("appends a deep copy, renamed; later statements see it", () => {
    const src = sum("orig", [numberPoint(1n, { k: "v" })]);
    const ms = runMetrics(
      [`copy_metric(name = "copy", unit = "s") where metric.name == "orig"`, `set(metric.description, "seen") where metric.name == "copy"`],
      [src],
    );
    assert.deepEqual(names(ms), ["orig", "copy"]);
    assert.equal(ms[1]?.description, "seen");
    assert.equal(ms[1]?.unit, "s");
    assert.equal(ms[0]?.unit, "ms");
    // A deep copy: changing the copy does not change the original.
    const p = points(ms[1])[0];
    if (p) p.value = { case: "asInt", value: 99n };
    assert.deepEqual(points(ms[0]).map(valueOf), [1n]);
  });
  test("without a name: an identical copy (here guarded by its description)", () => {
    const ms = runMetrics([`copy_metric(description = "copied") where metric.description != "copied"`], [gauge("g", [numberPoint(2.5)])]);
    assert.deepEqual(names(ms), ["g", "g"]);
    assert.equal(ms[1]?.description, "copied");
    assert.deepEqual(points(ms[1]).map(valueOf), [2.5]);
  });
  test("§7.1 item 13: an unguarded copy_metric copies its own copies (the processor must cap growth)", () => {
    const ms = runMetrics([`copy_metric()`], [gauge("g", [])], 5);
    assert.equal(ms.length, 6);
  });
  test("a name from a path, and a non-string name fails", () => {
    const ms = runMetrics([`copy_metric(Concat([metric.name, "copy"], ".")) where metric.name == "g"`], [gauge("g", [])]);
    assert.deepEqual(names(ms), ["g", "g.copy"]);
    assert.throws(() => runMetrics([`copy_metric(1) where metric.name == "g"`], [gauge("g", [])]), OttlRuntimeError);
  });
});

describe("scale_metric", () => {
  test("gauge and sum points, ints truncated, exemplars too", () => {
    const ms = runMetrics([`scale_metric(1000.0, "ms")`], [gauge("g", [numberPoint(1.5), numberPoint(3n)]), sum("s", [numberPoint(-7n)])]);
    assert.deepEqual(points(ms[0]).map(valueOf), [1500, 3000n]);
    assert.deepEqual(points(ms[1]).map(valueOf), [-7000n]);
    assert.equal(ms[0]?.unit, "ms");
    const [half] = runMetrics([`scale_metric(0.5)`], [gauge("g", [numberPoint(3n)])]);
    assert.deepEqual(points(half).map(valueOf), [1n]);
  });
  test("an int literal factor is accepted", () => {
    const [m] = runMetrics([`scale_metric(2)`], [gauge("g", [numberPoint(1.25)])]);
    assert.deepEqual(points(m).map(valueOf), [2.5]);
  });
  test("histograms: sum, min, max, bounds, exemplars; counts unchanged", () => {
    const [m] = runMetrics([`scale_metric(0.001)`], [histogram("h", [{ count: 2n, sum: 3000, min: 1000, max: 2000, bounds: [1000, 2000], buckets: [1n, 1n, 0n], exemplar: 1500 }])]);
    if (m?.data.case !== "histogram") throw new Error("not a histogram");
    const p = m.data.value.dataPoints[0];
    assert.equal(p?.sum, 3);
    assert.equal(p?.min, 1);
    assert.equal(p?.max, 2);
    assert.deepEqual(p?.explicitBounds, [1, 2]);
    assert.deepEqual(p?.bucketCounts, [1n, 1n, 0n]);
    assert.equal(p?.count, 2n);
    assert.deepEqual(p?.exemplars.map((e) => e.value.value), [1.5]);
  });
  test("histograms without sum/min/max keep them absent", () => {
    const [m] = runMetrics([`scale_metric(2.0)`], [histogram("h", [{ count: 1n }])]);
    assert.ok(m?.data.case === "histogram" && m.data.value.dataPoints[0]?.sum === undefined);
  });
  test("summaries: sum and quantile values", () => {
    const [m] = runMetrics([`scale_metric(10.0)`], [summary("q", [{ count: 2n, sum: 1.5, quantiles: [[0.5, 0.25], [0.99, 1]] }])]);
    if (m?.data.case !== "summary") throw new Error("not a summary");
    assert.equal(m.data.value.dataPoints[0]?.sum, 15);
    assert.deepEqual(m.data.value.dataPoints[0]?.quantileValues.map((q) => [q.quantile, q.value]), [[0.5, 2.5], [0.99, 10]]);
  });
  test("exponential histograms are an error; a non-literal factor a configuration error", () => {
    assert.throws(() => runMetrics([`scale_metric(2.0)`], [expHistogram("e", [])]), /unsupported metric type/);
    assert.throws(() => compileStatement(`scale_metric(metric.name)`, { context: "metric" }), OttlCompileError);
  });
});
