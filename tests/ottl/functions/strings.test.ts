// String converters through real statements (ottl.md §5.3 "Strings", E14, E16).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlCompileError, OttlRuntimeError } from "../../../src/ottl/errors.ts";
import { attributesOf, compileExpr, evaluate, plain, runLog } from "./helpers.ts";

describe("Concat", () => {
  test("E14: nil elements print as <nil>, numbers formatted", () => {
    const t = runLog([`set(log.attributes["k"], Concat([log.attributes["a"], log.attributes["missing"], 7], "-"))`], { attributes: { a: "x" } });
    assert.equal(attributesOf(t).k, "x-<nil>-7");
  });
  test("floats, bools, bytes and ids; maps and lists are skipped", () => {
    assert.equal(evaluate(`Concat([1.5, true, 0x0aff, SpanID(0x0102030405060708), {"a": 1}, [1], "end"], "|")`), "1.5|true|0aff|0102030405060708|end");
  });
  test("the README example with an attribute path", () => {
    assert.equal(evaluate(`Concat([log.attributes["http.method"], log.attributes["http.path"]], ": ")`, { attributes: { "http.method": "GET", "http.path": "/x" } }), "GET: /x");
  });
  test("empty list and empty delimiter", () => {
    assert.equal(evaluate(`Concat([], "-")`), "");
    assert.equal(evaluate(`Concat(["a", "b"], "")`), "ab");
  });
  test("a nil delimiter is an error", () => {
    assert.throws(() => evaluate(`Concat(["a"], log.attributes["nope"])`), OttlRuntimeError);
  });
});

describe("Split", () => {
  test("E16: index into the result", () => {
    assert.equal(evaluate(`Split(log.attributes["csv"], ",")[1]`, { attributes: { csv: "a,b,c" } }), "b");
    assert.throws(() => evaluate(`Split(log.attributes["csv"], ",")[1]`, { attributes: { csv: "a" } }), /out of bounds/);
  });
  test("Go strings.Split edge cases", () => {
    assert.deepEqual(plain(`Split("", ",")`), [""]);
    assert.deepEqual(plain(`Split("a,,b,", ",")`), ["a", "", "b", ""]);
    assert.deepEqual(plain(`Split("héllo", "")`), ["h", "é", "l", "l", "o"]);
    assert.deepEqual(plain(`Split("a::b", "::")`), ["a", "b"]);
  });
  test("non-string and nil targets fail", () => {
    assert.throws(() => evaluate(`Split(1, ",")`), OttlRuntimeError);
    assert.throws(() => evaluate(`Split(log.attributes["missing"], ",")`), OttlRuntimeError);
  });
});

describe("Substring", () => {
  test("byte offsets", () => {
    assert.equal(evaluate(`Substring("123456789", 0, 3)`), "123");
    assert.equal(evaluate(`Substring("123456789", 6, 3)`), "789");
    assert.equal(evaluate(`Substring("héllo", 0, 3)`), "hé");
    assert.equal(evaluate(`Substring("abc", 1, 0)`), "");
  });
  test("utf8_safe moves cuts to character boundaries", () => {
    assert.equal(evaluate(`Substring("一二三", 0, 4, true)`), "一");
    assert.equal(evaluate(`Substring("一二三", 1, 6, true)`), "二");
    assert.equal(evaluate(`Substring("héllo", 2, 3, utf8_safe = true)`), "ll");
  });
  test("without utf8_safe a split character becomes U+FFFD", () => {
    assert.equal(evaluate(`Substring("héllo", 0, 2)`), "h\uFFFD");
  });
  test("out of range, negative values and wrong types fail", () => {
    for (const e of [`Substring("abc", 2, 2)`, `Substring("abc", 4, 0)`, `Substring("abc", -1, 1)`, `Substring("abc", 0, -1)`, `Substring(123, 0, 1)`, `Substring("abc", 0.0, 1)`, `Substring(nil, 0, 1)`]) {
      assert.throws(() => evaluate(e), OttlRuntimeError, e);
    }
  });
  test("huge lengths fail cleanly", () => {
    assert.throws(() => evaluate(`Substring("abc", 0, 9223372036854775807)`), /invalid range/);
  });
});

