// Series hashes and label plans (series_keys.ts), and the series cache that uses them: every way
// of building a point's labels must give the same hash and match for the same label set — the
// duplicate and out-of-order checks rest on it — plans kept per attribute-key list must give
// each point its own values, and series sharing a hash must stay apart.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { KeyValueSchema } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Labels } from "../../../src/prom/appender.ts";
import { Converter } from "../../../src/prom/translate/converter.ts";
import { attributeLabels, overrideLabels, sortedLabels } from "../../../src/prom/translate/labels.ts";
import { SeriesCache, type SeriesProbe } from "../../../src/prom/translate/series_cache.ts";
import { SeriesKeys, prefixHash } from "../../../src/prom/translate/series_keys.ts";
import { BARE, NOW_MS, at, attrs, convert, gauge, histogram, point, resource, sum, summary } from "./capture.ts";

const kvs = (record: Record<string, string> | [string, string][]) => attrs(record).map((kv) => create(KeyValueSchema, kv));

/** What pointLabels has always meant: base, then the attributes on top, sorted, no empty values. */
function reference(base: Labels, record: Record<string, string> | [string, string][]): Labels {
  return sortedLabels(overrideLabels(new Map(base), attributeLabels(kvs(record))));
}

describe("SeriesKeys", () => {
  const base: Labels = [["job", "svc"], ["otel_scope_name", "lib"]];
  const seed = prefixHash("gfamily");

  /** Hash and labels of one point. */
  function probe(keys: SeriesKeys, record: Record<string, string> | [string, string][], onInvalid: (key: string) => void = () => {}) {
    const b = keys.base(base);
    const hash = keys.point(seed, b, kvs(record), onInvalid);
    return { hash, labels: keys.labels() };
  }

  test("a plan reused for another point gives that point's values and labels", () => {
    const keys = new SeriesKeys();
    const points = [
      { "b.x": "1", a: "2", zz: "3" },
      { "b.x": "4", a: "5", zz: "6" },
      { "b.x": "1", a: "", zz: "3" },
      { "b.x": "1", a: "2", zz: "3" },
    ];
    const got = points.map((p) => probe(keys, p, () => assert.fail("no invalid keys here")));
    got.forEach((g, i) => assert.deepEqual(g.labels, reference(base, points[i]!)));
    assert.equal(got[0]!.hash, got[3]!.hash);
    // matches() compares with the point given last (the fourth).
    assert.ok(keys.matches(got[0]!.labels));
    assert.ok(!keys.matches(got[1]!.labels));
    assert.ok(!keys.matches(got[2]!.labels));
  });

  test("equal label sets built different ways hash alike and match; different ones do not match", () => {
    const keys = new SeriesKeys();
    const same = (x: Record<string, string> | [string, string][], y: Record<string, string> | [string, string][]) => {
      const first = probe(keys, x);
      const second = probe(keys, y);
      return first.hash === second.hash && keys.matches(first.labels);
    };
    // Fast path vs. colliding keys (joined with `;`, slow path).
    assert.ok(same({ a_b: "1;2" }, [["a.b", "1"], ["a_b", "2"]]));
    assert.ok(same([["a.b", "1"], ["a_b", "2"]], { a_b: "1;2" }));
    // An empty value drops its label: same as not having it.
    assert.ok(same({ x: "", y: "1" }, { y: "1" }));
    // An attribute overriding a base label with the base's own value; no attributes at all.
    assert.ok(same({ job: "svc" }, []));
    assert.ok(same([], { job: "svc" }));
    // Attribute order does not matter.
    assert.ok(same({ a: "1", b: "2" }, { b: "2", a: "1" }));
    assert.ok(!same({ a: "x\u0001", b: "y" }, { a: "x", b: "\u0001y" }));
    assert.ok(!same({ a: "1" }, { b: "1" }));
    assert.ok(!same({ a: "" }, { a: "x" }));
    assert.ok(!same({ a: "1", b: "2" }, { a: "1" }));
    assert.ok(!same({ job: "other" }, []));
  });

  test("invalid attribute keys are reported for every point, also when the plan is reused", () => {
    const keys = new SeriesKeys();
    const invalid: string[] = [];
    for (let i = 0; i < 3; i++) probe(keys, { "%%": "x", k: String(i) }, (k) => invalid.push(k));
    assert.deepEqual(invalid, ["%%", "%%", "%%"]);
  });
});

