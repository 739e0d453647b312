// Exponential histograms → native histograms (prometheus.md §3.2).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ExponentialHistogramDataPointSchema } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { nativeHistogram, sparseBuckets } from "../../../src/prom/translate/native_histogram.ts";
import { BARE, T, T_MS, convert, expHistogram, resource } from "./capture.ts";

type Init = Parameters<typeof create<typeof ExponentialHistogramDataPointSchema>>[1];
const dp = (init: Init) => create(ExponentialHistogramDataPointSchema, { timeUnixNano: T, ...init });
const buckets = (offset: number, counts: number[]) => ({ offset, bucketCounts: counts.map(BigInt) });
const hist = (init: Init) => {
  const h = nativeHistogram(dp(init));
  if (typeof h === "string") throw new Error(h);
  return h;
};

describe("exponential → native histogram (prometheus.md §3.2)", () => {
  test("schema = scale, count, sum, zero count; reset hint UNKNOWN", () => {
    const h = hist({ scale: 3, count: 6n, sum: 12.5, zeroCount: 1n, positive: buckets(0, [5]) });
    assert.equal(h.schema, 3);
    assert.equal(h.count, 6);
    assert.equal(h.sum, 12.5);
    assert.equal(h.zeroCount, 1);
    assert.equal(h.resetHint, 0);
  });

  test("every valid schema from -4 to 8 is kept as it is", () => {
    for (let s = -4; s <= 8; s++) assert.equal(hist({ scale: s, count: 0n }).schema, s);
  });

  test("zero_threshold is always 1e-128, whatever OTLP says (as the reference implementations)", () => {
    assert.equal(hist({ scale: 0, count: 0n, zeroThreshold: 0.5 }).zeroThreshold, 1e-128);
  });

  test("no sum → 0", () => assert.equal(hist({ scale: 0, count: 0n }).sum, 0));

  test("index shift: OTLP bucket i is Prometheus bucket i+1 (schema 0, offset 0, one bucket → span offset 1)", () => {
    const h = hist({ scale: 0, count: 1n, positive: buckets(0, [1]) });
    assert.deepEqual(h.positiveSpans, [{ offset: 1, length: 1 }]);
    assert.deepEqual(h.positiveDeltas, [1]);
  });

  test("the first span's offset is absolute and may be negative", () => {
    assert.deepEqual(hist({ scale: 0, count: 1n, positive: buckets(-5, [1]) }).positiveSpans, [{ offset: -4, length: 1 }]);
  });

  test("deltas: the first relative to 0, each following relative to the previous bucket", () => {
    assert.deepEqual(hist({ scale: 0, count: 10n, positive: buckets(0, [2, 5, 3]) }).positiveDeltas, [2, 3, -2]);
  });

  test("a gap of more than two empty buckets starts a new span; later offsets count the skipped buckets", () => {
    const h = hist({ scale: 0, count: 3n, positive: buckets(0, [1, 0, 0, 0, 1, 1]) });
    assert.deepEqual(h.positiveSpans, [{ offset: 1, length: 1 }, { offset: 3, length: 2 }]);
    assert.deepEqual(h.positiveDeltas, [1, 0, 0]);
  });

  test("a gap of up to two is filled with zero buckets instead (as the reference does)", () => {
    const h = hist({ scale: 0, count: 2n, positive: buckets(0, [1, 0, 0, 1]) });
    assert.deepEqual(h.positiveSpans, [{ offset: 1, length: 4 }]);
    assert.deepEqual(h.positiveDeltas, [1, -1, 0, 1]);
  });

  test("leading and trailing empty buckets are left out", () => {
    const h = hist({ scale: 0, count: 1n, positive: buckets(2, [0, 0, 1, 0, 0]) });
    assert.deepEqual(h.positiveSpans, [{ offset: 5, length: 1 }]);
  });

  test("empty bucket list → no spans, no deltas", () => {
    const h = hist({ scale: 0, count: 0n, positive: buckets(3, []) });
    assert.deepEqual([h.positiveSpans, h.positiveDeltas, h.negativeSpans, h.negativeDeltas], [[], [], [], []]);
  });

  test("negative buckets become negative spans and deltas", () => {
    const h = hist({ scale: 1, count: 4n, negative: buckets(-1, [3, 1]) });
    assert.deepEqual(h.negativeSpans, [{ offset: 0, length: 2 }]);
    assert.deepEqual(h.negativeDeltas, [3, -2]);
    assert.deepEqual(h.positiveSpans, []);
  });

  test("scale above 8 is reduced to 8 by merging 2^(scale-8) neighbours", () => {
    // scale 10: k = 2, OTLP indexes 4..11 → 1,1,1,1,2,2,2,2 → Prometheus 2 and 3.
    const h = hist({ scale: 10, count: 36n, positive: buckets(4, [1, 2, 3, 4, 5, 6, 7, 8]) });
    assert.equal(h.schema, 8);
    assert.deepEqual(h.positiveSpans, [{ offset: 2, length: 2 }]);
    assert.deepEqual(h.positiveDeltas, [10, 16]);
  });

  test("scale reduction floors negative indexes (arithmetic shift)", () => {
    // scale 9: k = 1, OTLP indexes -3,-2,-1,0 → -2,-1,-1,0 → Prometheus -1, 0, 1.
    const h = hist({ scale: 9, count: 10n, positive: buckets(-3, [1, 2, 3, 4]) });
    assert.deepEqual(h.positiveSpans, [{ offset: -1, length: 3 }]);
    assert.deepEqual(h.positiveDeltas, [1, 4, -1]);
  });

  test("scale 20 (OTLP's maximum) reduces too", () => {
    const h = hist({ scale: 20, count: 2n, positive: buckets(4096, [1, 1]) });
    assert.equal(h.schema, 8);
    assert.deepEqual(h.positiveSpans, [{ offset: 2, length: 1 }]);
    assert.deepEqual(h.positiveDeltas, [2]);
  });

  test("offsets beyond the int32 range do not wrap", () => {
    const s = sparseBuckets(create(ExponentialHistogramDataPointSchema, { positive: buckets(2 ** 31 - 1, [1, 1]) }).positive, 1);
    assert.deepEqual(s.spans, [{ offset: 2 ** 30, length: 2 }]);
  });

  test("scale below -4 cannot be represented → error", () => {
    assert.match(String(nativeHistogram(dp({ scale: -5, count: 0n }))), /scale must be >= -4, was -5/);
  });

  test("count below the observations in buckets (counts disagree) → error: Prometheus would answer 500", () => {
    assert.match(String(nativeHistogram(dp({ scale: 0, count: 2n, zeroCount: 1n, positive: buckets(0, [1]), negative: buckets(0, [1]) }))), /3 observations found in buckets, but the count is 2/);
  });

  test("count above the bucket total is fine (observations may be NaN)", () => {
    assert.equal(hist({ scale: 0, count: 9n, positive: buckets(0, [1]) }).count, 9);
  });
});

