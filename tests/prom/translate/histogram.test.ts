// Explicit-bucket histograms (prometheus.md §3.1, alloy-components.md §6.4) and their exemplars
// (§4.4).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { BARE, T, T_MS, attrs, convert, histogram, resource } from "./capture.ts";

type Init = { count: bigint; sum?: number; bucketCounts: bigint[]; explicitBounds: number[]; flags?: number; exemplars?: unknown[]; attributes?: unknown[] };
const h = (p: Init, opts: { delta?: boolean; unit?: string } = {}) => resource([histogram("http.request.duration", [{ timeUnixNano: T, ...p }], { unit: "ms", ...opts })], {});
const ex = (value: number | bigint, ms = 0) => ({
  timeUnixNano: T + BigInt(ms) * 1_000_000n,
  value: typeof value === "bigint" ? { case: "asInt", value } : { case: "asDouble", value },
  traceId: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
  spanId: Uint8Array.from({ length: 8 }, (_, i) => 0xa0 + i),
});
const N = "http_request_duration_milliseconds";

describe("explicit-bucket histograms (prometheus.md §3.1)", () => {
  test("_sum, _count, cumulative _bucket per bound and le=+Inf = count", () => {
    const c = convert([h({ count: 10n, sum: 123.5, bucketCounts: [1n, 2n, 3n, 4n], explicitBounds: [0.005, 1, 2.5] })], BARE);
    assert.deepEqual(c.lines(), [
      `${N}_sum{} 123.5`,
      `${N}_count{} 10`,
      `${N}_bucket{le="0.005"} 1`,
      `${N}_bucket{le="1"} 3`,
      `${N}_bucket{le="2.5"} 6`,
      `${N}_bucket{le="+Inf"} 10`,
    ]);
  });

  test("le text of a bound is the same every time; -0 and 0 keep their signs", () => {
    const les = (explicitBounds: number[]) =>
      convert([h({ count: 3n, bucketCounts: explicitBounds.map(() => 1n).concat([0n]), explicitBounds })], BARE)
        .samples.filter((s) => s.series.startsWith(`${N}_bucket`))
        .map((s) => s.labels.find(([n]) => n === "le")![1]);
    assert.deepEqual(les([1e-7, 0.25, 1e21]), ["0.0000001", "0.25", "1000000000000000000000", "+Inf"]);
    assert.deepEqual(les([1e-7, 0.25, 1e21]), ["0.0000001", "0.25", "1000000000000000000000", "+Inf"]);
    assert.deepEqual(les([-0, 1]), ["-0", "1", "+Inf"]);
    assert.deepEqual(les([0, 1]), ["0", "1", "+Inf"]);
  });

  test("all series share the point's timestamp and labels", () => {
    const c = convert([h({ count: 1n, sum: 1, bucketCounts: [1n, 0n], explicitBounds: [1], attributes: attrs({ route: "/x" }) })], BARE);
    assert.ok(c.samples.every((s) => s.ts === T_MS && s.series.includes('route="/x"')));
  });

  test("le is written without exponent (1e-7 → 0.0000001, 1e21 → 1 and 21 zeros)", () => {
    const c = convert([h({ count: 2n, sum: 1, bucketCounts: [1n, 1n, 0n], explicitBounds: [1e-7, 1e21] })], BARE);
    assert.deepEqual(c.lines().slice(2), [`${N}_bucket{le="0.0000001"} 1`, `${N}_bucket{le="1000000000000000000000"} 2`, `${N}_bucket{le="+Inf"} 2`]);
  });

  test("le=\"1\", never \"1.0\"", () => {
    const c = convert([h({ count: 0n, bucketCounts: [0n, 0n], explicitBounds: [1.0] })], BARE);
    assert.equal(c.lines()[1], `${N}_bucket{le="1"} 0`);
  });

  test("no sum on the point → no _sum series", () => {
    const c = convert([h({ count: 3n, bucketCounts: [3n], explicitBounds: [] })], BARE);
    assert.deepEqual(c.lines(), [`${N}_count{} 3`, `${N}_bucket{le="+Inf"} 3`]);
  });

  test("a sum of 0 is still a sum", () => {
    assert.equal(convert([h({ count: 0n, sum: 0, bucketCounts: [], explicitBounds: [] })], BARE).lines()[0], `${N}_sum{} 0`);
  });

  test("no _total even with a `total` in the name, and the type suffixes come after the unit", () => {
    const c = convert([resource([histogram("total.time", [{ timeUnixNano: T, count: 0n, bucketCounts: [], explicitBounds: [] }], { unit: "s" })], {})], BARE);
    assert.deepEqual(c.names(), ["total_time_seconds_count", "total_time_seconds_bucket"]);
  });

  test("add_metric_suffixes = false: _bucket/_sum/_count are still added", () => {
    const c = convert([h({ count: 0n, sum: 0, bucketCounts: [], explicitBounds: [] })], { ...BARE, addMetricSuffixes: false });
    assert.deepEqual(c.names(), ["http_request_duration_sum", "http_request_duration_count", "http_request_duration_bucket"]);
  });

  test("delta histogram → dropped and counted", () => {
    const c = convert([h({ count: 1n, bucketCounts: [1n], explicitBounds: [] }, { delta: true })], BARE);
    assert.deepEqual(c.lines(), []);
    assert.equal(c.report.dropped.non_cumulative, 1);
  });

  test("an le attribute on the point is replaced by the bucket's le", () => {
    const c = convert([h({ count: 1n, bucketCounts: [1n, 0n], explicitBounds: [5], attributes: attrs({ le: "bogus" }) })], BARE);
    assert.deepEqual(c.lines(), [`${N}_count{le="bogus"} 1`, `${N}_bucket{le="5"} 1`, `${N}_bucket{le="+Inf"} 1`]);
  });
});