describe("SeriesCache", () => {
  /** A probe for fixed labels. */
  const fixed = (labels: Labels): SeriesProbe => ({ matches: (l) => JSON.stringify(l) === JSON.stringify(labels), labels: () => labels });

  test("series sharing a hash stay apart, by family and by labels; gc drops them one by one", () => {
    const cache = new SeriesCache();
    const a = cache.touch(7, "gx", fixed([["k", "a"]]), 1);
    const b = cache.touch(7, "gx", fixed([["k", "b"]]), 2);
    const c = cache.touch(7, "cx", fixed([["k", "a"]]), 3);
    assert.equal(cache.size, 3);
    assert.notEqual(a, b);
    assert.notEqual(a, c);
    assert.equal(cache.touch(7, "gx", fixed([["k", "b"]]), 4), b);
    assert.equal(cache.gc(2), 1);
    assert.equal(cache.size, 2);
    assert.equal(cache.touch(7, "gx", fixed([["k", "b"]]), 5), b);
    assert.notEqual(cache.touch(7, "gx", fixed([["k", "a"]]), 5), a);
    assert.equal(cache.gc(6), 3);
    assert.equal(cache.size, 0);
  });
});

describe("series identity in the converter", () => {
  test("points of two resources whose labels end up equal are one series (duplicate dropped)", () => {
    const rm = (svc: string, v: number) => resource([gauge("g", [point(v, { attributes: attrs({ job: "x" }) })])], { "service.name": svc });
    const c = convert([rm("a", 1), rm("b", 2)], BARE);
    assert.deepEqual(c.lines(), ['g{job="x"} 1']);
    assert.equal(c.report.dropped.duplicate, 1);
  });

  test("a colliding attribute pair and the joined label it makes are one series", () => {
    const rm = resource([gauge("g", [point(1, { attributes: attrs([["a.b", "1"], ["a_b", "2"]]) }), point(2, { attributes: attrs({ a_b: "1;2" }) })])], {});
    const c = convert([rm], BARE);
    assert.deepEqual(c.lines(), ['g{a_b="1;2"} 1']);
    assert.equal(c.report.dropped.duplicate, 1);
  });

  test("a series seen before hands the appender the same label array", () => {
    const conv = new Converter(BARE, () => NOW_MS);
    const rm = (ms: number) => resource([sum("c", [point(1, { timeUnixNano: at(ms), attributes: attrs({ k: "v", "x.y": "z" }) })])], {});
    const first = convert([rm(1000)], BARE, conv);
    const second = convert([rm(2000)], BARE, conv);
    assert.deepEqual(second.lines(), ['c_total{k="v",x_y="z"} 1']);
    assert.equal(second.samples[0]!.labels, first.samples[0]!.labels);
  });

  test("histogram and summary series labels are kept while bounds and quantiles stay; new ones when they change", () => {
    const conv = new Converter(BARE, () => NOW_MS);
    const h = (ms: number, explicitBounds: number[]) =>
      resource([histogram("lat", [{ timeUnixNano: at(ms), attributes: attrs({ k: "v" }), count: 3n, sum: 1, explicitBounds, bucketCounts: explicitBounds.map(() => 1n).concat([1n]) }])], {});
    const first = convert([h(1000, [1, 2])], BARE, conv);
    const second = convert([h(2000, [1, 2])], BARE, conv);
    assert.deepEqual(second.lines(), first.lines());
    second.samples.forEach((s, i) => assert.equal(s.labels, first.samples[i]!.labels, s.series));
    const third = convert([h(3000, [1, 5, 10])], BARE, conv);
    assert.deepEqual(third.lines(), ['lat_sum{k="v"} 1', 'lat_count{k="v"} 3', 'lat_bucket{k="v",le="1"} 1', 'lat_bucket{k="v",le="5"} 2', 'lat_bucket{k="v",le="10"} 3', 'lat_bucket{k="v",le="+Inf"} 3']);
    const q = (ms: number, quantiles: number[]) =>
      resource([summary("rt", [{ timeUnixNano: at(ms), count: 2n, sum: 3, quantileValues: quantiles.map((quantile) => ({ quantile, value: quantile })) }])], {});
    convert([q(1000, [0.5])], BARE, conv);
    assert.deepEqual(convert([q(2000, [0.5, 0.99])], BARE, conv).lines(), ["rt_sum{} 3", "rt_count{} 2", 'rt{quantile="0.5"} 0.5', 'rt{quantile="0.99"} 0.99']);
  });

  test("after gc forgets a series it starts afresh; series seen since keep their clock", () => {
    let now = NOW_MS;
    const conv = new Converter(BARE, () => now);
    const g = (ms: number, record: Record<string, string>) => resource([gauge("g", [point(1, { timeUnixNano: at(ms), attributes: attrs(record) })])], {});
    convert([g(1000, { old: "1" })], BARE, conv);
    now += 4 * 60_000;
    convert([g(1000, { live: "1" })], BARE, conv);
    now += 60_000 + 1;
    assert.equal(conv.gc(), 1);
    // The forgotten series accepts an older point; the live one still refuses one.
    assert.equal(convert([g(500, { old: "1" })], BARE, conv).lines().length, 1);
    const c = convert([g(500, { live: "1" })], BARE, conv);
    assert.equal(c.report.dropped.out_of_order, 1);
  });
});
