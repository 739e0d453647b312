// Type mapping, values, timestamps, staleness and ordering (prometheus.md §3, §3.3, §4.5,
// alloy-components.md §6.4). Histograms have their own files.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { AggregationTemporality, ResourceMetricsSchema } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { Converter } from "../../../src/prom/translate/converter.ts";
import { BARE, NOW_MS, T, T_MS, at, attrs, convert, gauge, point, resource, sum, summary } from "./capture.ts";

const STALE = { flags: 1 };

describe("gauges and sums (prometheus.md §3 table)", () => {
  test("Gauge → gauge, one series named after the metric", () => {
    const c = convert([resource([gauge("temp", [point(21.5, { attributes: attrs({ room: "a" }) })], "Cel")], {})], BARE);
    assert.deepEqual(c.lines(), ['temp_celsius{room="a"} 21.5']);
    assert.equal(c.samples[0]!.ts, T_MS);
  });

  test("Sum, monotonic, cumulative → counter ending in _total", () => {
    assert.deepEqual(convert([resource([sum("requests", [point(7)])], {})], BARE).lines(), ["requests_total{} 7"]);
  });

  test("Sum, non-monotonic, cumulative → gauge without _total", () => {
    assert.deepEqual(convert([resource([sum("active_connections", [point(3)], { monotonic: false })], {})], BARE).lines(), ["active_connections{} 3"]);
  });

  test("Sum, delta (monotonic) → dropped and counted", () => {
    const c = convert([resource([sum("requests", [point(7), point(8)], { delta: true })], {})], BARE);
    assert.deepEqual(c.lines(), []);
    assert.equal(c.report.dropped.non_cumulative, 2);
  });

  test("Sum, delta (non-monotonic) → dropped", () => {
    assert.deepEqual(convert([resource([sum("q", [point(7)], { delta: true, monotonic: false })], {})], BARE).lines(), []);
  });

  test("Sum with unspecified temporality → dropped like delta", () => {
    const m = sum("q", [point(1)]);
    (m.data as { value: { aggregationTemporality: number } }).value.aggregationTemporality = AggregationTemporality.UNSPECIFIED;
    const c = convert([resource([m], {})], BARE);
    assert.deepEqual(c.lines(), []);
    assert.equal(c.report.dropped.non_cumulative, 1);
  });

  test("several data points: one series each", () => {
    const c = convert([resource([gauge("g", [point(1, { attributes: attrs({ k: "a" }) }), point(2, { attributes: attrs({ k: "b" }) })])], {})], BARE);
    assert.deepEqual(c.lines(), ['g{k="a"} 1', 'g{k="b"} 2']);
  });
});

describe("values (prometheus.md §3)", () => {
  test("as_int is converted to float64 (precision lost above 2^53)", () => {
    const c = convert([resource([gauge("g", [point(9007199254740993n)])], {})], BARE);
    assert.equal(c.samples[0]!.value, 9007199254740992);
  });

  test("negative as_int", () => assert.equal(convert([resource([gauge("g", [point(-5n)])], {})], BARE).samples[0]!.value, -5));

  test("a point with no value is written as 0 (Alloy)", () => {
    const c = convert([resource([gauge("g", [{ timeUnixNano: T }])], {})], BARE);
    assert.equal(c.samples[0]!.value, 0);
  });

  test("NaN is an ordinary value, not a stale marker", () => {
    const s = convert([resource([gauge("g", [point(NaN)])], {})], BARE).samples[0]!;
    assert.ok(Number.isNaN(s.value));
  });

  test("+Inf and -Inf pass through", () => {
    const c = convert([resource([gauge("g", [point(Infinity, { attributes: attrs({ k: "p" }) }), point(-Infinity, { attributes: attrs({ k: "n" }) })])], {})], BARE);
    assert.deepEqual(c.samples.map((s) => s.value), [Infinity, -Infinity]);
  });
});

describe("timestamps (prometheus.md §3)", () => {
  test("ns → ms by integer division, truncating (BigInt: 2^53 is exceeded)", () => {
    const c = convert([resource([gauge("g", [point(1, { timeUnixNano: 1_700_000_000_123_999_999n })])], {})], BARE);
    assert.equal(c.samples[0]!.ts, 1_700_000_000_123);
  });

  test("time 0 → the point is dropped and counted (it would land in 1970)", () => {
    const c = convert([resource([gauge("g", [point(1, { timeUnixNano: 0n })])], {})], BARE);
    assert.deepEqual(c.lines(), []);
    assert.equal(c.report.dropped.zero_timestamp, 1);
  });

  test("a time below one millisecond is still a real time, not 0", () => {
    const c = convert([resource([gauge("g", [point(1, { timeUnixNano: 1n })])], {})], BARE);
    assert.equal(c.report.dropped.zero_timestamp, 1);
    const d = convert([resource([gauge("g", [point(1, { timeUnixNano: 1_000_000n })])], {})], BARE);
    assert.equal(d.samples[0]!.ts, 1);
  });
});