describe("case conversion", () => {
  test("ConvertCase", () => {
    assert.equal(evaluate(`ConvertCase("MY_METRIC", "lower")`), "my_metric");
    assert.equal(evaluate(`ConvertCase("my_metric", "upper")`), "MY_METRIC");
    assert.equal(evaluate(`ConvertCase("myMetric", "snake")`), "my_metric");
    assert.equal(evaluate(`ConvertCase("my_metric", "camel")`), "MyMetric");
    assert.equal(evaluate(`ConvertCase("", "camel")`), "");
  });
  test("an unknown case is a configuration error; a non-string target a run-time error", () => {
    assert.throws(() => compileExpr(`ConvertCase("x", "kebab")`), OttlCompileError);
    assert.throws(() => evaluate(`ConvertCase(1, "lower")`), OttlRuntimeError);
  });
  test("To*Case", () => {
    assert.equal(evaluate(`ToLowerCase("MyMetricName")`), "mymetricname");
    assert.equal(evaluate(`ToUpperCase("MyMetricName")`), "MYMETRICNAME");
    assert.equal(evaluate(`ToSnakeCase("MyMetricName")`), "my_metric_name");
    assert.equal(evaluate(`ToCamelCase("my_metric_name")`), "MyMetricName");
  });
  test("metric.name style use", () => {
    const t = runLog([`set(log.attributes["n"], ConvertCase(log.attributes["n"], "snake"))`], { attributes: { n: "httpServerDuration" } });
    assert.equal(attributesOf(t).n, "http_server_duration");
  });
});

describe("Trim family", () => {
  test("E16: the second argument is a set of characters", () => {
    assert.equal(evaluate(`Trim("xx\\"hi\\"xx", "x\\"")`), "hi");
    assert.equal(evaluate(`Trim("abcba", "ab")`), "c");
    assert.equal(evaluate(`Trim("  a b  ")`), "a b");
    assert.equal(evaluate(`Trim("\\ta\\t")`), "\ta\t");
    assert.equal(evaluate(`Trim("ééaéé", "é")`), "a");
    assert.equal(evaluate(`Trim("abc", "")`), "abc");
  });
  test("TrimPrefix / TrimSuffix", () => {
    assert.equal(evaluate(`TrimPrefix("ingest_service", "ingest_")`), "service");
    assert.equal(evaluate(`TrimPrefix("service", "ingest_")`), "service");
    assert.equal(evaluate(`TrimSuffix("ingest_service", "_service")`), "ingest");
    assert.equal(evaluate(`TrimSuffix("ingest", "_service")`), "ingest");
    assert.equal(evaluate(`TrimSuffix("abc", "")`), "abc");
  });
  test("HasPrefix / HasSuffix", () => {
    assert.equal(evaluate(`HasPrefix("ingest_service", "ingest_")`), true);
    assert.equal(evaluate(`HasPrefix("service", "ingest_")`), false);
    assert.equal(evaluate(`HasSuffix("ingest_service", "_service")`), true);
    assert.equal(evaluate(`HasSuffix("x", "")`), true);
    assert.throws(() => evaluate(`HasPrefix(log.attributes["missing"], "a")`), OttlRuntimeError);
    assert.throws(() => evaluate(`HasSuffix(1, "1")`), OttlRuntimeError);
  });
});

describe("Format", () => {
  test("README examples", () => {
    assert.equal(evaluate(`Format("%02d", [log.attributes["priority"]])`, { attributes: { priority: 5n } }), "05");
    assert.equal(evaluate(`Format("%04d-%02d-%02d", [Year(Unix(0)), Month(Unix(0)), Day(Unix(0))])`), "1970-01-01");
    assert.equal(evaluate(`Format("%s/%s", [log.attributes["h"], "x"])`, { attributes: { h: "host" } }), "host/x");
  });
  test("mismatches render Go's markers instead of failing", () => {
    assert.equal(evaluate(`Format("%d", ["x"])`), "%!d(string=x)");
    assert.equal(evaluate(`Format("%s %s", ["a"])`), "a %!s(MISSING)");
    assert.equal(evaluate(`Format("%v", [log.attributes["missing"]])`), "<nil>");
  });
});
