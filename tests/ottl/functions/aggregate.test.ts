// aggregate_on_attributes (ottl.md §5.2).
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

const sample = (): NumberDataPoint[] => [
  numberPoint(1n, { host: "a", pod: "1" }),
  numberPoint(5n, { host: "a", pod: "2" }),
  numberPoint(3n, { host: "b", pod: "3" }),
  numberPoint(10n, { host: "a", pod: "4" }),
];

function aggregate(fn: string, keys: string, ps: NumberDataPoint[]): Array<[unknown, unknown]> {
  const [m] = runMetrics([`aggregate_on_attributes("${fn}"${keys})`], [gauge("g", ps)]);
  return points(m).map((p) => [plainAttrs(p.attributes), valueOf(p)]);
}

describe("aggregate_on_attributes on number points", () => {
  test("each function, grouped by the listed key (ints stay ints)", () => {
    assert.deepEqual(aggregate("sum", `, ["host"]`, sample()), [[{ host: "a" }, 16n], [{ host: "b" }, 3n]]);
    assert.deepEqual(aggregate("max", `, ["host"]`, sample()), [[{ host: "a" }, 10n], [{ host: "b" }, 3n]]);
    assert.deepEqual(aggregate("min", `, ["host"]`, sample()), [[{ host: "a" }, 1n], [{ host: "b" }, 3n]]);
    assert.deepEqual(aggregate("mean", `, ["host"]`, sample()), [[{ host: "a" }, 5n], [{ host: "b" }, 3n]]);
    assert.deepEqual(aggregate("median", `, ["host"]`, sample()), [[{ host: "a" }, 5n], [{ host: "b" }, 3n]]);
    assert.deepEqual(aggregate("count", `, ["host"]`, sample()), [[{ host: "a" }, 3n], [{ host: "b" }, 1n]]);
  });
  test("doubles; median of an even group averages", () => {
    // Points are merged in place, so every aggregation gets fresh ones.
    const ps = (): NumberDataPoint[] => [1.5, 2.5, 4, 10].map((v) => numberPoint(v, { k: "x" }));
    assert.deepEqual(aggregate("median", `, ["k"]`, ps()), [[{ k: "x" }, 3.25]]);
    assert.deepEqual(aggregate("mean", `, ["k"]`, ps()), [[{ k: "x" }, 4.5]]);
    assert.deepEqual(aggregate("count", `, ["k"]`, ps()), [[{ k: "x" }, 4]]);
  });
  test("[] drops every attribute: one point per timestamp", () => {
    assert.deepEqual(aggregate("sum", `, []`, sample()), [[{}, 19n]]);
  });
  test("omitted keeps every attribute: only identical series merge", () => {
    const ps = [numberPoint(1n, { a: "1" }), numberPoint(2n, { a: "1" }), numberPoint(4n, { a: "2" })];
    assert.deepEqual(aggregate("sum", ``, ps), [[{ a: "1" }, 3n], [{ a: "2" }, 4n]]);
  });
  test("attribute order does not split groups; different timestamps do", () => {
    const ps = [numberPoint(1n, { a: "1", b: "2" }), numberPoint(2n, { b: "2", a: "1" }), numberPoint(4n, { a: "1", b: "2" }, 200n)];
    const [m] = runMetrics([`aggregate_on_attributes("sum")`], [gauge("g", ps)]);
    assert.deepEqual(points(m).map((p) => [valueOf(p), p.timeUnixNano]), [[3n, 100n], [4n, 200n]]);
  });
  test("the earliest start time wins; delta sums also group by start time", () => {
    const a = numberPoint(1n, {}, 100n, 50n);
    const b = numberPoint(2n, {}, 100n, 20n);
    const [cum] = runMetrics([`aggregate_on_attributes("sum", [])`], [sum("s", [a, b], 2)]);
    assert.deepEqual(points(cum).map((p) => [valueOf(p), p.startTimeUnixNano]), [[3n, 20n]]);
    const [delta] = runMetrics([`aggregate_on_attributes("sum", [])`], [sum("s", [numberPoint(1n, {}, 100n, 50n), numberPoint(2n, {}, 100n, 20n)], 1)]);
    assert.equal(points(delta).length, 2);
  });
  test("keeps the metric's identity and sum settings", () => {
    const [m] = runMetrics([`aggregate_on_attributes("sum", ["host"])`], [sum("requests", sample(), 2, true)]);
    assert.equal(m?.name, "requests");
    assert.ok(m?.data.case === "sum" && m.data.value.isMonotonic && m.data.value.aggregationTemporality === 2);
  });
});

