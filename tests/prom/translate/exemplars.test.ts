// Exemplars (prometheus.md §4.4, alloy-components.md §6.4). Placement on histogram buckets is
// in histogram.test.ts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Converter } from "../../../src/prom/translate/converter.ts";
import { exemplarBucket } from "../../../src/prom/translate/exemplars.ts";
import { BARE, NOW_MS, T, T_MS, at, attrs, convert, gauge, point, resource, sum } from "./capture.ts";

const TRACE = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const SPAN = Uint8Array.from({ length: 8 }, (_, i) => 0x10 + i);
const ex = (init: Record<string, unknown> = {}) => ({ timeUnixNano: T, value: { case: "asDouble", value: 2.5 }, traceId: TRACE, spanId: SPAN, ...init });
const counter = (exemplars: unknown[], time = T) => resource([sum("requests", [point(10, { exemplars, timeUnixNano: time })])], {});

describe("exemplars", () => {
  test("monotonic sums keep them, on the counter series", () => {
    const c = convert([counter([ex()])], BARE);
    assert.deepEqual(c.exemplars.map((x) => x.series), ["requests_total{}"]);
  });

  test("labels trace_id (32 hex) and span_id (16 hex), lower case, sorted by name", () => {
    const e = convert([counter([ex()])], BARE).exemplars[0]!.e;
    assert.deepEqual(e.labels, [["span_id", "1011121314151617"], ["trace_id", "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"]]);
  });

  test("all-zero or missing ids are left out", () => {
    const e = convert([counter([ex({ traceId: new Uint8Array(16), spanId: new Uint8Array() })])], BARE).exemplars[0]!.e;
    assert.deepEqual(e.labels, []);
  });

  test("value: as_double, or as_int converted (not read as 0)", () => {
    const c = convert([counter([ex(), ex({ value: { case: "asInt", value: 7n } })])], BARE);
    assert.deepEqual(c.exemplars.map((x) => x.e.value), [2.5, 7]);
  });

  test("timestamp: the exemplar's own time in ms", () => {
    assert.equal(convert([counter([ex({ timeUnixNano: at(42) })])], BARE).exemplars[0]!.e.timestampMs, T_MS + 42);
  });

  test("an exemplar without a time carries none", () => {
    assert.equal(convert([counter([ex({ timeUnixNano: 0n })])], BARE).exemplars[0]!.e.timestampMs, undefined);
  });

  test("filtered_attributes are not carried (as Alloy's converter)", () => {
    const e = convert([counter([ex({ filteredAttributes: attrs({ user: "u1" }) })])], BARE).exemplars[0]!.e;
    assert.deepEqual(e.labels.map(([n]) => n), ["span_id", "trace_id"]);
  });

  test("gauges drop their exemplars", () => {
    assert.equal(convert([resource([gauge("g", [point(1, { exemplars: [ex()] })])], {})], BARE).exemplars.length, 0);
  });

  test("non-monotonic sums drop their exemplars", () => {
    assert.equal(convert([resource([sum("s", [point(1, { exemplars: [ex()] })], { monotonic: false })], {})], BARE).exemplars.length, 0);
  });

  test("an exemplar older than the last one written for the series is skipped", () => {
    const conv = new Converter(BARE, () => NOW_MS);
    assert.equal(convert([counter([ex({ timeUnixNano: at(100) })], at(1000))], BARE, conv).exemplars.length, 1);
    const c = convert([counter([ex({ timeUnixNano: at(50) }), ex({ timeUnixNano: at(100) }), ex({ timeUnixNano: at(200) })], at(2000))], BARE, conv);
    assert.deepEqual(c.exemplars.map((x) => x.e.timestampMs), [T_MS + 100, T_MS + 200]);
  });

  test("exemplars of a point that is dropped are dropped with it", () => {
    const conv = new Converter(BARE, () => NOW_MS);
    convert([counter([], at(1000))], BARE, conv);
    assert.equal(convert([counter([ex()], at(10))], BARE, conv).exemplars.length, 0);
  });
});

describe("exemplarBucket", () => {
  const bounds = [0.1, 1, 10];
  const cases: [number, number][] = [
    [-5, 0],
    [0.1, 0],
    [0.11, 1],
    [1, 1],
    [10, 2],
    [10.5, 3],
    [Infinity, 3],
  ];
  for (const [v, i] of cases) test(`${v} → bucket ${i}`, () => assert.equal(exemplarBucket(bounds, v), i));
  test("no bounds → +Inf", () => assert.equal(exemplarBucket([], 1), 0));
});
