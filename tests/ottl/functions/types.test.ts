// Int, Double, Bool, String, ParseInt, Log and the Is* tests through real statements (ottl.md §5.3, E16).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlCompileError, OttlRuntimeError } from "../../../src/ottl/errors.ts";
import { attributesOf, compileExpr, evaluate, plain, runLog } from "./helpers.ts";

describe("Int", () => {
  test("conversions keep int and float apart", () => {
    assert.equal(evaluate(`Int(3)`), 3n);
    assert.equal(evaluate(`Int(2.9)`), 2n);
    assert.equal(evaluate(`Int(-2.9)`), -2n);
    assert.equal(evaluate(`Int(true)`), 1n);
    assert.equal(evaluate(`Int(false)`), 0n);
    assert.equal(evaluate(`Int("42")`), 42n);
    assert.equal(evaluate(`Int("-9223372036854775808")`), -9223372036854775808n);
    assert.equal(evaluate(`Int(log.attributes["n"])`, { attributes: { n: "17" } }), 17n);
  });
  test("unparsable or unsupported → nil (E16: Int(\"2.0\") is a no-op)", () => {
    for (const e of [`Int("2.0")`, `Int("abc")`, `Int("")`, `Int(nil)`, `Int(log.attributes["missing"])`, `Int({"a": 1})`, `Int([1])`, `Int("9223372036854775808")`]) {
      assert.equal(evaluate(e), null, e);
    }
  });
  test("E3 fix: Int() makes a string attribute comparable", () => {
    const statement = `set(log.attributes["err"], true) where Int(log.attributes["code"]) >= 500`;
    assert.equal(attributesOf(runLog([statement], { attributes: { code: "503" } })).err, true);
    assert.equal(attributesOf(runLog([statement], { attributes: { code: "200" } })).err, undefined);
  });
});

describe("Double", () => {
  test("conversions", () => {
    assert.equal(evaluate(`Double(2)`), 2);
    assert.equal(typeof evaluate(`Double(2)`), "number");
    assert.equal(evaluate(`Double(1.5)`), 1.5);
    assert.equal(evaluate(`Double(true)`), 1);
    assert.equal(evaluate(`Double("2.5e3")`), 2500);
    assert.equal(evaluate(`Double("2.0")`), 2);
    assert.equal(evaluate(`Double("abc")`), null);
    assert.equal(evaluate(`Double(nil)`), null);
    assert.equal(evaluate(`Double({"a": 1})`), null);
  });
  test("E10: Double(n) * 1.5 works on an int attribute", () => {
    assert.equal(evaluate(`Double(log.attributes["n"]) * 1.5`, { attributes: { n: 2n } }), 3);
  });
});

describe("Bool", () => {
  test("conversions", () => {
    assert.equal(evaluate(`Bool(true)`), true);
    assert.equal(evaluate(`Bool(0)`), false);
    assert.equal(evaluate(`Bool(2)`), true);
    assert.equal(evaluate(`Bool(0.0)`), false);
    assert.equal(evaluate(`Bool("T")`), true);
    assert.equal(evaluate(`Bool("False")`), false);
    assert.equal(evaluate(`Bool("yes")`), null);
    assert.equal(evaluate(`Bool(nil)`), null);
    assert.equal(evaluate(`Bool([true])`), null);
  });
});

describe("String", () => {
  test("scalars, bytes, maps and lists", () => {
    assert.equal(evaluate(`String("x")`), "x");
    assert.equal(evaluate(`String(12)`), "12");
    assert.equal(evaluate(`String(1.5)`), "1.5");
    assert.equal(evaluate(`String(true)`), "true");
    assert.equal(evaluate(`String(0x0a1B)`), "0a1b");
    assert.equal(evaluate(`String({"b": 1, "a": [1, "x"]})`), '{"a":[1,"x"],"b":1}');
    assert.equal(evaluate(`String(nil)`), null);
  });
});

