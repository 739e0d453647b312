// Label names and values (alloy-components.md §6.2, prometheus.md §2).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { type AnyValue, AnyValueSchema, KeyValueSchema } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { attributeLabels, labelName, labelsKey, overrideLabels, sortedLabels, withReserved } from "../../../src/prom/translate/labels.ts";
import { attributeString } from "../../../src/prom/translate/values.ts";
import { attrs } from "./capture.ts";

const kvs = (record: Parameters<typeof attrs>[0]) => attrs(record).map((kv) => create(KeyValueSchema, kv));
const value = (v: Parameters<typeof create<typeof AnyValueSchema>>[1]): AnyValue => create(AnyValueSchema, v);

describe("label names (Alloy's rule, alloy-components §6.2)", () => {
  const cases: [string, string][] = [
    ["http.method", "http_method"],
    ["k8s.pod.name", "k8s_pod_name"],
    ["a.b-c", "a_b_c"],
    ["deployment.environment", "deployment_environment"],
    ["grafana.host.id", "grafana_host_id"],
    ["already_valid", "already_valid"],
    ["CamelCase", "CamelCase"],
  ];
  for (const [key, name] of cases) test(`${key} → ${name}`, () => assert.equal(labelName(key), name));

  test("no collapsing: every illegal character becomes its own `_` (a..b → a__b)", () => {
    assert.equal(labelName("a..b"), "a__b");
    assert.equal(labelName("a.-/b"), "a___b");
  });

  test("a leading digit gets the prefix `key_` (0x → key_0x)", () => {
    assert.equal(labelName("0x"), "key_0x");
    assert.equal(labelName("1abc"), "key_1abc");
  });

  test("a single leading `_` gets the prefix `key` (_foo → key_foo)", () => {
    assert.equal(labelName("_foo"), "key_foo");
    assert.equal(labelName(".foo"), "key_foo");
    assert.equal(labelName("_"), undefined);
  });

  test("a double leading `_` is kept (__foo, __x__ keep their underscores)", () => {
    assert.equal(labelName("__foo"), "__foo");
    assert.equal(labelName("__a.b__"), "__a_b__");
    assert.equal(labelName("__name__"), "__name__");
  });

  test("`:` is not legal in label names", () => assert.equal(labelName("a:b"), "a_b"));

  test("Unicode: one `_` per character, astral characters included (ASCII only)", () => {
    assert.equal(labelName("größe"), "gr__e");
    assert.equal(labelName("a🔥b"), "a_b");
    assert.equal(labelName("é"), undefined);
  });

  test("an empty key or one that sanitises to underscores only is an error", () => {
    assert.equal(labelName(""), undefined);
    assert.equal(labelName("__"), undefined);
    assert.equal(labelName("..."), undefined);
  });
});

describe("attribute sets → labels", () => {
  test("keys sanitised, values stringified", () => {
    assert.deepEqual([...attributeLabels(kvs({ "http.method": "GET", "http.status": 200n }))], [
      ["http_method", "GET"],
      ["http_status", "200"],
    ]);
  });

  test("collisions: values joined with `;` in the order of the original keys (a.b=1, a_b=2 → a_b=\"1;2\")", () => {
    assert.deepEqual([...attributeLabels(kvs([["a_b", "2"], ["a.b", "1"]]))], [["a_b", "1;2"]]);
    assert.deepEqual([...attributeLabels(kvs([["a-b", "3"], ["a_b", "2"], ["a.b", "1"], ["z", "z"]]))], [
      ["a_b", "3;1;2"],
      ["z", "z"],
    ]);
  });

  test("collisions: empty values take no part in the join", () => {
    assert.deepEqual([...attributeLabels(kvs([["a.b", ""], ["a_b", "2"]]))], [["a_b", "2"]]);
    assert.deepEqual([...attributeLabels(kvs([["a.b", ""], ["a_b", ""]]))], [["a_b", ""]]);
  });

  test("the same key twice (invalid OTLP) counts once: the first", () => {
    assert.deepEqual([...attributeLabels(kvs([["k", "1"], ["k", "2"]]))], [["k", "1"]]);
  });

  test("illegal keys are reported and skipped", () => {
    const invalid: string[] = [];
    assert.deepEqual([...attributeLabels(kvs([["", "x"], ["__", "y"], ["ok", "z"]]), (k) => invalid.push(k))], [["ok", "z"]]);
    assert.deepEqual(invalid, ["", "__"]);
  });

  test("label values keep any Unicode unchanged", () => {
    assert.deepEqual([...attributeLabels(kvs({ city: "Zürich 🏔️ 東京\u0000" }))], [["city", "Zürich 🏔️ 東京\u0000"]]);
  });
});