describe("exponential histograms through the converter", () => {
  const rm = (init: Record<string, unknown>, opts: { delta?: boolean } = {}) => resource([expHistogram("request_size", [{ timeUnixNano: T, ...init }], { unit: "By", ...opts })], {});

  test("one series named like the family (no _bucket/_sum/_count), one histogram per point", () => {
    const c = convert([rm({ scale: 0, count: 1n, sum: 3, positive: buckets(1, [1]) })], BARE);
    assert.deepEqual(c.samples, []);
    assert.deepEqual(c.histograms.map((x) => [x.series, x.ts]), [["request_size_bytes{}", T_MS]]);
  });

  test("scale below -4 → point dropped and counted", () => {
    const c = convert([rm({ scale: -5, count: 0n })], BARE);
    assert.equal(c.histograms.length, 0);
    assert.equal(c.report.dropped.invalid_histogram, 1);
  });

  test("count below bucket total → point dropped and counted", () => {
    const c = convert([rm({ scale: 0, count: 0n, positive: buckets(0, [4]) })], BARE);
    assert.equal(c.histograms.length, 0);
    assert.equal(c.report.dropped.invalid_histogram, 1);
  });

  test("delta → dropped", () => {
    const c = convert([rm({ scale: 0, count: 0n }, { delta: true })], BARE);
    assert.equal(c.histograms.length, 0);
    assert.equal(c.report.dropped.non_cumulative, 1);
  });

  test("NoRecordedValue → stale marker on the histogram series", () => {
    const c = convert([rm({ scale: 0, count: 0n, flags: 1 })], BARE);
    assert.deepEqual(c.lines(), ["request_size_bytes{} stale"]);
    assert.equal(c.histograms.length, 0);
  });

  test("exemplars go on the native histogram series", () => {
    const c = convert([rm({ scale: 0, count: 1n, positive: buckets(0, [1]), exemplars: [{ timeUnixNano: T, value: { case: "asDouble", value: 1.5 } }] })], BARE);
    assert.deepEqual(c.exemplars.map((x) => [x.series, x.e.value]), [["request_size_bytes{}", 1.5]]);
  });
});