describe("ParseInt", () => {
  test("bases", () => {
    assert.equal(evaluate(`ParseInt("0xAA", 0)`), 170n);
    assert.equal(evaluate(`ParseInt("AA", 16)`), 170n);
    assert.equal(evaluate(`ParseInt("-20", 8)`), -16n);
    assert.equal(evaluate(`ParseInt("0b1111_0000", 0)`), 240n);
  });
  test("failures are errors; a bad literal base is a configuration error", () => {
    assert.throws(() => evaluate(`ParseInt("12x", 10)`), OttlRuntimeError);
    assert.throws(() => evaluate(`ParseInt(12, 10)`), OttlRuntimeError);
    assert.throws(() => compileExpr(`ParseInt("12", 1)`), OttlCompileError);
    assert.throws(() => compileExpr(`ParseInt("12", 37)`), OttlCompileError);
  });
});

describe("Log", () => {
  test("natural logarithm of numbers and numeric strings", () => {
    assert.equal(evaluate(`Log(1)`), 0);
    assert.ok(Math.abs((evaluate(`Log("10")`) as number) - Math.LN10) < 1e-12);
  });
  test("nil, ≤ 0 and non-numbers fail", () => {
    for (const e of [`Log(0)`, `Log(-1.5)`, `Log(false)`, `Log(nil)`, `Log("x")`]) assert.throws(() => evaluate(e), OttlRuntimeError, e);
  });
});

describe("type tests", () => {
  const rows: Array<[string, string, boolean]> = [
    ["IsString", `"a"`, true],
    ["IsString", `1`, false],
    ["IsString", `nil`, false],
    ["IsInt", `1`, true],
    ["IsInt", `1.0`, false],
    ["IsDouble", `1.0`, true],
    ["IsDouble", `1`, false],
    ["IsBool", `false`, true],
    ["IsBool", `"true"`, false],
    ["IsMap", `{}`, true],
    ["IsMap", `[]`, false],
    ["IsList", `[]`, true],
    ["IsList", `"[]"`, false],
    ["IsEmpty", `nil`, true],
    ["IsEmpty", `""`, true],
    ["IsEmpty", `0`, true],
    ["IsEmpty", `0.0`, true],
    ["IsEmpty", `false`, true],
    ["IsEmpty", `{}`, true],
    ["IsEmpty", `[]`, true],
    ["IsEmpty", `TraceID(0x00000000000000000000000000000000)`, true],
    ["IsEmpty", `Duration("0s")`, true],
    ["IsEmpty", `" "`, false],
    ["IsEmpty", `[nil]`, false],
    ["IsEmpty", `SpanID(0x0000000000000001)`, false],
  ];
  for (const [fn, arg, want] of rows) test(`${fn}(${arg})`, () => assert.equal(evaluate(`${fn}(${arg})`), want));

  test("attribute values keep their stored type", () => {
    const input = { attributes: { s: "x", i: 1n, d: 1.5, b: true, m: { k: "v" }, l: [1n] } };
    assert.deepEqual(
      ["s", "i", "d", "b", "m", "l"].map((k) => plain(`[IsString(log.attributes["${k}"]), IsInt(log.attributes["${k}"]), IsDouble(log.attributes["${k}"]), IsBool(log.attributes["${k}"]), IsMap(log.attributes["${k}"]), IsList(log.attributes["${k}"])]`, input)),
      [
        [true, false, false, false, false, false],
        [false, true, false, false, false, false],
        [false, false, true, false, false, false],
        [false, false, false, true, false, false],
        [false, false, false, false, true, false],
        [false, false, false, false, false, true],
      ],
    );
  });
  test("usable alone as a condition (E8 guard)", () => {
    const statement = `set(log.attributes["is_text"], true) where IsString(log.body)`;
    assert.equal(attributesOf(runLog([statement], { body: "text" })).is_text, true);
    assert.equal(attributesOf(runLog([statement], { body: { a: 1 } })).is_text, undefined);
  });
});