describe("aggregate_on_attributes on histograms", () => {
  test("explicit-bucket histograms are summed bucket by bucket", () => {
    const h = histogram("h", [
      { count: 2n, sum: 3, bounds: [1, 2], buckets: [1n, 1n, 0n], min: 1, max: 2, attrs: { host: "a", pod: "1" }, exemplar: 1 },
      { count: 3n, sum: 9, bounds: [1, 2], buckets: [0n, 1n, 2n], min: 0.5, max: 4, attrs: { host: "a", pod: "2" }, exemplar: 4 },
      // Empty points are skipped: their min of 0 must not win.
      { count: 0n, sum: 0, bounds: [1, 2], buckets: [0n, 0n, 0n], min: 0, max: 0, attrs: { host: "a", pod: "3" } },
    ]);
    const [m] = runMetrics([`aggregate_on_attributes("sum", ["host"])`], [h]);
    if (m?.data.case !== "histogram") throw new Error("not a histogram");
    const ps = m.data.value.dataPoints;
    assert.equal(ps.length, 1);
    assert.equal(ps[0]?.count, 5n);
    assert.equal(ps[0]?.sum, 12);
    assert.equal(ps[0]?.min, 0.5);
    assert.equal(ps[0]?.max, 4);
    assert.deepEqual(ps[0]?.bucketCounts, [1n, 2n, 2n]);
    assert.equal(ps[0]?.exemplars.length, 2);
    assert.deepEqual(plainAttrs(ps[0]?.attributes ?? []), { host: "a" });
  });
  test("different bounds are not merged", () => {
    const h = histogram("h", [
      { count: 1n, bounds: [1], buckets: [1n, 0n] },
      { count: 1n, bounds: [2], buckets: [1n, 0n] },
    ]);
    const [m] = runMetrics([`aggregate_on_attributes("sum", [])`], [h]);
    assert.ok(m?.data.case === "histogram" && m.data.value.dataPoints.length === 2);
  });
  test("exponential histograms merge counts, zero counts and buckets of different lengths", () => {
    const e = expHistogram("e", [
      { count: 3n, sum: 1, zero: 1n, positive: [1n, 1n] },
      { count: 4n, sum: 2, zero: 0n, positive: [1n, 1n, 2n] },
    ]);
    const [m] = runMetrics([`aggregate_on_attributes("sum", [])`], [e]);
    if (m?.data.case !== "exponentialHistogram") throw new Error("not an exponential histogram");
    const p = m.data.value.dataPoints[0];
    assert.equal(m.data.value.dataPoints.length, 1);
    assert.equal(p?.count, 7n);
    assert.equal(p?.sum, 3);
    assert.equal(p?.zeroCount, 1n);
    assert.deepEqual(p?.positive?.bucketCounts, [2n, 2n, 2n]);
  });
});

describe("aggregate_on_attributes errors", () => {
  test("summaries fail at run time; unknown functions at load", () => {
    assert.throws(() => runMetrics([`aggregate_on_attributes("sum")`], [summary("s", [])]), OttlRuntimeError);
    assert.throws(() => compileStatement(`aggregate_on_attributes("avg", ["a"])`, { context: "metric" }), OttlCompileError);
    assert.throws(() => compileStatement(`aggregate_on_attributes("sum", [metric.name])`, { context: "metric" }), OttlCompileError);
  });
  test("empty metrics are fine", () => {
    const [m] = runMetrics([`aggregate_on_attributes("sum", [])`], [gauge("g", [])]);
    assert.equal(points(m).length, 0);
  });
});
