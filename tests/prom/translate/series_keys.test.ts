// Series keys and label plans (series_keys.ts): every way of building a point's labels must
// give the same key for the same label set — the duplicate and out-of-order checks rest on it —
// and plans kept per attribute-key list must give each point its own values.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { KeyValueSchema } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Labels } from "../../../src/prom/appender.ts";
import { Converter } from "../../../src/prom/translate/converter.ts";
import { attributeLabels, overrideLabels, sortedLabels } from "../../../src/prom/translate/labels.ts";
import { SeriesKeys } from "../../../src/prom/translate/series_keys.ts";
import { BARE, NOW_MS, at, attrs, convert, gauge, point, resource, sum } from "./capture.ts";

const kvs = (record: Record<string, string> | [string, string][]) => attrs(record).map((kv) => create(KeyValueSchema, kv));

/** What pointLabels has always meant: base, then the attributes on top, sorted, no empty values. */
function reference(base: Labels, record: Record<string, string> | [string, string][]): Labels {
  return sortedLabels(overrideLabels(new Map(base), attributeLabels(kvs(record))));
}

describe("SeriesKeys", () => {
  const base: Labels = [["job", "svc"], ["otel_scope_name", "lib"]];

  test("a plan reused for another point gives that point's values and labels", () => {
    const keys = new SeriesKeys();
    const b = keys.base(base, NOW_MS);
    const seen = new Map<string, Labels>();
    const points = [
      { "b.x": "1", a: "2", zz: "3" },
      { "b.x": "4", a: "5", zz: "6" },
      { "b.x": "1", a: "", zz: "3" },
      { "b.x": "1", a: "2", zz: "3" },
    ];
    for (const p of points) {
      const key = keys.point(b, kvs(p), NOW_MS, () => assert.fail("no invalid keys here"));
      const labels = keys.labels(b);
      assert.deepEqual(labels, reference(base, p));
      if (seen.has(key)) assert.deepEqual(seen.get(key), labels, "one key, one label set");
      seen.set(key, labels);
    }
    assert.equal(seen.size, 3, "the first and last points are one series");
  });

  test("equal label sets built different ways share a key; different ones do not", () => {
    const keys = new SeriesKeys();
    const b = keys.base(base, NOW_MS);
    const key = (p: Record<string, string> | [string, string][]) => keys.point(b, kvs(p), NOW_MS, () => {});
    // Fast path vs. colliding keys (joined with `;`, slow path).
    assert.equal(key({ a_b: "1;2" }), key([["a.b", "1"], ["a_b", "2"]]));
    // An empty value drops its label: same as not having it.
    assert.equal(key({ x: "", y: "1" }), key({ y: "1" }));
    // An attribute overriding a base label with the base's own value.
    assert.equal(key({ job: "svc" }), keys.point(b, [], NOW_MS, () => {}));
    // Attribute order does not matter.
    assert.equal(key({ a: "1", b: "2" }), key({ b: "2", a: "1" }));
    // Values holding the key's separators stay apart.
    assert.notEqual(key({ a: "x\u0001", b: "y" }), key({ a: "x", b: "\u0001y" }));
    assert.notEqual(key({ a: "x\u0002\"", b: "y" }), key({ a: "x", b: "\u0002\"y" }));
    assert.notEqual(key({ a: "x\u0003", b: "y" }), key({ a: "x", b: "\u0001\u0003y" }));
    const long = "v".repeat(0xd800 + 5);
    assert.notEqual(key({ a: long, b: "y" }), key({ a: long.slice(1), b: `v${"y"}` }));
    assert.equal(key({ a: long }), key({ a: `${long}` }));
    assert.notEqual(key({ a: "1" }), key({ b: "1" }));
    assert.notEqual(key({ a: "" }), key({ a: "x" }));
  });

  test("invalid attribute keys are reported for every point, also when the plan is reused", () => {
    const keys = new SeriesKeys();
    const b = keys.base(base, NOW_MS);
    const invalid: string[] = [];
    for (let i = 0; i < 3; i++) keys.point(b, kvs({ "%%": "x", k: String(i) }), NOW_MS, (k) => invalid.push(k));
    assert.deepEqual(invalid, ["%%", "%%", "%%"]);
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

  test("after gc forgets a label-name list, its series start afresh and others keep their clock", () => {
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