describe("staleness: NoRecordedValue → stale marker (prometheus.md §4.5)", () => {
  test("gauge with flag bit 0 → appendStale (the exact StaleNaN bits are the encoder's job)", () => {
    const c = convert([resource([gauge("g", [point(5, STALE)])], {})], BARE);
    assert.deepEqual(c.lines(), ["g{} stale"]);
  });

  test("counter with flag bit 0 → stale marker", () => {
    assert.deepEqual(convert([resource([sum("c", [point(5, STALE)])], {})], BARE).lines(), ["c_total{} stale"]);
  });

  test("other flag bits do not mean stale", () => {
    assert.deepEqual(convert([resource([gauge("g", [point(5, { flags: 2 })])], {})], BARE).lines(), ["g{} 5"]);
  });

  test("summary with flag bit 0 → _sum, _count and every quantile stale", () => {
    const c = convert([resource([summary("rt", [{ timeUnixNano: T, count: 2n, sum: 3, flags: 1, quantileValues: [{ quantile: 0.5, value: 1 }] }])], {})], BARE);
    assert.deepEqual(c.lines(), ["rt_sum{} stale", "rt_count{} stale", 'rt{quantile="0.5"} stale']);
  });
});

describe("ordering (alloy-components §6.4, prometheus.md §4.6)", () => {
  const g = (ms: number, v: number) => resource([gauge("g", [point(v, { timeUnixNano: at(ms) })])], {});

  test("a data point older than the last one written for the same series is skipped", () => {
    const conv = new Converter(BARE, () => NOW_MS);
    assert.deepEqual(convert([g(1000, 1)], BARE, conv).lines(), ["g{} 1"]);
    const c = convert([g(500, 2)], BARE, conv);
    assert.deepEqual(c.lines(), []);
    assert.equal(c.report.dropped.out_of_order, 1);
  });

  test("the same timestamp again is written (a retried batch must go through)", () => {
    const conv = new Converter(BARE, () => NOW_MS);
    convert([g(1000, 1)], BARE, conv);
    assert.deepEqual(convert([g(1000, 1)], BARE, conv).lines(), ["g{} 1"]);
  });

  test("inside one batch too: the older of two points of a series is skipped", () => {
    const rm = resource([gauge("g", [point(1, { timeUnixNano: at(2000) }), point(2, { timeUnixNano: at(1000) })])], {});
    assert.deepEqual(convert([rm], BARE).lines(), ["g{} 1"]);
  });

  test("two points that end up as the same series at the same time in one batch: the second is dropped (400 duplicate sample otherwise)", () => {
    const rm = resource([gauge("g", [point(1, { attributes: attrs({ "": "x", k: "v" }) }), point(2, { attributes: attrs({ "": "y", k: "v" }) })])], {});
    const c = convert([rm], BARE);
    assert.deepEqual(c.lines(), ['g{k="v"} 1']);
    assert.equal(c.report.dropped.duplicate, 1);
  });

  test("series are told apart by labels: another label set has its own clock", () => {
    const rm = resource([gauge("g", [point(1, { timeUnixNano: at(2000), attributes: attrs({ k: "a" }) }), point(2, { timeUnixNano: at(1000), attributes: attrs({ k: "b" }) })])], {});
    assert.equal(convert([rm], BARE).lines().length, 2);
  });

  test("gc forgets series not seen for 5 minutes; an old point is then accepted again", () => {
    let now = NOW_MS;
    const conv = new Converter(BARE, () => now);
    convert([g(1000, 1)], BARE, conv);
    assert.equal(conv.gc(), 0);
    now += 5 * 60_000 + 1;
    assert.equal(conv.gc(), 1);
    assert.equal(conv.seriesCount, 0);
    assert.deepEqual(convert([g(500, 2)], BARE, conv).lines(), ["g{} 2"]);
  });
});