describe("histograms whose counts disagree (bad input, prometheus.md §3.1)", () => {
  test("count below the bucket total: +Inf is the point's count, not the running sum", () => {
    const c = convert([h({ count: 2n, bucketCounts: [5n, 5n], explicitBounds: [1] })], BARE);
    assert.deepEqual(c.lines(), [`${N}_count{} 2`, `${N}_bucket{le="1"} 5`, `${N}_bucket{le="+Inf"} 2`]);
  });

  test("fewer bucket counts than bounds + 1: iterate up to the shorter list", () => {
    const c = convert([h({ count: 9n, bucketCounts: [1n, 2n], explicitBounds: [1, 2, 3] })], BARE);
    assert.deepEqual(c.lines().slice(1), [`${N}_bucket{le="1"} 1`, `${N}_bucket{le="2"} 3`, `${N}_bucket{le="+Inf"} 9`]);
  });

  test("more bucket counts than bounds + 1: the extra counts only show in +Inf via count", () => {
    const c = convert([h({ count: 9n, bucketCounts: [1n, 2n, 3n, 3n], explicitBounds: [1] })], BARE);
    assert.deepEqual(c.lines().slice(1), [`${N}_bucket{le="1"} 1`, `${N}_bucket{le="+Inf"} 9`]);
  });

  test("bounds out of order are sorted before summing (as Alloy does)", () => {
    const c = convert([h({ count: 6n, bucketCounts: [3n, 1n, 2n], explicitBounds: [2, 1] })], BARE);
    assert.deepEqual(c.lines().slice(1), [`${N}_bucket{le="1"} 1`, `${N}_bucket{le="2"} 4`, `${N}_bucket{le="+Inf"} 6`]);
  });

  test("equal bounds give one series carrying both counts", () => {
    const c = convert([h({ count: 3n, bucketCounts: [1n, 2n, 0n], explicitBounds: [1, 1] })], BARE);
    assert.deepEqual(c.lines().slice(1), [`${N}_bucket{le="1"} 3`, `${N}_bucket{le="+Inf"} 3`]);
  });

  test("a +Inf or NaN bound is skipped (the implicit +Inf bucket covers it); -Inf is a bound", () => {
    const c = convert([h({ count: 4n, bucketCounts: [1n, 1n, 1n, 1n], explicitBounds: [-Infinity, NaN, Infinity] })], BARE);
    assert.deepEqual(c.lines().slice(1), [`${N}_bucket{le="-Inf"} 1`, `${N}_bucket{le="+Inf"} 4`]);
  });

  test("NaN and ±Inf sums pass through", () => {
    assert.ok(Number.isNaN(convert([h({ count: 0n, sum: NaN, bucketCounts: [], explicitBounds: [] })], BARE).samples[0]!.value));
    assert.equal(convert([h({ count: 0n, sum: -Infinity, bucketCounts: [], explicitBounds: [] })], BARE).samples[0]!.value, -Infinity);
  });
});

describe("histogram staleness (prometheus.md §4.5)", () => {
  test("NoRecordedValue → _sum, _count and every _bucket get the stale marker", () => {
    const c = convert([h({ count: 0n, sum: 0, flags: 1, bucketCounts: [0n, 0n], explicitBounds: [1] })], BARE);
    assert.deepEqual(c.lines(), [`${N}_sum{} stale`, `${N}_count{} stale`, `${N}_bucket{le="1"} stale`, `${N}_bucket{le="+Inf"} stale`]);
  });
});

describe("histogram exemplars (prometheus.md §3.1, §4.4)", () => {
  const p = (exemplars: unknown[]) => h({ count: 10n, sum: 1, bucketCounts: [1n, 2n, 7n], explicitBounds: [1, 5], exemplars });
  const placed = (exemplars: unknown[]) => convert([p(exemplars)], BARE).exemplars.map((x) => `${x.series} ${x.e.value}`);

  test("each exemplar goes to the first bucket whose bound is ≥ its value", () => {
    assert.deepEqual(placed([ex(0.5), ex(3), ex(4.9)]), [`${N}_bucket{le="1"} 0.5`, `${N}_bucket{le="5"} 3`, `${N}_bucket{le="5"} 4.9`]);
  });

  test("a value equal to a bound belongs to that bucket (le is inclusive)", () => {
    assert.deepEqual(placed([ex(1), ex(5)]), [`${N}_bucket{le="1"} 1`, `${N}_bucket{le="5"} 5`]);
  });

  test("values above the last bound go to +Inf", () => {
    assert.deepEqual(placed([ex(5.0001), ex(Infinity)]), [`${N}_bucket{le="+Inf"} 5.0001`, `${N}_bucket{le="+Inf"} Infinity`]);
  });

  test("int exemplars are placed by their value, not as 0", () => {
    assert.deepEqual(placed([ex(3n)]), [`${N}_bucket{le="5"} 3`]);
  });

  test("several exemplars in one bucket are all sent", () => {
    assert.equal(placed([ex(2), ex(3), ex(4)]).length, 3);
  });

  test("none on _sum or _count", () => {
    assert.ok(convert([p([ex(1)])], BARE).exemplars.every((x) => x.series.includes("_bucket")));
  });

  test("trace_id, span_id and time travel with the exemplar", () => {
    const e = convert([p([ex(1, 7)])], BARE).exemplars[0]!.e;
    assert.deepEqual(e.labels, [["span_id", "a0a1a2a3a4a5a6a7"], ["trace_id", "0102030405060708090a0b0c0d0e0f10"]]);
    assert.equal(e.timestampMs, T_MS + 7);
  });
});