describe("attribute values as label values (pdata AsString)", () => {
  test("string as-is", () => assert.equal(attributeString(value({ value: { case: "stringValue", value: "x y" } })), "x y"));
  test("bool true/false", () => {
    assert.equal(attributeString(value({ value: { case: "boolValue", value: true } })), "true");
    assert.equal(attributeString(value({ value: { case: "boolValue", value: false } })), "false");
  });
  test("int in decimal, exact beyond 2^53", () => assert.equal(attributeString(value({ value: { case: "intValue", value: -9007199254740993n } })), "-9007199254740993"));
  test("double in shortest form", () => {
    assert.equal(attributeString(value({ value: { case: "doubleValue", value: 0.1 } })), "0.1");
    assert.equal(attributeString(value({ value: { case: "doubleValue", value: 3 } })), "3");
    assert.equal(attributeString(value({ value: { case: "doubleValue", value: 1e21 } })), "1e+21");
  });
  test("double infinities and NaN", () => {
    assert.equal(attributeString(value({ value: { case: "doubleValue", value: Infinity } })), "+Inf");
    assert.equal(attributeString(value({ value: { case: "doubleValue", value: NaN } })), "NaN");
  });
  test("bytes as standard base64", () => assert.equal(attributeString(value({ value: { case: "bytesValue", value: Uint8Array.of(0xfb, 0xff, 0x01) } })), "+/8B"));
  test("array as JSON", () => {
    const v = value({ value: { case: "arrayValue", value: { values: [{ value: { case: "stringValue", value: "a" } }, { value: { case: "intValue", value: 1n } }, { value: { case: "boolValue", value: true } }, {}] } } });
    assert.equal(attributeString(v), '["a",1,true,null]');
  });
  test("map as JSON with sorted keys, HTML characters escaped like Go", () => {
    const v = value({ value: { case: "kvlistValue", value: { values: [{ key: "z", value: { value: { case: "stringValue", value: "<&>" } } }, { key: "a", value: { value: { case: "doubleValue", value: 1.5 } } }] } } });
    assert.equal(attributeString(v), '{"a":1.5,"z":"\\u003c\\u0026\\u003e"}');
  });
  test("empty value → empty string (label absent)", () => assert.equal(attributeString(undefined), ""));
});

describe("label set helpers", () => {
  test("sortedLabels sorts byte-wise and leaves out empty values", () => {
    assert.deepEqual(sortedLabels(new Map([["b", "1"], ["B", "2"], ["_a", "3"], ["e", ""]])), [
      ["B", "2"],
      ["_a", "3"],
      ["b", "1"],
    ]);
  });

  test("overrideLabels sets, and an empty override removes", () => {
    const m = overrideLabels(new Map([["job", "a"], ["x", "1"]]), new Map([["job", ""], ["y", "2"]]));
    assert.deepEqual([...m], [["x", "1"], ["y", "2"]]);
  });

  test("withReserved puts __name__/le in sorted place and replaces attributes of those names", () => {
    const labels = sortedLabels(new Map([["Z", "1"], ["__name__", "evil"], ["le", "7"], ["z", "2"]]));
    assert.deepEqual(withReserved(labels, [["__name__", "m_bucket"], ["le", "+Inf"]]), [
      ["Z", "1"],
      ["__name__", "m_bucket"],
      ["le", "+Inf"],
      ["z", "2"],
    ]);
  });

  test("labelsKey tells label sets apart", () => {
    assert.notEqual(labelsKey([["a", "bc"]]), labelsKey([["ab", "c"]]));
    assert.equal(labelsKey([["a", "1"]]), labelsKey([["a", "1"]]));
  });
});