describe("summaries (prometheus.md §3.3)", () => {
  const rm = resource([summary("rpc.duration", [{ timeUnixNano: T, count: 10n, sum: 4.5, quantileValues: [{ quantile: 0, value: 0.1 }, { quantile: 0.5, value: 0.4 }, { quantile: 0.99, value: 0.9 }, { quantile: 1, value: 1.2 }], exemplars: [{ timeUnixNano: T, value: { case: "asDouble", value: 1 } }] }], "s")], {});

  test("name{quantile} per quantile (formatted like le), name_sum and name_count", () => {
    assert.deepEqual(convert([rm], BARE).lines(), [
      "rpc_duration_seconds_sum{} 4.5",
      "rpc_duration_seconds_count{} 10",
      'rpc_duration_seconds{quantile="0"} 0.1',
      'rpc_duration_seconds{quantile="0.5"} 0.4',
      'rpc_duration_seconds{quantile="0.99"} 0.9',
      'rpc_duration_seconds{quantile="1"} 1.2',
    ]);
  });

  test("no _total and no exemplars", () => {
    const c = convert([rm], BARE);
    assert.ok(c.names().every((n) => !n.endsWith("_total")));
    assert.equal(c.exemplars.length, 0);
  });

  test("_sum is always written, even when 0", () => {
    const c = convert([resource([summary("s", [{ timeUnixNano: T, count: 0n }])], {})], BARE);
    assert.deepEqual(c.lines(), ["s_sum{} 0", "s_count{} 0"]);
  });

  test("a quantile attribute is replaced by the quantile label", () => {
    const c = convert([resource([summary("s", [{ timeUnixNano: T, count: 1n, sum: 1, attributes: attrs({ quantile: "x" }), quantileValues: [{ quantile: 0.5, value: 1 }] }])], {})], BARE);
    assert.deepEqual(c.lines(), ['s_sum{quantile="x"} 1', 's_count{quantile="x"} 1', 's{quantile="0.5"} 1']);
  });
});

describe("labels of a series (prometheus.md §2)", () => {
  test("sorted by name, __name__ among them", () => {
    const c = convert([resource([gauge("g", [point(1, { attributes: attrs({ z: "1", B: "2", a: "3" }) })])], {})], BARE);
    assert.deepEqual(c.samples[0]!.labels.map(([n]) => n), ["B", "__name__", "a", "z"]);
  });

  test("no empty values: an attribute with an empty value is left out", () => {
    assert.deepEqual(convert([resource([gauge("g", [point(1, { attributes: attrs({ a: "", b: "x" }) })])], {})], BARE).lines(), ['g{b="x"} 1']);
  });

  test("__name__ always wins over an attribute called __name__", () => {
    assert.deepEqual(convert([resource([gauge("g", [point(1, { attributes: attrs({ __name__: "evil" }) })])], {})], BARE).lines(), ["g{} 1"]);
  });

  test("duplicate label names after sanitising are joined, never sent twice", () => {
    const c = convert([resource([gauge("g", [point(1, { attributes: attrs([["http.method", "GET"], ["http_method", "POST"], ["http-method", "PUT"]]) })])], {})], BARE);
    assert.deepEqual(c.lines(), ['g{http_method="PUT;GET;POST"} 1']);
    const names = c.samples[0]!.labels.map(([n]) => n);
    assert.equal(new Set(names).size, names.length);
  });

  test("attribute keys with no legal label name are dropped from the point and counted", () => {
    const c = convert([resource([gauge("g", [point(1, { attributes: attrs({ "": "x", "…": "y", ok: "z" }) })])], {})], BARE);
    assert.deepEqual(c.lines(), ['g{ok="z"} 1']);
    assert.equal(c.report.dropped.invalid_label, 2);
  });

  test("Unicode in label values is kept", () => {
    assert.deepEqual(convert([resource([gauge("g", [point(1, { attributes: attrs({ city: "Zürich 東京 🚀" }) })])], {})], BARE).lines(), ['g{city="Zürich 東京 🚀"} 1']);
  });
});

describe("bad metrics", () => {
  test("empty metric names → dropped and counted, the rest of the batch goes through", () => {
    const c = convert([resource([gauge("", [point(1)]), gauge("@#$%", [point(1), point(2)]), gauge("ok", [point(3)])], {})], BARE);
    assert.deepEqual(c.lines(), ["ok{} 3"]);
    assert.equal(c.report.dropped.invalid_name, 3);
  });

  test("Unicode metric names keep their ASCII parts", () => {
    assert.deepEqual(convert([resource([sum("größe.zähler", [point(1)])], {})], BARE).lines(), ["gr_e_z_hler_total{} 1"]);
  });

  test("a metric without data points is skipped and counted", () => {
    const c = convert([resource([gauge("g", [])], {})], BARE);
    assert.deepEqual(c.lines(), []);
    assert.equal(c.report.dropped.empty_metric, 1);
  });

  test("a metric without data at all is skipped and counted", () => {
    const c = convert([resource([{ name: "nothing" }], {})], BARE);
    assert.equal(c.report.dropped.empty_metric, 1);
  });

  test("an empty batch and an empty resource write nothing but target_info", () => {
    assert.deepEqual(convert([], {}).lines(), []);
    assert.deepEqual(convert([create(ResourceMetricsSchema, {})], {}).lines(), ["target_info{} 1"]);
  });
});
