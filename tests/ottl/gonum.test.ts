// Go strconv parsing (ottl.md §5.3 Int, Double, Bool, ParseInt).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseGoBool, parseGoFloat, parseGoInt10, parseGoIntBase, truncateToInt64 } from "../../src/ottl/gonum.ts";

describe("parseGoInt10", () => {
  test("accepts", () => {
    assert.equal(parseGoInt10("42"), 42n);
    assert.equal(parseGoInt10("-7"), -7n);
    assert.equal(parseGoInt10("+7"), 7n);
    assert.equal(parseGoInt10("9223372036854775807"), 9223372036854775807n);
    assert.equal(parseGoInt10("-9223372036854775808"), -9223372036854775808n);
  });
  test("rejects", () => {
    for (const s of ["", "2.0", "abc", " 1", "1_000", "0x10", "9223372036854775808", "1e3"]) assert.equal(parseGoInt10(s), null, s);
  });
});

describe("parseGoIntBase", () => {
  test("base 0 prefixes and underscores", () => {
    assert.equal(parseGoIntBase("0b1111_0000", 0), 240n);
    assert.equal(parseGoIntBase("0xFF", 0), 255n);
    assert.equal(parseGoIntBase("-0xFF", 0), -255n);
    assert.equal(parseGoIntBase("-0o123", 0), -83n);
    assert.equal(parseGoIntBase("0123", 0), 83n);
    assert.equal(parseGoIntBase("0", 0), 0n);
    assert.equal(parseGoIntBase("1_000", 0), 1000n);
  });
  test("explicit bases", () => {
    assert.equal(parseGoIntBase("AA", 16), 170n);
    assert.equal(parseGoIntBase("-20", 8), -16n);
    assert.equal(parseGoIntBase("zz", 36), 1295n);
  });
  test("rejects", () => {
    assert.equal(parseGoIntBase("1_000", 10), null);
    assert.equal(parseGoIntBase("_1", 0), null);
    assert.equal(parseGoIntBase("1__0", 0), null);
    assert.equal(parseGoIntBase("19", 8), null);
    assert.equal(parseGoIntBase("", 10), null);
    assert.equal(parseGoIntBase("0x", 0), null);
    assert.equal(parseGoIntBase("8000000000000000", 16), null);
  });
});

describe("parseGoFloat", () => {
  test("accepts Go syntax", () => {
    assert.equal(parseGoFloat("1.5"), 1.5);
    assert.equal(parseGoFloat("-.5"), -0.5);
    assert.equal(parseGoFloat("5."), 5);
    assert.equal(parseGoFloat("1e3"), 1000);
    assert.equal(parseGoFloat("1_000.5"), 1000.5);
    assert.equal(parseGoFloat("0x1p-2"), 0.25);
    assert.equal(parseGoFloat("0x1.8p1"), 3);
    assert.equal(parseGoFloat("inf"), Infinity);
    assert.equal(parseGoFloat("-Infinity"), -Infinity);
    assert.ok(Number.isNaN(parseGoFloat("NaN")));
  });
  test("rejects", () => {
    for (const s of ["", "abc", "1e400", "1__0", "_1", "+nan", " 1", "0x1", "1e"]) assert.equal(parseGoFloat(s), null, s);
  });
});

describe("parseGoBool and truncation", () => {
  test("ParseBool strings", () => {
    for (const s of ["1", "t", "T", "true", "TRUE", "True"]) assert.equal(parseGoBool(s), true);
    for (const s of ["0", "f", "F", "false", "FALSE", "False"]) assert.equal(parseGoBool(s), false);
    for (const s of ["yes", "tRUE", ""]) assert.equal(parseGoBool(s), null);
  });
  test("truncateToInt64", () => {
    assert.equal(truncateToInt64(2.9), 2n);
    assert.equal(truncateToInt64(-2.9), -2n);
    assert.equal(truncateToInt64(NaN), null);
    assert.equal(truncateToInt64(1e300), null);
  });
});
